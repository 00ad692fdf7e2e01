//! The rows of the order tables, and their insert forms. `orders` is the owner of every table
//! here; other modules read an order through [`super::queries`] and change it through
//! [`super::state`].

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::pricing::UnitPriceSource;
use super::state::OrderStatus;
use crate::catalog::products::SkuKind;
use crate::db::enums::db_enum;
use crate::db::ids::{DistributorId, MemberId, MerchantId, OrderId, ProductId, SkuId};
use crate::db::schema::{
    cart_items, member_addresses, order_idempotency_keys, order_lines, order_timeline, orders,
};

db_enum! {
    #[derive(Serialize, Deserialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum Delivery {
        /// Sent by express to the order's address.
        Express,
        /// Collected by the buyer at one of the merchant's pickup points, against the pickup
        /// code they get when it is paid.
        Pickup,
        /// Nothing to send: every line is virtual.
        None,
    }
}

db_enum! {
    /// `order_lines.unit_price_source`: which price the line's unit price is.
    pub enum StoredPriceSource {
        FlashSale,
        Retail,
        MemberTier,
        DistributorTier,
        DistributorTierDiscount,
    }
}

impl From<UnitPriceSource> for StoredPriceSource {
    fn from(source: UnitPriceSource) -> Self {
        match source {
            UnitPriceSource::FlashSale => StoredPriceSource::FlashSale,
            UnitPriceSource::Retail => StoredPriceSource::Retail,
            UnitPriceSource::MemberTier => StoredPriceSource::MemberTier,
            UnitPriceSource::DistributorTier => StoredPriceSource::DistributorTier,
            UnitPriceSource::DistributorTierDiscount => StoredPriceSource::DistributorTierDiscount,
        }
    }
}

impl From<StoredPriceSource> for UnitPriceSource {
    fn from(source: StoredPriceSource) -> Self {
        match source {
            StoredPriceSource::FlashSale => UnitPriceSource::FlashSale,
            StoredPriceSource::Retail => UnitPriceSource::Retail,
            StoredPriceSource::MemberTier => UnitPriceSource::MemberTier,
            StoredPriceSource::DistributorTier => UnitPriceSource::DistributorTier,
            StoredPriceSource::DistributorTierDiscount => UnitPriceSource::DistributorTierDiscount,
        }
    }
}

db_enum! {
    #[derive(Serialize, Deserialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum TimelineActor {
        Member,
        Staff,
        ApiKey,
        /// The application itself (expiry, a payment callback).
        System,
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = member_addresses)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct AddressRow {
    pub id: i64,
    pub recipient: String,
    pub phone: String,
    pub province_code: String,
    pub city_code: String,
    pub district: String,
    pub detail: String,
    pub is_default: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = member_addresses)]
pub(crate) struct AddressInsertForm<'a> {
    pub merchant_id: MerchantId,
    pub member_id: MemberId,
    pub recipient: &'a str,
    pub phone: &'a str,
    pub province_code: &'a str,
    pub city_code: &'a str,
    pub district: &'a str,
    pub detail: &'a str,
    pub is_default: bool,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, AsChangeset)]
#[diesel(table_name = member_addresses)]
pub(crate) struct AddressUpdateForm<'a> {
    pub recipient: &'a str,
    pub phone: &'a str,
    pub province_code: &'a str,
    pub city_code: &'a str,
    pub district: &'a str,
    pub detail: &'a str,
    pub is_default: bool,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = cart_items)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct CartItemRow {
    pub sku_id: SkuId,
    pub quantity: i64,
    pub added_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = cart_items)]
pub(crate) struct CartItemInsertForm {
    pub merchant_id: MerchantId,
    pub member_id: MemberId,
    pub sku_id: SkuId,
    pub quantity: i64,
    pub added_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = orders)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct OrderRow {
    pub id: OrderId,
    pub order_no: String,
    pub member_id: MemberId,
    pub status: OrderStatus,
    pub goods_amount_fen: i64,
    pub line_discount_fen: i64,
    pub coupon_fen: i64,
    pub points_fen: i64,
    pub paid_goods_fen: i64,
    pub freight_fen: i64,
    pub total_fen: i64,
    pub distributor_id: Option<DistributorId>,
    pub binding_id: Option<i64>,
    pub delivery: Delivery,
    pub recipient: Option<String>,
    pub phone: Option<String>,
    pub region_code: Option<String>,
    pub address: Option<String>,
    pub buyer_note: Option<String>,
    pub pay_by: NaiveDateTime,
    pub refund_due: bool,
    pub cancel_reason: Option<String>,
    pub placed_at: NaiveDateTime,
    pub paid_at: Option<NaiveDateTime>,
    pub shipped_at: Option<NaiveDateTime>,
    pub completed_at: Option<NaiveDateTime>,
    pub cancelled_at: Option<NaiveDateTime>,
    pub updated_at: NaiveDateTime,
    pub complete_by: Option<NaiveDateTime>,
    pub after_sale_until: Option<NaiveDateTime>,
    pub refunded_fen: i64,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = orders)]
