//! Checkout: the quote (prices an order, writes nothing) and the placement. Both price on the
//! server from the catalog, the buyer's entitlements and the freight templates; prices a client
//! sends are never read. The placement prices again inside its write transaction, takes the
//! stock by conditional update, snapshots every line and the binding in force (who brought the
//! member), and answers an order number unique under any concurrency.
//!
//! An `Idempotency-Key` makes a placement safe to retry: the same key with the same body answers
//! the order the first request placed; with another body, 422 `idempotency_key_reused`. Keys are
//! the member's own and are kept 24 hours.

use std::collections::BTreeMap;

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;
use validator::Validate;

use super::addresses::{self, Address};
use super::cart::{self, SoldSku, MAX_QUANTITY};
use super::models::{Delivery, IdempotencyKeyInsertForm, OrderInsertForm, OrderLineInsertForm};
use super::pickup;
use super::pricing::{self, LineInput, OrderDiscounts, PricedOrder, Shipping};
use super::queries::{self, OrderDetail};
use super::settings;
use super::state::{self, Actor, OrderStatus};
use crate::binding;
use crate::catalog::lifecycle::ProductStatus;
use crate::catalog::pricing::{self as catalog_pricing, Buyer};
use crate::catalog::products::SkuKind;
use crate::db::ids::{MemberId, MerchantId, OrderId, SkuId};
use crate::db::schema::{order_idempotency_keys as oik, orders};
use crate::db::{write_transaction, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::events::{self, DomainEvent, OrderPlaced};
use crate::inventory;
use crate::logistics::delivery::{self, PickupPoint};
use crate::logistics::templates;
use crate::tenancy::merchant;
use crate::validate;

/// Most lines in one order.
pub const MAX_LINES: usize = 50;

/// How long a placement's `Idempotency-Key` is remembered.
pub const IDEMPOTENCY_HOURS: i64 = 24;

#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckoutItem {
    #[validate(range(min = 1))]
    #[schema(value_type = i64)]
    pub sku_id: SkuId,
    #[validate(range(min = 1, max = 9999))]
    pub quantity: i64,
}

#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckoutRequest {
    /// 1–50 lines; the same SKU twice counts as one line with both quantities.
    #[validate(length(min = 1, max = 50), nested)]
    pub items: Vec<CheckoutItem>,
    /// How goods to send reach the buyer: `express` (the default) to `address_id`, or `pickup`
    /// at `pickup_point_id`. Orders of virtual goods only need neither.
    #[serde(default)]
    pub delivery: Option<Delivery>,
    /// One of the member's addresses; needed when anything is sent by express.
    #[serde(default)]
    pub address_id: Option<i64>,
    /// One of the shop's enabled pickup points; needed for `pickup`.
    #[serde(default)]
    pub pickup_point_id: Option<i64>,
    #[serde(default, deserialize_with = "validate::trimmed_option")]
    #[validate(length(max = 200))]
    pub buyer_note: Option<String>,
}

/// What the order would cost, as it would be placed now.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Quote {
    pub delivery: Delivery,
    pub address: Option<Address>,
    /// Self-pickup: where the order is collected.
    pub pickup_point: Option<PickupPoint>,
    /// The lines in the request's order (repeated SKUs merged), with their products.
    pub items: Vec<QuotedItem>,
    #[serde(flatten)]
    pub priced: PricedOrder,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct QuotedItem {
    #[schema(value_type = i64)]
    pub sku_id: SkuId,
    pub product_name: String,
    pub sku_code: String,
    pub spec_values: BTreeMap<String, String>,
    pub kind: SkuKind,
}

/// The request's lines with their SKUs, repeated SKUs merged, every SKU sold by the shop.
fn resolve(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    request: &CheckoutRequest,
) -> AppResult<Vec<(CheckoutItem, SoldSku)>> {
    let mut merged: Vec<CheckoutItem> = Vec::new();
    let mut first_index: BTreeMap<SkuId, usize> = BTreeMap::new();
    for (i, item) in request.items.iter().enumerate() {
        match merged.iter_mut().find(|m| m.sku_id == item.sku_id) {
            Some(m) => m.quantity += item.quantity,
            None => {
                first_index.insert(item.sku_id, i);
                merged.push(item.clone());
            }
        }
    }
    if merged.is_empty() {
        return Err(AppError::field("items", ErrorCode::NothingToOrder));
    }
    let ids: Vec<SkuId> = merged.iter().map(|m| m.sku_id).collect();
    let mut found = cart::sold_skus(conn, merchant_id, &ids)?;
    let mut out = Vec::with_capacity(merged.len());
    for item in merged {
        let i = first_index.get(&item.sku_id).copied().unwrap_or(0);
        let sold = found
            .remove(&item.sku_id)
            .filter(|s| s.product_status == ProductStatus::Listed)
            .ok_or_else(|| AppError::field(format!("items.{i}.sku_id"), ErrorCode::SkuNotSold))?;
        if item.quantity > MAX_QUANTITY {
            return Err(AppError::field(
                format!("items.{i}.quantity"),
                ErrorCode::OutOfRange.arg("min", 1).arg("max", MAX_QUANTITY),
            ));
        }
        out.push((item, sold));
    }
    Ok(out)
}

