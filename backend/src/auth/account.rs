//! The kinds of account that sign in, and the fields sign-in needs from each.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::enums::db_enum;
use crate::db::ids::{MemberId, MerchantId};
use crate::db::schema::{members, platform_operators, staff_users};
use crate::db::DbConnection;
use crate::error::AppResult;
use crate::members::models::MemberRow;
use crate::platform::operators::OperatorRow;
use crate::tenancy::models::StaffUser;

db_enum! {
    #[derive(Serialize, Deserialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum AccountKind {
        Staff,
        Member,
        Operator,
    }
}

// The status of an account of any kind: staff go through all four; members and platform
// operators are only `active` or `disabled`. The API shows it for staff, hence its schema name.
db_enum! {
    #[derive(Serialize, Deserialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    #[schema(as = StaffStatus)]
    pub enum AccountStatus {
        PendingVerification,
        Invited,
        Active,
        Disabled,
    }
}

/// What sign-in reads of an account, whatever its kind.
#[derive(Debug, Clone)]
pub struct AccountRecord {
    pub kind: AccountKind,
    pub id: i64,
    pub merchant_id: Option<MerchantId>,
    pub email: String,
    pub password_hash: String,
    pub status: AccountStatus,
}

impl AccountRecord {
    pub fn is_active(&self) -> bool {
        self.status == AccountStatus::Active
    }
}

pub fn find_by_email(
    conn: &mut DbConnection,
    kind: AccountKind,
    email: &str,
) -> AppResult<Option<AccountRecord>> {
    let record = match kind {
        AccountKind::Staff => staff_users::table
            .filter(staff_users::email.eq(email))
            .select(StaffUser::as_select())
            .first(conn)
            .optional()?
            .map(|user| AccountRecord {
                kind,
                id: user.id,
                merchant_id: Some(user.merchant_id),
                email: user.email,
                password_hash: user.password_hash,
                status: user.status,
            }),
        AccountKind::Operator => platform_operators::table
            .filter(platform_operators::email.eq(email))
            .select(OperatorRow::as_select())
            .first(conn)
            .optional()?
            .map(|operator| AccountRecord {
                kind,
                id: operator.id,
                merchant_id: None,
                email: operator.email,
                password_hash: operator.password_hash,
                status: operator.status,
            }),
        AccountKind::Member => None,
    };
    Ok(record)
}

fn member_record(row: MemberRow) -> AccountRecord {
    AccountRecord {
        kind: AccountKind::Member,
        id: row.id.get(),
        merchant_id: Some(row.merchant_id),
        email: row.phone.or(row.email).unwrap_or_default(),
        password_hash: row.password_hash,
        status: row.status,
    }
}

/// A member of the merchant by phone number or email (whichever `login` is).
pub fn find_member(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    login: &str,
) -> AppResult<Option<AccountRecord>> {
    let query = members::table
        .filter(members::merchant_id.eq(merchant_id))
        .select(MemberRow::as_select());
    let row = if login.contains('@') {
        query
            .filter(members::email.eq(login))
            .first(conn)
            .optional()?
    } else {
        query
            .filter(members::phone.eq(login))
            .first(conn)
            .optional()?
    };
    Ok(row.map(member_record))
}

pub fn find_by_id(
    conn: &mut DbConnection,
    kind: AccountKind,
    id: i64,
) -> AppResult<Option<AccountRecord>> {
    if kind == AccountKind::Member {
        let row = members::table
            .find(MemberId(id))
            .select(MemberRow::as_select())
            .first(conn)
            .optional()?;
        return Ok(row.map(member_record));
    }
    let email = match kind {
        AccountKind::Staff => staff_users::table
            .find(id)
            .select(staff_users::email)
            .first::<String>(conn)
            .optional()?,
        AccountKind::Operator => platform_operators::table
            .find(id)
            .select(platform_operators::email)
            .first::<String>(conn)
            .optional()?,
        AccountKind::Member => None,
    };
    match email {
        Some(email) => find_by_email(conn, kind, &email),
        None => Ok(None),
    }
}
