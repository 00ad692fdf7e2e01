//! Lockout after repeated failed sign-ins: `threshold` failures within `window` lock the account
//! until staff unlock it or its password is reset. The counters live in `account_security`.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::account::AccountKind;
use crate::db::ids::MerchantId;
use crate::db::schema::account_security as sec;
use crate::db::DbConnection;
use crate::error::AppResult;

/// An account's security row, with no failures, no lock and no TOTP (column defaults).
#[derive(Debug, Insertable)]
#[diesel(table_name = sec)]
#[diesel(treat_none_as_default_value = false)]
pub(crate) struct AccountSecurityInsertForm {
    pub account_kind: AccountKind,
    pub account_id: i64,
    pub merchant_id: Option<MerchantId>,
}

#[derive(Debug, Clone, Copy)]
pub struct LockoutPolicy {
    pub threshold: i32,
    pub window: Duration,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        Self {
            threshold: 5,
            window: Duration::minutes(15),
        }
    }
}

/// Makes sure the account has its security row (created lazily, on first need).
pub fn ensure_row(
    conn: &mut DbConnection,
    kind: AccountKind,
    account_id: i64,
    merchant_id: Option<MerchantId>,
) -> AppResult<()> {
    let exists: i64 = sec::table
        .filter(sec::account_kind.eq(kind))
        .filter(sec::account_id.eq(account_id))
        .count()
        .get_result(conn)?;
    if exists == 0 {
        diesel::insert_into(sec::table)
            .values(AccountSecurityInsertForm {
                account_kind: kind,
                account_id,
                merchant_id,
            })
            .execute(conn)?;
    }
    Ok(())
}

pub fn locked_at(
    conn: &mut DbConnection,
    kind: AccountKind,
    account_id: i64,
) -> AppResult<Option<NaiveDateTime>> {
    Ok(sec::table
        .filter(sec::account_kind.eq(kind))
        .filter(sec::account_id.eq(account_id))
        .select(sec::locked_at)
        .first::<Option<NaiveDateTime>>(conn)
        .optional()?
        .flatten())
}

/// Counts a failed sign-in; returns true when this failure locked the account.
pub fn record_failure(
    conn: &mut DbConnection,
    kind: AccountKind,
    account_id: i64,
    merchant_id: Option<MerchantId>,
    policy: LockoutPolicy,
    now: NaiveDateTime,
) -> AppResult<bool> {
    ensure_row(conn, kind, account_id, merchant_id)?;
    let row = || {
        sec::table
            .filter(sec::account_kind.eq(kind))
            .filter(sec::account_id.eq(account_id))
    };
    // Single-statement updates, so concurrent failures are all counted.
    let cutoff = now - policy.window;
    let restarted = diesel::update(
        row().filter(
            sec::first_failed_at
                .is_null()
                .or(sec::first_failed_at.le(cutoff)),
        ),
    )
    .set((
        sec::failed_sign_ins.eq(1),
        sec::first_failed_at.eq(Some(now)),
    ))
    .execute(conn)?;
    if restarted == 0 {
        diesel::update(row())
            .set(sec::failed_sign_ins.eq(sec::failed_sign_ins + 1))
            .execute(conn)?;
    }
    let failures: i32 = row().select(sec::failed_sign_ins).first(conn)?;
    if failures < policy.threshold {
        return Ok(false);
    }
    let locked = diesel::update(row().filter(sec::locked_at.is_null()))
        .set(sec::locked_at.eq(Some(now)))
        .execute(conn)?;
    Ok(locked > 0)
}

/// Forgets failures and lifts a lock (successful sign-in, staff unlock, password reset).
pub fn clear(conn: &mut DbConnection, kind: AccountKind, account_id: i64) -> AppResult<()> {
    diesel::update(
        sec::table
            .filter(sec::account_kind.eq(kind))
            .filter(sec::account_id.eq(account_id)),
    )
    .set((
        sec::failed_sign_ins.eq(0),
        sec::first_failed_at.eq(None::<NaiveDateTime>),
        sec::locked_at.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    Ok(())
}