fn out_of_stock(sold: &SoldSku) -> AppError {
    AppError::conflict(
        ErrorCode::OutOfStock
            .arg("sku", &sold.sku.code)
            .arg("available", sold.available().max(0)),
    )
}

/// Prices the request as the member would pay it now.
fn price_request(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: MemberId,
    request: &CheckoutRequest,
) -> AppResult<Quote> {
    let lines = resolve(conn, merchant_id, request)?;
    for (item, sold) in &lines {
        if sold.available() < item.quantity {
            return Err(out_of_stock(sold));
        }
    }
    let has_goods = lines.iter().any(|(_, s)| s.sku.kind == SkuKind::Physical);
    let delivery = match (has_goods, request.delivery.unwrap_or(Delivery::Express)) {
        (false, _) => Delivery::None,
        (true, Delivery::None) => {
            return Err(AppError::field(
                "delivery",
                ErrorCode::DeliveryUnavailable.arg("delivery", "none"),
            ))
        }
        (true, Delivery::Express) => {
            if !delivery::methods(conn, merchant_id)?.express_enabled {
                return Err(AppError::field(
                    "delivery",
                    ErrorCode::DeliveryUnavailable.arg("delivery", "express"),
                ));
            }
            Delivery::Express
        }
        (true, Delivery::Pickup) => Delivery::Pickup,
    };
    let pickup_point = match delivery {
        Delivery::Pickup => Some(pickup::usable_point(
            conn,
            merchant_id,
            request.pickup_point_id,
        )?),
        _ => None,
    };
    // Only express sends anything: freight and an address are for it alone.
    let ships = delivery == Delivery::Express;
    let address = match (request.address_id.filter(|_| ships), ships) {
        (Some(id), _) => Some(addresses::get(conn, merchant_id, member_id, id).map_err(
            |e| match e {
                AppError::NotFound => AppError::field("address_id", ErrorCode::NotFound),
                other => other,
            },
        )?),
        (None, true) => return Err(AppError::field("address_id", ErrorCode::AddressRequired)),
        (None, false) => None,
    };
    // The freight templates of the lines to send, each loaded once.
    let mut template_ids: Vec<i64> = Vec::new();
    for (_, sold) in &lines {
        if let (SkuKind::Physical, Some(t)) = (sold.sku.kind, sold.freight_template_id) {
            if !template_ids.contains(&t) {
                template_ids.push(t);
            }
        }
    }
    let mut rules = Vec::with_capacity(template_ids.len());
    for &id in &template_ids {
        rules.push(templates::get(conn, merchant_id, id)?.rules());
    }
    let buyer = Buyer::of_member(conn, merchant_id, member_id)?;
    let mut inputs = Vec::with_capacity(lines.len());
    for (item, sold) in &lines {
        inputs.push(LineInput {
            quantity: item.quantity,
            entitled: catalog_pricing::quote(conn, merchant_id, item.sku_id, buyer)?,
            flash_sale: None,
            line_discount: crate::money::Money::ZERO,
            unit_weight_g: u32::try_from(sold.sku.weight_grams).unwrap_or(0),
            freight_template: match sold.sku.kind {
                SkuKind::Physical => sold
                    .freight_template_id
                    .and_then(|t| template_ids.iter().position(|&x| x == t)),
                SkuKind::Virtual => None,
            },
        });
    }
    let shipping = match (&address, ships) {
        (Some(a), true) => Some(Shipping {
            templates: &rules,
            region_code: &a.city_code,
        }),
        _ => None,
    };
    let priced = pricing::price(&inputs, OrderDiscounts::default(), shipping)?;
    Ok(Quote {
        delivery,
        pickup_point,
        address: address.filter(|_| ships),
        items: lines
            .iter()
            .map(|(item, sold)| QuotedItem {
                sku_id: item.sku_id,
                product_name: sold.product_name.clone(),
                sku_code: sold.sku.code.clone(),
                spec_values: sold.spec_values(),
                kind: sold.sku.kind,
            })
            .collect(),
        priced,
    })
}

