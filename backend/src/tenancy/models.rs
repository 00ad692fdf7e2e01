//! Merchant and staff records and their states.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::auth::account::AccountStatus;
use crate::db::enums::db_enum;
use crate::db::ids::MerchantId;
use crate::db::schema::{merchants, staff_users};

db_enum! {
    /// Lifecycle of a merchant account.
    #[derive(Serialize, Deserialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum MerchantStatus {
        /// Signed up; the owner has not verified their email yet.
        PendingVerification,
        /// Verified; waiting for the platform's approval (when approval is required).
        PendingApproval,
        Active,
        Suspended,
    }
}

db_enum! {
    #[derive(Serialize, Deserialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum StaffRole {
        Owner,
        Admin,
        Operator,
        Finance,
        Support,
        Viewer,
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = merchants)]
pub struct Merchant {
    pub id: MerchantId,
    pub name: String,
    pub contact_name: String,
    pub contact_phone: String,
    pub contact_email: String,
    pub status: MerchantStatus,
    pub timezone: String,
    pub currency: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub require_staff_mfa: bool,
    pub slug: Option<String>,
    pub description: String,
    pub logo_media_id: Option<i64>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = merchants)]
pub struct MerchantInsertForm<'a> {
    pub name: &'a str,
    pub contact_name: &'a str,
    pub contact_phone: &'a str,
    pub contact_email: &'a str,
    pub status: MerchantStatus,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = staff_users)]
pub struct StaffUser {
    pub id: i64,
    pub merchant_id: MerchantId,
    pub email: String,
    pub name: String,
    pub phone: Option<String>,
    pub password_hash: String,
    pub role: StaffRole,
    pub status: AccountStatus,
    pub email_verified_at: Option<NaiveDateTime>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = staff_users)]
pub struct StaffUserInsertForm<'a> {
    pub merchant_id: MerchantId,
    pub email: &'a str,
    pub name: &'a str,
    pub phone: Option<&'a str>,
    pub password_hash: &'a str,
    pub role: StaffRole,
    pub status: AccountStatus,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}
