//! Integration with other systems (ERP/CRM): API keys, and later webhooks and idempotency.

pub mod api_key_routes;
pub mod api_keys;
