//! Reading orders: the staff's list with its filters, a member's own orders, and the detail with
//! lines and timeline.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::models::{Delivery, OrderLineRow, OrderRow, TimelineActor, TimelineRow};
use super::pickup::{self, OrderPickup};
use super::pricing::UnitPriceSource;
use super::shipping::{self, Package};
use super::state::OrderStatus;
use crate::catalog::products::SkuKind;
use crate::clock;
use crate::db::ids::{DistributorId, MemberId, MerchantId, OrderId, ProductId, SkuId};
use crate::db::schema::{order_lines, order_timeline, orders};
use crate::db::DbConnection;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::money::Money;
use crate::payments::attempts::{self, Payment};
use crate::payments::refunds::{self, Refund};
use crate::tenancy::merchant;

/// An order as lists show it, and the head of its detail.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Order {
    #[schema(value_type = i64)]
    pub id: OrderId,
    /// Readable and unique: the placement's date and time, then a sequence.
    #[schema(example = "20261203090507000042")]
    pub order_no: String,
    pub status: OrderStatus,
    #[schema(value_type = i64)]
    pub member_id: MemberId,
    /// Who brought the member: the distributor of the binding in force at placement.
    #[schema(value_type = Option<i64>)]
    pub distributor_id: Option<DistributorId>,
    /// The lines' amounts before any discount.
    pub goods_amount: Money,
    pub line_discounts: Money,
    pub coupon: Money,
    pub points: Money,
    /// What the buyer pays for the goods (the sum of the lines' commission bases).
    pub paid_goods: Money,
    pub freight: Money,
    pub total: Money,
    pub delivery: Delivery,
    pub recipient: Option<String>,
    pub phone: Option<String>,
    /// GB/T 2260 code of the destination's city.
    pub region_code: Option<String>,
    pub address: Option<String>,
    pub buyer_note: Option<String>,
    /// Unpaid by then, the order is cancelled.
    pub pay_by: DateTime<Utc>,
    /// Paid and then cancelled: the money is to be refunded.
    pub refund_due: bool,
    pub cancel_reason: Option<String>,
    pub placed_at: DateTime<Utc>,
    pub paid_at: Option<DateTime<Utc>>,
    pub shipped_at: Option<DateTime<Utc>>,
    pub completed_at: Option<DateTime<Utc>>,
    pub cancelled_at: Option<DateTime<Utc>>,
    /// Shipped: it completes by itself then, unless the buyer confirms receipt first.
    pub complete_by: Option<DateTime<Utc>>,
    /// Completed: after-sales requests are taken until then.
    pub after_sale_until: Option<DateTime<Utc>>,
    /// Everything refunded of the order so far, freight included.
    pub refunded: Money,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OrderLine {
    pub line_no: i32,
    #[schema(value_type = i64)]
    pub product_id: ProductId,
    #[schema(value_type = i64)]
    pub sku_id: SkuId,
    /// As sold; later changes to the product do not show here.
    pub product_name: String,
    pub sku_code: String,
    pub spec_values: BTreeMap<String, String>,
    pub kind: SkuKind,
    pub quantity: i64,
    /// Units sold from the presale allowance (shipped on its date).
    pub presale_quantity: i64,
    pub unit_price: Money,
    pub unit_price_source: UnitPriceSource,
    pub tier_id: Option<i64>,
    pub amount: Money,
    pub line_discount: Money,
    pub coupon_share: Money,
    pub points_share: Money,
    /// What the buyer paid for the line, freight excluded.
    pub commission_base: Money,
    /// Units sent so far (virtual goods: handed over at payment).
    pub shipped_quantity: i64,
    /// Units refunded before they left: they will not ship.
    pub cancelled_quantity: i64,
    /// Shipped units the merchant received back.
    pub returned_quantity: i64,
    /// Units whose money went back (returned, never shipped, or kept by the buyer).
    pub refunded_quantity: i64,
    /// Money of the line given back; never more than its commission base.
    pub refunded: Money,
    /// Units and money held by open after-sales requests.
    pub claimed_quantity: i64,
    pub claimed: Money,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TimelineEntry {
    /// Absent for the placement.
    pub from_status: Option<OrderStatus>,
    pub to_status: OrderStatus,
    pub actor_kind: TimelineActor,
    pub actor_id: Option<i64>,
    pub note: Option<String>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OrderDetail {
    #[serde(flatten)]
    pub order: Order,
    pub lines: Vec<OrderLine>,
    /// The attempts to pay it, oldest first.
    pub payments: Vec<Payment>,
    /// The packages it left in, first first.
    pub packages: Vec<Package>,
    /// The money that went (or is going) back, oldest first.
    pub refunds: Vec<Refund>,
    /// Self-pickup: where it is collected, and when it was.
    pub pickup: Option<OrderPickup>,
    /// Oldest first.
    pub timeline: Vec<TimelineEntry>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OrderPage {
    pub items: Vec<Order>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<i64>,
}

/// The staff's filters; all optional, combined with "and".
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OrderQuery {
    pub status: Option<OrderStatus>,
    /// Placed on or after this day (the merchant's time zone).
    pub placed_from: Option<NaiveDate>,
    /// Placed on or before this day (the merchant's time zone).
    pub placed_to: Option<NaiveDate>,
    #[param(value_type = Option<i64>)]
    pub member_id: Option<MemberId>,
    #[param(value_type = Option<i64>)]
    pub distributor_id: Option<DistributorId>,
    /// Orders with a line of this product.
    #[param(value_type = Option<i64>)]
    pub product_id: Option<ProductId>,
    /// The exact order number.
    pub order_no: Option<String>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<i64>,
    /// 1–100, default 20.
    pub limit: Option<i64>,
}

/// A member's filters on their own orders.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MyOrderQuery {
    pub status: Option<OrderStatus>,
    pub cursor: Option<i64>,
    /// 1–100, default 20.
    pub limit: Option<i64>,
}

fn money(fen: i64) -> Money {
    // Stored amounts are checked on write (CHECK >= 0, priced in range).
    Money::from_fen(fen).unwrap_or(Money::ZERO)
}

fn view(row: OrderRow) -> Order {
    Order {
        id: row.id,
        order_no: row.order_no,
        status: row.status,
        member_id: row.member_id,
        distributor_id: row.distributor_id,
        goods_amount: money(row.goods_amount_fen),
        line_discounts: money(row.line_discount_fen),
        coupon: money(row.coupon_fen),
        points: money(row.points_fen),
        paid_goods: money(row.paid_goods_fen),
        freight: money(row.freight_fen),
        total: money(row.total_fen),
        delivery: row.delivery,
        recipient: row.recipient,
        phone: row.phone,
        region_code: row.region_code,
        address: row.address,
        buyer_note: row.buyer_note,
        pay_by: clock::to_utc(row.pay_by),
        refund_due: row.refund_due,
        cancel_reason: row.cancel_reason,
        placed_at: clock::to_utc(row.placed_at),
        paid_at: row.paid_at.map(clock::to_utc),
        shipped_at: row.shipped_at.map(clock::to_utc),
        completed_at: row.completed_at.map(clock::to_utc),
        cancelled_at: row.cancelled_at.map(clock::to_utc),
        complete_by: row.complete_by.map(clock::to_utc),
        after_sale_until: row.after_sale_until.map(clock::to_utc),
        refunded: money(row.refunded_fen),
    }
}

fn line_view(row: OrderLineRow) -> OrderLine {
    OrderLine {
        line_no: row.line_no,
        product_id: row.product_id,
        sku_id: row.sku_id,
        product_name: row.product_name,
        sku_code: row.sku_code,
        spec_values: serde_json::from_str(&row.spec_values).unwrap_or_default(),
        kind: row.sku_kind,
        quantity: row.quantity,
        presale_quantity: row.presale_quantity,
        unit_price: money(row.unit_price_fen),
        unit_price_source: row.unit_price_source.into(),
        tier_id: row.tier_id,
        amount: money(row.amount_fen),
        line_discount: money(row.line_discount_fen),
        coupon_share: money(row.coupon_share_fen),
        points_share: money(row.points_share_fen),
        commission_base: money(row.commission_base_fen),
        shipped_quantity: row.shipped_quantity,
        cancelled_quantity: row.cancelled_quantity,
        returned_quantity: row.returned_quantity,
        refunded_quantity: row.refunded_quantity,
        refunded: money(row.refunded_fen),
        claimed_quantity: row.claimed_quantity,
        claimed: money(row.claimed_fen),
    }
}

/// The order's lines, in line order.
pub fn lines(conn: &mut DbConnection, order_id: OrderId) -> AppResult<Vec<OrderLineRow>> {
    Ok(order_lines::table
        .filter(order_lines::order_id.eq(order_id))
        .order(order_lines::line_no.asc())
        .select(OrderLineRow::as_select())
        .load(conn)?)
}

/// One order of the merchant with its lines and timeline; another merchant's is not found.
pub fn detail(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    id: OrderId,
) -> AppResult<OrderDetail> {
    let row: OrderRow = orders::table
        .filter(orders::merchant_id.eq(merchant_id))
        .filter(orders::id.eq(id))
        .select(OrderRow::as_select())
        .first(conn)?;
    let lines = lines(conn, id)?.into_iter().map(line_view).collect();
    let timeline: Vec<TimelineRow> = order_timeline::table
        .filter(order_timeline::order_id.eq(id))
        .order(order_timeline::id.asc())
        .select(TimelineRow::as_select())
        .load(conn)?;
    let payments = attempts::of_order(conn, merchant_id, id)?;
    let packages = shipping::of_order(conn, id)?;
    let refunds = refunds::of_order(conn, merchant_id, id)?;
    let pickup = pickup::of_order(conn, merchant_id, id)?;
    Ok(OrderDetail {
        order: view(row),
        lines,
        payments,
        packages,
        refunds,
        pickup,
        timeline: timeline
            .into_iter()
            .map(|t| TimelineEntry {
                from_status: t.from_status,
                to_status: t.to_status,
                actor_kind: t.actor_kind,
                actor_id: t.actor_id,
                note: t.note,
                at: clock::to_utc(t.created_at),
            })
            .collect(),
    })
}

/// One of the member's own orders; anyone else's is not found.
pub fn my_detail(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: MemberId,
    id: OrderId,
) -> AppResult<OrderDetail> {
    let mut found = detail(conn, merchant_id, id)?;
    if found.order.member_id != member_id {
        return Err(AppError::NotFound);
    }
    if let Some(p) = found.pickup.as_mut() {
        p.code = pickup::code_of(conn, id)?;
    }
    Ok(found)
}

fn page(rows: Vec<OrderRow>, limit: i64) -> OrderPage {
    let more = rows.len() as i64 > limit;
    let mut items: Vec<Order> = rows.into_iter().map(view).collect();
    items.truncate(usize::try_from(limit).unwrap_or(0));
    OrderPage {
        next_cursor: if more {
            items.last().map(|o| o.id.get())
        } else {
            None
        },
        items,
    }
}

/// The merchant's orders, newest first, filtered.
pub fn list(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    query: &OrderQuery,
) -> AppResult<OrderPage> {
    let limit = query.limit.unwrap_or(20).clamp(1, 100);
    let mut q = orders::table
        .filter(orders::merchant_id.eq(merchant_id))
        .select(OrderRow::as_select())
        .into_boxed();
    if let Some(status) = query.status {
        q = q.filter(orders::status.eq(status));
    }
    if let Some(member_id) = query.member_id {
        q = q.filter(orders::member_id.eq(member_id));
    }
    if let Some(distributor_id) = query.distributor_id {
        q = q.filter(orders::distributor_id.eq(distributor_id));
    }
    if let Some(order_no) = &query.order_no {
        q = q.filter(orders::order_no.eq(order_no.trim().to_owned()));
    }
    if let Some(product_id) = query.product_id {
        q = q.filter(
            orders::id.eq_any(
                order_lines::table
                    .filter(order_lines::merchant_id.eq(merchant_id))
                    .filter(order_lines::product_id.eq(product_id))
                    .select(order_lines::order_id),
            ),
        );
    }
    if query.placed_from.is_some() || query.placed_to.is_some() {
        if let (Some(from), Some(to)) = (query.placed_from, query.placed_to) {
            if from > to {
                return Err(AppError::field("placed_to", ErrorCode::DateOutOfRange));
            }
        }
        let (tz, _) = merchant::zone(conn, merchant_id)?;
        let start_of = |day: NaiveDate| {
            let local = day.and_hms_opt(0, 0, 0).unwrap_or_default();
            chrono::TimeZone::from_local_datetime(&tz, &local)
                .earliest()
                .map(|t| t.naive_utc())
                .unwrap_or(local)
        };
        if let Some(from) = query.placed_from {
            q = q.filter(orders::placed_at.ge(start_of(from)));
        }
        if let Some(to) = query.placed_to.and_then(|d| d.succ_opt()) {
            q = q.filter(orders::placed_at.lt(start_of(to)));
        }
    }
    if let Some(cursor) = query.cursor {
        q = q.filter(orders::id.lt(OrderId(cursor)));
    }
    let rows = q.order(orders::id.desc()).limit(limit + 1).load(conn)?;
    Ok(page(rows, limit))
}

/// The member's own orders in the shop, newest first.
pub fn mine(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: MemberId,
    query: &MyOrderQuery,
) -> AppResult<OrderPage> {
    let limit = query.limit.unwrap_or(20).clamp(1, 100);
    let mut q = orders::table
        .filter(orders::merchant_id.eq(merchant_id))
        .filter(orders::member_id.eq(member_id))
        .select(OrderRow::as_select())
        .into_boxed();
    if let Some(status) = query.status {
        q = q.filter(orders::status.eq(status));
    }
    if let Some(cursor) = query.cursor {
        q = q.filter(orders::id.lt(OrderId(cursor)));
    }
    let rows = q.order(orders::id.desc()).limit(limit + 1).load(conn)?;
    Ok(page(rows, limit))
}

/// A code of a virtual line, handed to the buyer once the order is paid.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DeliveredCode {
    #[schema(value_type = i64)]
    pub sku_id: SkuId,
    pub code: String,
}

/// The codes of the member's own order: none until it is paid; anyone else's order is 404.
pub fn my_codes(
    conn: &mut DbConnection,
    cipher: &crate::crypto::Cipher,
    merchant_id: MerchantId,
    member_id: MemberId,
    id: OrderId,
) -> AppResult<Vec<DeliveredCode>> {
    let (owner, order_no): (MemberId, String) = orders::table
        .filter(orders::merchant_id.eq(merchant_id))
        .filter(orders::id.eq(id))
        .select((orders::member_id, orders::order_no))
        .first(conn)?;
    if owner != member_id {
        return Err(AppError::NotFound);
    }
    Ok(
        crate::inventory::virtual_codes::of_order(conn, cipher, merchant_id, &order_no)?
            .into_iter()
            .map(|(sku_id, code)| DeliveredCode { sku_id, code })
            .collect(),
    )
}
