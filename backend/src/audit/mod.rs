//! The audit log: who did what, when, from where, and which fields changed from what to what.
//! Entries are written in the transaction of the change they describe, so the log never claims a
//! change that rolled back.

pub mod routes;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};

use crate::auth::account::AccountKind;
use crate::auth::sessions::ClientInfo;
use crate::clock;
use crate::db::enums::db_enum;
use crate::db::schema::audit_events;
use crate::db::DbConnection;
use crate::error::AppResult;

db_enum! {
    /// What kind of actor an event names.
    #[derive(Serialize, Deserialize)]
    #[serde(rename_all = "snake_case")]
    pub enum ActorKind {
        /// Nobody signed in (a failed sign-in, a sign-up).
        Anonymous,
        /// The application itself (rules applied automatically, jobs).
        System,
        Staff,
        Member,
        Operator,
        ApiKey,
    }
}

impl From<AccountKind> for ActorKind {
    fn from(kind: AccountKind) -> Self {
        match kind {
            AccountKind::Staff => ActorKind::Staff,
            AccountKind::Member => ActorKind::Member,
            AccountKind::Operator => ActorKind::Operator,
        }
    }
}

/// Who acted: an account, an API key, or nobody signed in.
#[derive(Debug, Clone)]
pub struct AuditActor {
    pub merchant_id: Option<i64>,
    pub kind: ActorKind,
    pub id: Option<i64>,
    pub label: Option<String>,
}

impl AuditActor {
    pub fn anonymous(merchant_id: Option<i64>) -> Self {
        Self {
            merchant_id,
            kind: ActorKind::Anonymous,
            id: None,
            label: None,
        }
    }