#[diesel(treat_none_as_default_value = false)]
pub(crate) struct OrderInsertForm<'a> {
    pub merchant_id: MerchantId,
    pub order_no: &'a str,
    pub member_id: MemberId,
    pub status: OrderStatus,
    pub goods_amount_fen: i64,
    pub line_discount_fen: i64,
    pub coupon_fen: i64,
    pub points_fen: i64,
    pub paid_goods_fen: i64,
    pub freight_fen: i64,
    pub total_fen: i64,
    pub distributor_id: Option<DistributorId>,
    pub binding_id: Option<i64>,
    pub delivery: Delivery,
    pub recipient: Option<&'a str>,
    pub phone: Option<&'a str>,
    pub region_code: Option<&'a str>,
    pub address: Option<&'a str>,
    pub buyer_note: Option<&'a str>,
    pub pay_by: NaiveDateTime,
    pub placed_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = order_lines)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct OrderLineRow {
    pub order_id: OrderId,
    pub line_no: i32,
    pub product_id: ProductId,
    pub sku_id: SkuId,
    pub product_name: String,
    pub sku_code: String,
    pub spec_values: String,
    pub sku_kind: SkuKind,
    pub quantity: i64,
    pub presale_quantity: i64,
    pub unit_price_fen: i64,
    pub unit_price_source: StoredPriceSource,
    pub tier_id: Option<i64>,
    pub amount_fen: i64,
    pub line_discount_fen: i64,
    pub coupon_share_fen: i64,
    pub points_share_fen: i64,
    pub commission_base_fen: i64,
    pub shipped_quantity: i64,
    pub cancelled_quantity: i64,
    pub returned_quantity: i64,
    pub refunded_quantity: i64,
    pub refunded_fen: i64,
    pub claimed_quantity: i64,
    pub claimed_fen: i64,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = order_lines)]
#[diesel(treat_none_as_default_value = false)]
pub(crate) struct OrderLineInsertForm<'a> {
    pub merchant_id: MerchantId,
    pub order_id: OrderId,
    pub line_no: i32,
    pub product_id: ProductId,
    pub sku_id: SkuId,
    pub product_name: &'a str,
    pub sku_code: &'a str,
    pub spec_values: &'a str,
    pub sku_kind: SkuKind,
    pub quantity: i64,
    pub presale_quantity: i64,
    pub unit_price_fen: i64,
    pub unit_price_source: StoredPriceSource,
    pub tier_id: Option<i64>,
    pub amount_fen: i64,
    pub line_discount_fen: i64,
    pub coupon_share_fen: i64,
    pub points_share_fen: i64,
    pub commission_base_fen: i64,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = order_timeline)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct TimelineRow {
    pub from_status: Option<OrderStatus>,
    pub to_status: OrderStatus,
    pub actor_kind: TimelineActor,
    pub actor_id: Option<i64>,
    pub note: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = order_timeline)]
#[diesel(treat_none_as_default_value = false)]
pub(crate) struct TimelineInsertForm<'a> {
    pub merchant_id: MerchantId,
    pub order_id: OrderId,
    pub from_status: Option<OrderStatus>,
    pub to_status: OrderStatus,
    pub actor_kind: TimelineActor,
    pub actor_id: Option<i64>,
    pub note: Option<&'a str>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = order_idempotency_keys)]
pub(crate) struct IdempotencyKeyInsertForm<'a> {
    pub merchant_id: MerchantId,
    pub member_id: MemberId,
    pub idempotency_key: &'a str,
    pub request_hash: &'a str,
    pub order_id: OrderId,
    pub created_at: NaiveDateTime,
}
