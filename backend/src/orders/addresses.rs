//! A member's delivery addresses in one shop, with GB/T 2260 province and city codes. At most one
//! is the default (a partial unique index holds it); the first address is the default.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

use super::models::{AddressInsertForm, AddressRow, AddressUpdateForm};
use crate::clock;
use crate::db::ids::{MemberId, MerchantId};
use crate::db::schema::member_addresses as ma;
use crate::db::DbConnection;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::regions::{self, RegionLevel};
use crate::validate;

/// Most addresses one member keeps.
pub const MAX_ADDRESSES: i64 = 20;

fn province(code: &str) -> Result<(), ValidationError> {
    match regions::lookup(code) {
        Some(r) if r.level == RegionLevel::Province => Ok(()),
        _ => Err(ErrorCode::UnknownRegion
            .arg("code", code.chars().take(12).collect::<String>())
            .into_validation_error()),
    }
}

fn city(code: &str) -> Result<(), ValidationError> {
    match regions::lookup(code) {
        Some(r) if r.level == RegionLevel::City => Ok(()),
        _ => Err(ErrorCode::UnknownRegion
            .arg("code", code.chars().take(12).collect::<String>())
            .into_validation_error()),
    }
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddressRequest {
    #[serde(deserialize_with = "validate::trimmed")]
    #[validate(length(min = 1, max = 50))]
    #[schema(example = "王丽")]
    pub recipient: String,
    #[serde(deserialize_with = "validate::phone_number")]
    #[validate(custom(function = "validate::phone"))]
    #[schema(example = "13800000000")]
    pub phone: String,
    /// GB/T 2260 province code.
    #[validate(custom(function = "province"))]
    #[schema(example = "330000")]
    pub province_code: String,
    /// GB/T 2260 city code, in the province.
    #[validate(custom(function = "city"))]
    #[schema(example = "330100")]
    pub city_code: String,
    /// District or county, as written.
    #[serde(default, deserialize_with = "validate::trimmed")]
    #[validate(length(max = 50))]
    #[schema(example = "西湖区")]
    pub district: String,
    /// Street, building and room.
    #[serde(deserialize_with = "validate::trimmed")]
    #[validate(length(min = 1, max = 200))]
    #[schema(example = "文三路 90 号 2 幢 301")]
    pub detail: String,
    /// Make it the default address (the first address always is).
    #[serde(default)]
    pub is_default: bool,
}

impl AddressRequest {
    /// The rule the field validators cannot see: the city lies in the province.
    fn check(&self) -> AppResult<()> {
        if regions::covers(&self.province_code, &self.city_code) {
            Ok(())
        } else {
            Err(AppError::field(
                "city_code",
                ErrorCode::CityNotInProvince
                    .arg("city", &self.city_code)
                    .arg("province", &self.province_code),
            ))
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Address {
    pub id: i64,
    pub recipient: String,
    pub phone: String,
    pub province_code: String,
    pub province_name: String,
    pub city_code: String,
    pub city_name: String,
    pub district: String,
    pub detail: String,
    pub is_default: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Address {
    /// One line, as a parcel label shows it: `浙江省杭州市西湖区文三路 90 号`.
    pub fn one_line(&self) -> String {
        format!(
            "{}{}{}{}",
            self.province_name, self.city_name, self.district, self.detail
        )
    }
}

fn view(row: AddressRow) -> Address {
    let name = |code: &str| regions::lookup(code).map_or("", |r| r.name).to_owned();
    Address {
        id: row.id,
        province_name: name(&row.province_code),
        city_name: name(&row.city_code),
        recipient: row.recipient,
        phone: row.phone,
        province_code: row.province_code,
        city_code: row.city_code,
        district: row.district,
        detail: row.detail,
        is_default: row.is_default,
        created_at: clock::to_utc(row.created_at),
        updated_at: clock::to_utc(row.updated_at),
    }
}

/// The member's addresses, the default first.
pub fn list(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: MemberId,
) -> AppResult<Vec<Address>> {
    let rows: Vec<AddressRow> = ma::table
        .filter(ma::merchant_id.eq(merchant_id))
        .filter(ma::member_id.eq(member_id))
        .order((ma::is_default.desc(), ma::id.asc()))
        .select(AddressRow::as_select())
        .load(conn)?;
    Ok(rows.into_iter().map(view).collect())
}

/// One of the member's addresses; another member's is not found.
pub fn get(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: MemberId,
    id: i64,
) -> AppResult<Address> {
    let row: AddressRow = ma::table
        .filter(ma::merchant_id.eq(merchant_id))
        .filter(ma::member_id.eq(member_id))
        .filter(ma::id.eq(id))
        .select(AddressRow::as_select())
        .first(conn)?;
    Ok(view(row))
}

fn clear_default(conn: &mut DbConnection, member_id: MemberId) -> AppResult<()> {
    diesel::update(
        ma::table
            .filter(ma::member_id.eq(member_id))
            .filter(ma::is_default),
    )
    .set(ma::is_default.eq(false))
    .execute(conn)?;
    Ok(())
}

/// Adds an address, inside the caller's write transaction. 422 `address_limit` beyond
/// [`MAX_ADDRESSES`].
pub fn create(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: MemberId,
    request: &AddressRequest,
    now: NaiveDateTime,
) -> AppResult<Address> {
    request.check()?;
    let held: i64 = ma::table
        .filter(ma::merchant_id.eq(merchant_id))
        .filter(ma::member_id.eq(member_id))
        .count()
        .get_result(conn)?;
    if held >= MAX_ADDRESSES {
        return Err(AppError::unprocessable(
            ErrorCode::AddressLimit.arg("max", MAX_ADDRESSES),
        ));
    }
    let is_default = request.is_default || held == 0;
    if is_default {
        clear_default(conn, member_id)?;
    }
    let id: i64 = diesel::insert_into(ma::table)
        .values(AddressInsertForm {
            merchant_id,
            member_id,
            recipient: &request.recipient,
            phone: &request.phone,
            province_code: &request.province_code,
            city_code: &request.city_code,
            district: &request.district,
            detail: &request.detail,
            is_default,
            created_at: now,
            updated_at: now,
        })
        .returning(ma::id)
        .get_result(conn)?;
    get(conn, merchant_id, member_id, id)
}

/// Replaces an address, inside the caller's write transaction. Unsetting the default leaves the
/// member without one until another is chosen.
pub fn update(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: MemberId,
    id: i64,
    request: &AddressRequest,
    now: NaiveDateTime,
) -> AppResult<Address> {
    request.check()?;
    get(conn, merchant_id, member_id, id)?;
    if request.is_default {
        clear_default(conn, member_id)?;
    }
    diesel::update(
        ma::table
            .filter(ma::merchant_id.eq(merchant_id))
            .filter(ma::member_id.eq(member_id))
            .filter(ma::id.eq(id)),
    )
    .set(AddressUpdateForm {
        recipient: &request.recipient,
        phone: &request.phone,
        province_code: &request.province_code,
        city_code: &request.city_code,
        district: &request.district,
        detail: &request.detail,
        is_default: request.is_default,
        updated_at: now,
    })
    .execute(conn)?;
    get(conn, merchant_id, member_id, id)
}

/// Removes an address; orders keep their own copy of it.
pub fn delete(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: MemberId,
    id: i64,
) -> AppResult<()> {
    let removed = diesel::delete(
        ma::table
            .filter(ma::merchant_id.eq(merchant_id))
            .filter(ma::member_id.eq(member_id))
            .filter(ma::id.eq(id)),
    )
    .execute(conn)?;
    if removed == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}
