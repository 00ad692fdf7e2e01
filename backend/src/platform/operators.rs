//! Platform operator accounts. The first one is made with `fenxiao admin create`; there is no
//! default account and no default password.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use crate::audit::{self, AuditActor, AuditEntry};
use crate::auth::account::AccountStatus;
use crate::auth::password;
use crate::auth::sessions::ClientInfo;
use crate::clock;
use crate::db::schema::platform_operators;
use crate::db::{write_transaction, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode};

/// A row of `platform_operators`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = platform_operators)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct OperatorRow {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub password_hash: String,
    pub status: AccountStatus,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = platform_operators)]
struct OperatorInsertForm<'a> {
    email: &'a str,
    name: &'a str,
    password_hash: &'a str,
    status: AccountStatus,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

pub fn create(
    conn: &mut DbConnection,
    email: &str,
    name: &str,
    password_text: &str,
) -> AppResult<i64> {
    let email = email.trim().to_lowercase();
    let name = name.trim();
    if !validator::ValidateEmail::validate_email(&email) {
        return Err(AppError::field("email", ErrorCode::Email));
    }
    if name.is_empty() || name.chars().count() > 50 {
        return Err(AppError::field(
            "name",
            ErrorCode::Length
                .form("between")
                .arg("min", 1)
                .arg("max", 50),
        ));
    }
    password::check_strength(password_text).map_err(|e| {
        AppError::Validation(crate::http::validation::field_errors_for("password", &e))
    })?;
    let hash = password::hash(password_text)?;
    let now = clock::now();
    write_transaction(conn, |conn| {
        diesel::insert_into(platform_operators::table)
            .values(OperatorInsertForm {
                email: &email,
                name,
                password_hash: &hash,
                status: AccountStatus::Active,
                created_at: now,
                updated_at: now,
            })
            .returning(platform_operators::id)
            .get_result::<i64>(conn)
            .map_err(|e| match e {
                DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                    AppError::conflict(ErrorCode::EmailTaken.form("operator"))
                }
                other => other.into(),
            })
            .and_then(|id| {
                audit::record(
                    conn,
                    &AuditActor::system(None),
                    &ClientInfo::default(),
                    AuditEntry::new("operator.created")
                        .target("operator", id)
                        .changes(
                            serde_json::json!({ "email": { "before": null, "after": email } }),
                        ),
                    now,
                )?;
                Ok(id)
            })
    })
}
