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
use crate::db::ids::MerchantId;
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
    pub merchant_id: Option<MerchantId>,
    pub kind: ActorKind,
    pub id: Option<i64>,
    pub label: Option<String>,
}

impl AuditActor {
    pub fn anonymous(merchant_id: Option<MerchantId>) -> Self {
        Self {
            merchant_id,
            kind: ActorKind::Anonymous,
            id: None,
            label: None,
        }
    }

    pub fn system(merchant_id: Option<MerchantId>) -> Self {
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
        .values(AuditEventInsertForm {
            merchant_id: actor.merchant_id,
            actor_kind: actor.kind,
            actor_id: actor.id,
            actor_label: actor.label.as_deref(),
            action: entry.action,
            target_type: entry.target_type,
            target_id: entry.target_id.as_deref(),
            ip: client.ip.as_deref(),
            user_agent: client.user_agent.as_deref(),
            request_id: client.request_id.as_deref(),
            changes: entry.changes.map(|c| c.to_string()),
            created_at: now,
        })
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

/// A new event.
#[derive(Debug, Insertable)]
#[diesel(table_name = audit_events)]
#[diesel(treat_none_as_default_value = false)]
struct AuditEventInsertForm<'a> {
    merchant_id: Option<MerchantId>,
    actor_kind: ActorKind,
    actor_id: Option<i64>,
    actor_label: Option<&'a str>,
    action: &'a str,
    target_type: Option<&'a str>,
    target_id: Option<&'a str>,
    ip: Option<&'a str>,
    user_agent: Option<&'a str>,
    request_id: Option<&'a str>,
    changes: Option<String>,
    created_at: NaiveDateTime,
}

/// A row of `audit_events` (without its tenant).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = audit_events)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct AuditEventRow {
    id: i64,
    actor_kind: ActorKind,
    actor_id: Option<i64>,
    actor_label: Option<String>,
    action: String,
    target_type: Option<String>,
    target_id: Option<String>,
    ip: Option<String>,
    user_agent: Option<String>,
    request_id: Option<String>,
    /// A JSON object.
    changes: Option<String>,
    created_at: NaiveDateTime,
}

/// A merchant's events, newest first, filtered, in pages keyed by id.
pub fn search(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
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
    let rows: Vec<AuditEventRow> = q
        .order(audit_events::id.desc())
        .limit(limit + 1)
        .select(AuditEventRow::as_select())
        .load(conn)?;
    let more = rows.len() as i64 > limit;
    let items: Vec<AuditEvent> = rows
        .into_iter()
        .take(limit as usize)
        .map(|r| AuditEvent {
            id: r.id,
            actor_kind: r.actor_kind,
            actor_id: r.actor_id,
            actor_label: r.actor_label,
            action: r.action,
            target_type: r.target_type,
            target_id: r.target_id,
            ip: r.ip,
            user_agent: r.user_agent,
            request_id: r.request_id,
            changes: r.changes.and_then(|c| serde_json::from_str(&c).ok()),
            created_at: clock::to_utc(r.created_at),
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
