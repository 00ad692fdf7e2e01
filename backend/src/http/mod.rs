//! HTTP plumbing shared by every route: the JSON extractor, validation mapping, the request
//! middleware, the fallback service and the extractor error handlers.

pub mod extractors;
pub mod fallback;
pub mod json;
pub mod rate_limit;
pub mod request_context;
pub mod upload;
pub mod validation;

pub use json::ApiJson;
pub use request_context::{RequestId, RequestLang};
