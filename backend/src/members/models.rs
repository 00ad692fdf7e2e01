//! The members' rows, read with `X::as_select()`.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::codes::CodePurpose;
use crate::auth::account::AccountStatus;
use crate::db::ids::{MemberId, MerchantId};
use crate::db::schema::{members, verification_codes};
use crate::notify::outbox::Channel;

/// A row of `members`.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = members)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct MemberRow {
    pub id: MemberId,
    pub merchant_id: MerchantId,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub name: Option<String>,
    pub password_hash: String,
    pub status: AccountStatus,
    pub phone_verified_at: Option<NaiveDateTime>,
    pub email_verified_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// How staff reach a member: what lists of distributors, customers and applications show
/// beside them (never the password hash).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = members)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct MemberContactRow {
    pub id: MemberId,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// A new member.
#[derive(Debug, Insertable)]
#[diesel(table_name = members)]
pub struct MemberInsertForm<'a> {
    pub merchant_id: MerchantId,
    pub phone: Option<&'a str>,
    pub email: Option<&'a str>,
    pub name: Option<&'a str>,
    pub password_hash: &'a str,
    pub status: AccountStatus,
    pub phone_verified_at: Option<NaiveDateTime>,
    pub email_verified_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

/// A new verification code (its hash), unused and not yet guessed at.
#[derive(Debug, Insertable)]
#[diesel(table_name = verification_codes)]
pub(crate) struct VerificationCodeInsertForm<'a> {
    pub merchant_id: MerchantId,
    pub channel: Channel,
    pub recipient: &'a str,
    pub purpose: CodePurpose,
    pub code_hash: &'a str,
    pub expires_at: NaiveDateTime,
    pub created_at: NaiveDateTime,
}