/// What the order would cost; writes nothing. Refused as the placement would be: a SKU the shop
/// does not sell (422 `sku_not_sold`), not enough units (409 `out_of_stock`), no address for
/// goods to send (422 `address_required`), a region the freight template does not deliver to
/// (422 `region_not_delivered`).
pub fn quote(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: MemberId,
    request: &CheckoutRequest,
) -> AppResult<Quote> {
    price_request(conn, merchant_id, member_id, request)
}

/// SHA-256 of the request as parsed (its canonical JSON), to tell a retry from another order.
fn request_hash(request: &CheckoutRequest) -> AppResult<String> {
    let json = serde_json::to_vec(request).map_err(AppError::internal)?;
    Ok(format!("{:x}", Sha256::digest(json)))
}

/// The order an earlier placement with this key made, or 422 when the key came with another
/// request. Keys older than [`IDEMPOTENCY_HOURS`] are forgotten.
fn remembered(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: MemberId,
    key: &str,
    hash: &str,
    now: NaiveDateTime,
) -> AppResult<Option<OrderId>> {
    let found: Option<(String, OrderId)> = oik::table
        .filter(oik::merchant_id.eq(merchant_id))
        .filter(oik::member_id.eq(member_id))
        .filter(oik::idempotency_key.eq(key))
        .filter(oik::created_at.gt(now - Duration::hours(IDEMPOTENCY_HOURS)))
        .select((oik::request_hash, oik::order_id))
        .first(conn)
        .optional()?;
    match found {
        Some((stored, order_id)) if stored == hash => Ok(Some(order_id)),
        Some(_) => Err(AppError::unprocessable(ErrorCode::IdempotencyKeyReused)),
        None => Ok(None),
    }
}

/// The readable number of an order: the placement's date and time in the merchant's zone, then
/// the row's id (at least six digits). Unique because the id is.
fn order_number(placed_at_local: chrono::NaiveDateTime, id: OrderId) -> String {
    format!("{}{:06}", placed_at_local.format("%Y%m%d%H%M%S"), id.get())
}

/// Places the order; see the module documentation. `idempotency_key`: the request's
/// `Idempotency-Key` header, already checked for shape.
pub fn place(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: MemberId,
    request: &CheckoutRequest,
    idempotency_key: Option<&str>,
    now: NaiveDateTime,
) -> AppResult<(OrderDetail, bool)> {
    let hash = request_hash(request)?;
    if let Some(key) = idempotency_key {
        if let Some(id) = remembered(conn, merchant_id, member_id, key, &hash, now)? {
            return Ok((queries::detail(conn, merchant_id, id)?, false));
        }
    }
    let placed = write_transaction(conn, |conn| {
        place_within(
            conn,
            merchant_id,
            member_id,
            request,
            idempotency_key,
            &hash,
            now,
        )
    });
    match placed {
        Ok(id) => Ok((queries::detail(conn, merchant_id, id)?, true)),
        // A concurrent request with the same key won the race (the key's primary key refused
        // this one, and its transaction rolled back): answer the winner's order.
        Err(AppError::Conflict(m)) if m.code() == ErrorCode::AlreadyExists => {
            let Some(key) = idempotency_key else {
                return Err(AppError::Conflict(m));
            };
            match remembered(conn, merchant_id, member_id, key, &hash, now)? {
                Some(id) => Ok((queries::detail(conn, merchant_id, id)?, false)),
                None => Err(AppError::Conflict(m)),
            }
        }
        Err(other) => Err(other),
    }
}