    pub fn system(merchant_id: Option<i64>) -> Self {
        Self {
            merchant_id,
            kind: ActorKind::System,
            id: None,
            label: None,
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct AuditEntry {
    pub action: &'static str,
    pub target_type: Option<&'static str>,
    pub target_id: Option<String>,
    /// `{"field": {"before": …, "after": …}}`.
    pub changes: Option<Value>,
}

impl AuditEntry {
    pub fn new(action: &'static str) -> Self {
        Self {
            action,
            ..Self::default()
        }
    }

    pub fn target(mut self, target_type: &'static str, id: impl ToString) -> Self {
        self.target_type = Some(target_type);
        self.target_id = Some(id.to_string());
        self
    }

    pub fn changes(mut self, changes: Value) -> Self {
        self.changes = Some(changes);
        self
    }
}

/// Keys whose values never enter the log.
fn is_secret(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    ["password", "secret", "token", "hash", "code", "key"]
        .iter()
        .any(|s| key.contains(s))
}

/// The fields that differ between two JSON objects, as `{"field": {"before", "after"}}`;
/// secret fields are reported as changed without their values.
pub fn diff(before: &Value, after: &Value) -> Value {
    let empty = Map::new();
    let before = before.as_object().unwrap_or(&empty);
    let after = after.as_object().unwrap_or(&empty);
    let mut keys: Vec<&String> = before.keys().chain(after.keys()).collect();
    keys.sort();
    keys.dedup();
    let mut out = Map::new();
    for key in keys {
        let old = before.get(key).unwrap_or(&Value::Null);
        let new = after.get(key).unwrap_or(&Value::Null);
        if old != new {
            let change = if is_secret(key) {
                serde_json::json!({ "before": "[redacted]", "after": "[redacted]" })
            } else {
                serde_json::json!({ "before": old, "after": new })
            };
            out.insert(key.clone(), change);
        }
    }
    Value::Object(out)
}

pub fn record(
    conn: &mut DbConnection,
    actor: &AuditActor,
    client: &ClientInfo,
    entry: AuditEntry,
    now: NaiveDateTime,
) -> AppResult<()> {
    diesel::insert_into(audit_events::table)
        .values((
            audit_events::merchant_id.eq(actor.merchant_id),
            audit_events::actor_kind.eq(actor.kind),
            audit_events::actor_id.eq(actor.id),
            audit_events::actor_label.eq(actor.label.as_deref()),
            audit_events::action.eq(entry.action),
            audit_events::target_type.eq(entry.target_type),
            audit_events::target_id.eq(entry.target_id.as_deref()),
            audit_events::ip.eq(client.ip.as_deref()),
            audit_events::user_agent.eq(client.user_agent.as_deref()),
            audit_events::request_id.eq(client.request_id.as_deref()),
            audit_events::changes.eq(entry.changes.map(|c| c.to_string())),
            audit_events::created_at.eq(now),
        ))
        .execute(conn)?;
    Ok(())
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AuditEvent {
    pub id: i64,
    #[schema(value_type = String)]
    pub actor_kind: ActorKind,
    pub actor_id: Option<i64>,
    pub actor_label: Option<String>,
    #[schema(example = "staff.role_changed")]
    pub action: String,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
    /// Changed fields with their values before and after.
    #[schema(value_type = Option<Object>)]
    pub changes: Option<Value>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Exact action, or a prefix ending in `.` (`staff.`).
    pub action: Option<String>,
    pub actor_kind: Option<String>,
    pub actor_id: Option<i64>,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    /// Only events at or after this time.
    pub from: Option<DateTime<Utc>>,
    /// Only events before this time.
    pub to: Option<DateTime<Utc>>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<i64>,
    /// 1–200, default 50.
    pub limit: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditEvent>,
    /// Pass as `cursor` for the next (older) page; absent on the last page.
    pub next_cursor: Option<i64>,
}

type AuditRow = (
    i64,
    ActorKind,
    Option<i64>,
    Option<String>,
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    NaiveDateTime,
);

/// A merchant's events, newest first, filtered, in pages keyed by id.
pub fn search(
    conn: &mut DbConnection,
    merchant_id: i64,
    query: &AuditQuery,
) -> AppResult<AuditPage> {
    let limit = query.limit.unwrap_or(50).clamp(1, 200);
    let mut q = audit_events::table
        .filter(audit_events::merchant_id.eq(merchant_id))
        .into_boxed();
    if let Some(action) = &query.action {
        if action.ends_with('.') {
            q = q.filter(audit_events::action.like(format!("{}%", action.replace(['%', '_'], ""))));
        } else {
            q = q.filter(audit_events::action.eq(action.clone()));
        }
    }
    if let Some(kind) = &query.actor_kind {
        q = q.filter(audit_events::actor_kind.eq(kind.clone()));
    }
    if let Some(id) = query.actor_id {
        q = q.filter(audit_events::actor_id.eq(id));
    }
    if let Some(t) = &query.target_type {
        q = q.filter(audit_events::target_type.eq(t.clone()));
    }
    if let Some(t) = &query.target_id {
        q = q.filter(audit_events::target_id.eq(t.clone()));
    }
    if let Some(from) = query.from {
        q = q.filter(audit_events::created_at.ge(from.naive_utc()));
    }
    if let Some(to) = query.to {
        q = q.filter(audit_events::created_at.lt(to.naive_utc()));
    }
    if let Some(cursor) = query.cursor {
        q = q.filter(audit_events::id.lt(cursor));
    }
    let rows: Vec<AuditRow> = q
        .order(audit_events::id.desc())
        .limit(limit + 1)
        .select((
            audit_events::id,
            audit_events::actor_kind,
            audit_events::actor_id,
            audit_events::actor_label,
            audit_events::action,
            audit_events::target_type,
            audit_events::target_id,
            audit_events::ip,
            audit_events::user_agent,
            audit_events::request_id,
            audit_events::changes,
            audit_events::created_at,
        ))
        .load(conn)?;
    let more = rows.len() as i64 > limit;
    let items: Vec<AuditEvent> = rows
        .into_iter()
        .take(limit as usize)
        .map(|r| AuditEvent {
            id: r.0,
            actor_kind: r.1,
            actor_id: r.2,
            actor_label: r.3,
            action: r.4,
            target_type: r.5,
            target_id: r.6,
            ip: r.7,
            user_agent: r.8,
            request_id: r.9,
            changes: r.10.and_then(|c| serde_json::from_str(&c).ok()),
            created_at: clock::to_utc(r.11),
        })
        .collect();
    let next_cursor = if more {
        items.last().map(|e| e.id)
    } else {
        None
    };
    Ok(AuditPage { items, next_cursor })
}

/// Registers this module's routes (and so their OpenAPI paths) under the API prefix.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(routes::search_audit_events);
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn diff_lists_changed_fields_and_hides_secrets() {
        let before = json!({"role": "viewer", "name": "A", "password_hash": "x"});
        let after = json!({"role": "admin", "name": "A", "password_hash": "y", "phone": "1"});
        assert_eq!(
            diff(&before, &after),
            json!({
                "password_hash": {"before": "[redacted]", "after": "[redacted]"},
                "phone": {"before": null, "after": "1"},
                "role": {"before": "viewer", "after": "admin"},
            })
        );
    }
}
