//! The rows of after-sales requests, their items and timeline.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::enums::db_enum;
use crate::db::ids::{AfterSaleId, MemberId, MerchantId, OrderId};
use crate::db::schema::{after_sale_items, after_sale_timeline, after_sales};
use crate::orders::models::TimelineActor;

db_enum! {
    #[derive(Serialize, Deserialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum AfterSaleKind {
        /// Money back; the buyer keeps what was shipped (unshipped units will not ship).
        RefundOnly,
        /// The goods go back to the merchant first, then the money.
        ReturnAndRefund,
    }
}

db_enum! {
    #[derive(Serialize, Deserialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum AfterSaleStatus {
        /// Asked; staff decide.
        Requested,
        /// A return was approved: the buyer sends the goods back.
        AwaitingReturn,
        /// The buyer sent the goods back (with the tracking number); staff confirm receipt.
        Returning,
        /// The money is on its way back.
        Refunding,
        Refunded,
        /// Refused by staff (the request, or the returned goods), with the reason.
        Rejected,
        /// Taken back by the buyer.
        Withdrawn,
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = after_sales)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct AfterSaleRow {
    pub id: AfterSaleId,
    pub merchant_id: MerchantId,
    pub order_id: OrderId,
    pub member_id: MemberId,
    pub kind: AfterSaleKind,
    pub status: AfterSaleStatus,
    pub reason: String,
    pub note: Option<String>,
    pub amount_fen: i64,
    pub freight_fen: i64,
    pub reject_reason: Option<String>,
    pub return_carrier: Option<String>,
    pub return_tracking_no: Option<String>,
    pub created_at: NaiveDateTime,
    pub decided_at: Option<NaiveDateTime>,
    pub returned_at: Option<NaiveDateTime>,
    pub received_at: Option<NaiveDateTime>,
    pub refunded_at: Option<NaiveDateTime>,
    pub closed_at: Option<NaiveDateTime>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = after_sales)]
#[diesel(treat_none_as_default_value = false)]
pub(crate) struct AfterSaleInsertForm<'a> {
    pub merchant_id: MerchantId,
    pub order_id: OrderId,
    pub member_id: MemberId,
    pub kind: AfterSaleKind,
    pub status: AfterSaleStatus,
    pub reason: &'a str,
    pub note: Option<&'a str>,
    pub amount_fen: i64,
    pub freight_fen: i64,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
}

#[derive(Debug, Clone, Insertable, Queryable, Selectable)]
#[diesel(table_name = after_sale_items)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct AfterSaleItemRow {
    pub after_sale_id: AfterSaleId,
    pub order_id: OrderId,
    pub line_no: i32,
    pub quantity: i64,
    pub amount_fen: i64,
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = after_sale_timeline)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct AfterSaleTimelineRow {
    pub from_status: Option<AfterSaleStatus>,
    pub to_status: AfterSaleStatus,
    pub actor_kind: TimelineActor,
    pub actor_id: Option<i64>,
    pub note: Option<String>,
    pub created_at: NaiveDateTime,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = after_sale_timeline)]
#[diesel(treat_none_as_default_value = false)]
pub(crate) struct AfterSaleTimelineInsertForm<'a> {
    pub after_sale_id: AfterSaleId,
    pub from_status: Option<AfterSaleStatus>,
    pub to_status: AfterSaleStatus,
    pub actor_kind: TimelineActor,
    pub actor_id: Option<i64>,
    pub note: Option<&'a str>,
    pub created_at: NaiveDateTime,
}