fn place_within(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: MemberId,
    request: &CheckoutRequest,
    idempotency_key: Option<&str>,
    hash: &str,
    now: NaiveDateTime,
) -> AppResult<OrderId> {
    let quote = price_request(conn, merchant_id, member_id, request)?;
    let lines = resolve(conn, merchant_id, request)?;
    let timeout = settings::load(conn, merchant_id)?.payment_timeout_minutes;
    let bound = binding::in_force(conn, merchant_id, member_id, now)?;
    let (tz, _) = merchant::zone(conn, merchant_id)?;
    let p = &quote.priced;
    let address_line = quote.address.as_ref().map(Address::one_line);
    // A placeholder number, unique, until the id is known.
    let provisional = format!("pending-{}", uuid::Uuid::new_v4().simple());
    let id: OrderId = diesel::insert_into(orders::table)
        .values(OrderInsertForm {
            merchant_id,
            order_no: &provisional,
            member_id,
            status: OrderStatus::PendingPayment,
            goods_amount_fen: p.goods_amount.fen(),
            line_discount_fen: p.line_discounts.fen(),
            coupon_fen: p.coupon.fen(),
            points_fen: p.points.fen(),
            paid_goods_fen: p.paid_goods.fen(),
            freight_fen: p.freight.fen(),
            total_fen: p.total.fen(),
            distributor_id: bound.as_ref().map(|b| b.distributor_id),
            binding_id: bound.as_ref().map(|b| b.id),
            delivery: quote.delivery,
            recipient: quote.address.as_ref().map(|a| a.recipient.as_str()),
            phone: quote.address.as_ref().map(|a| a.phone.as_str()),
            region_code: quote.address.as_ref().map(|a| a.city_code.as_str()),
            address: address_line.as_deref(),
            buyer_note: request.buyer_note.as_deref(),
            pay_by: now + Duration::minutes(i64::from(timeout)),
            placed_at: now,
            updated_at: now,
        })
        .returning(orders::id)
        .get_result(conn)?;
    let order_no = order_number(
        chrono::TimeZone::from_utc_datetime(&tz, &now).naive_local(),
        id,
    );
    diesel::update(orders::table.filter(orders::id.eq(id)))
        .set(orders::order_no.eq(&order_no))
        .execute(conn)?;
    if let Some(point) = &quote.pickup_point {
        pickup::choose(conn, merchant_id, id, point.id)?;
    }
    for (n, ((item, sold), priced)) in lines.iter().zip(&p.lines).enumerate() {
        let taken = inventory::take_for_order(
            conn,
            merchant_id,
            item.sku_id,
            item.quantity,
            &order_no,
            now,
        )
        .map_err(|e| match e {
            AppError::Conflict(_) => out_of_stock(sold),
            other => other,
        })?;
        let spec_values = serde_json::to_string(&sold.spec_values()).map_err(AppError::internal)?;
        diesel::insert_into(crate::db::schema::order_lines::table)
            .values(OrderLineInsertForm {
                merchant_id,
                order_id: id,
                line_no: i32::try_from(n + 1).map_err(AppError::internal)?,
                product_id: sold.sku.product_id,
                sku_id: item.sku_id,
                product_name: &sold.product_name,
                sku_code: &sold.sku.code,
                spec_values: &spec_values,
                sku_kind: sold.sku.kind,
                quantity: item.quantity,
                presale_quantity: taken.from_presale,
                unit_price_fen: priced.unit_price.fen(),
                unit_price_source: priced.unit_price_source.into(),
                tier_id: priced.tier_id,
                amount_fen: priced.amount.fen(),
                line_discount_fen: priced.line_discount.fen(),
                coupon_share_fen: priced.coupon_share.fen(),
                points_share_fen: priced.points_share.fen(),
                commission_base_fen: priced.commission_base.fen(),
            })
            .execute(conn)?;
    }
    state::record(
        conn,
        merchant_id,
        id,
        None,
        OrderStatus::PendingPayment,
        Actor {
            kind: super::models::TimelineActor::Member,
            id: Some(member_id.get()),
        },
        None,
        now,
    )?;
    let placed = OrderPlaced {
        order_id: id,
        order_no: order_no.clone(),
        member_id,
        distributor_id: bound.as_ref().map(|b| b.distributor_id),
        total_fen: p.total.fen(),
    };
    events::record(conn, merchant_id, &DomainEvent::OrderPlaced(placed), now)?;
    let ordered: Vec<SkuId> = lines.iter().map(|(item, _)| item.sku_id).collect();
    cart::clear_ordered(conn, merchant_id, member_id, &ordered)?;
    if let Some(key) = idempotency_key {
        // Forget this member's expired keys first, so an old key can be used again.
        diesel::delete(
            oik::table
                .filter(oik::member_id.eq(member_id))
                .filter(oik::created_at.le(now - Duration::hours(IDEMPOTENCY_HOURS))),
        )
        .execute(conn)?;
        diesel::insert_into(oik::table)
            .values(IdempotencyKeyInsertForm {
                merchant_id,
                member_id,
                idempotency_key: key,
                request_hash: hash,
                order_id: id,
                created_at: now,
            })
            .execute(conn)?;
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    #[test]
    fn order_numbers_read_as_the_local_time_then_the_id() {
        let at = NaiveDate::from_ymd_opt(2026, 12, 3)
            .unwrap()
            .and_hms_opt(9, 5, 7)
            .unwrap();
        assert_eq!(order_number(at, OrderId(42)), "20261203090507000042");
        assert_eq!(
            order_number(at, OrderId(12_345_678)),
            "2026120309050712345678"
        );
    }
}
