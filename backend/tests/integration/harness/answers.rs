//! Test-side shapes of the answers many tests read, with the fields they look at: a typed read
//! fails at once, naming the field, when an answer loses or renames one.

use fenxiao::db::ids::MerchantId;
use serde::Deserialize;
use serde_json::Value;

/// `GET /auth/me`: who is calling and what they may do.
#[derive(Debug, Deserialize)]
pub struct Me {
    pub kind: String,
    pub id: i64,
    pub merchant_id: Option<MerchantId>,
    pub role: Option<String>,
    pub permissions: Vec<String>,
    pub mfa_enabled: bool,
    pub mfa_enrolment_required: bool,
}

/// One page of a list and the cursor of the next (absent on the last page).
#[derive(Debug, Deserialize)]
pub struct Page<T, C = Value> {
    pub items: Vec<T>,
    #[serde(default = "none")]
    pub next_cursor: Option<C>,
}

fn none<C>() -> Option<C> {
    None
}

/// An entry of the audit log.
#[derive(Debug, Deserialize)]
pub struct AuditEvent {
    pub id: i64,
    pub action: String,
    pub actor_kind: String,
    pub actor_label: Option<String>,
    pub target_id: Option<String>,
    pub ip: Option<String>,
    pub changes: Option<Value>,
}

/// A page of the audit log (`GET /audit-events`), newest first.
pub type AuditPage = Page<AuditEvent, i64>;

/// A session of the signed-in account.
#[derive(Debug, Deserialize)]
pub struct Session {
    pub id: i64,
    pub current: bool,
}
