//! Self-pickup (到店自提): the buyer chooses one of the merchant's enabled pickup points at
//! checkout and pays no freight; payment gives the order its pickup code, unique within the
//! merchant; staff hand the goods over against the code at the counter, which completes the
//! order (and so opens its after-sales window). The one owner of `order_pickups`.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::completion;
use super::notices;
use super::queries::{self, OrderDetail};
use super::state::{Actor, OrderStatus};
use crate::audit::{self, AuditEntry};
use crate::auth::principal::Principal;
use crate::clock;
use crate::db::ids::{MemberId, MerchantId, OrderId};
use crate::db::schema::{order_lines, order_pickups, orders};
use crate::db::{write_transaction, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::events::CompletionCause;
use crate::logistics::delivery::{self, PickupPoint};
use crate::notify::templates;
use crate::validate;

/// Digits of a pickup code.
pub const CODE_DIGITS: usize = 8;

/// Where a self-pickup order is collected, and when it was.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct OrderPickup {
    /// The point as it is now.
    pub point: PickupPoint,
    /// The code the buyer shows at the counter: in the buyer's own view, once paid. Staff take it
    /// from the buyer.
    #[schema(example = "40817263")]
    pub code: Option<String>,
    pub handed_over_at: Option<DateTime<Utc>>,
}

/// The order's pickup, if it is collected.
pub(crate) fn of_order(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    order_id: OrderId,
) -> AppResult<Option<OrderPickup>> {
    let found: Option<(i64, Option<NaiveDateTime>)> = order_pickups::table
        .filter(order_pickups::merchant_id.eq(merchant_id))
        .filter(order_pickups::order_id.eq(order_id))
        .select((
            order_pickups::pickup_point_id,
            order_pickups::handed_over_at,
        ))
        .first(conn)
        .optional()?;
    match found {
        Some((point_id, handed_over_at)) => Ok(Some(OrderPickup {
            point: delivery::find_point(conn, merchant_id, point_id)?,
            code: None,
            handed_over_at: handed_over_at.map(clock::to_utc),
        })),
        None => Ok(None),
    }
}

/// The order's pickup code, once paid.
pub(crate) fn code_of(conn: &mut DbConnection, order_id: OrderId) -> AppResult<Option<String>> {
    Ok(order_pickups::table
        .filter(order_pickups::order_id.eq(order_id))
        .select(order_pickups::code)
        .first::<Option<String>>(conn)
        .optional()?
        .flatten())
}

/// The pickup point a buyer may choose: self-pickup offered by the shop, the point one of its
/// enabled ones.
pub(crate) fn usable_point(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    point_id: Option<i64>,
) -> AppResult<PickupPoint> {
    let methods = delivery::methods(conn, merchant_id)?;
    if !methods.pickup_enabled {
        return Err(AppError::field(
            "delivery",
            ErrorCode::DeliveryUnavailable.arg("delivery", "pickup"),
        ));
    }
    let point_id = point_id
        .ok_or_else(|| AppError::field("pickup_point_id", ErrorCode::PickupPointRequired))?;
    methods
        .pickup_points
        .into_iter()
        .find(|p| p.id == point_id && p.enabled)
        .ok_or_else(|| AppError::field("pickup_point_id", ErrorCode::NotFound))
}

/// Records the point a new order is collected at (in the placement's transaction).
pub(crate) fn choose(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    order_id: OrderId,
    point_id: i64,
) -> AppResult<()> {
    diesel::insert_into(order_pickups::table)
        .values((
            order_pickups::order_id.eq(order_id),
            order_pickups::merchant_id.eq(merchant_id),
            order_pickups::pickup_point_id.eq(point_id),
        ))
        .execute(conn)?;
    Ok(())
}

fn new_code() -> String {
    let n = uuid::Uuid::new_v4().as_u128() % 10u128.pow(CODE_DIGITS as u32);
    format!("{n:0width$}", width = CODE_DIGITS)
}

/// Gives a paid pickup order its code (in the payment's transaction): random, and unused by the
/// merchant's other orders. Two payments drawing the same code at the same moment are kept apart
/// by the unique index (the loser's payment is retried by its provider).
pub(crate) fn issue_code(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    order_id: OrderId,
    now: NaiveDateTime,
) -> AppResult<()> {
    let code = free_code(conn, merchant_id)?;
    diesel::update(order_pickups::table.filter(order_pickups::order_id.eq(order_id)))
        .set(order_pickups::code.eq(&code))
        .execute(conn)
        .map_err(|e| match e {
            DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                AppError::conflict(ErrorCode::OrderChanged)
            }
            other => other.into(),
        })?;
    // The buyer is told the code and where to go, as they would be of a shipment.
    let (order_no, member_id): (String, MemberId) = orders::table
        .filter(orders::id.eq(order_id))
        .select((orders::order_no, orders::member_id))
        .first(conn)?;
    let point_id: i64 = order_pickups::table
        .filter(order_pickups::order_id.eq(order_id))
        .select(order_pickups::pickup_point_id)
        .first(conn)?;
    let point = delivery::find_point(conn, merchant_id, point_id)?;
    notices::tell_buyer(
        conn,
        merchant_id,
        member_id,
        order_id,
        &templates::pickup_ready(&order_no, &code, &point.name, &point.address),
        now,
    )
}

/// A code none of the merchant's orders has.
fn free_code(conn: &mut DbConnection, merchant_id: MerchantId) -> AppResult<String> {
    for _ in 0..8 {
        let code = new_code();
        let taken: i64 = order_pickups::table
            .filter(order_pickups::merchant_id.eq(merchant_id))
            .filter(order_pickups::code.eq(&code))
            .count()
            .get_result(conn)?;
        if taken == 0 {
            return Ok(code);
        }
    }
    Err(AppError::internal("no free pickup code after 8 draws"))
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PickupHandover {
    /// The code the buyer shows.
    #[serde(deserialize_with = "validate::trimmed")]
    #[validate(length(min = 1, max = 16))]
    #[schema(example = "40817263")]
    pub code: String,
}

/// Staff hand a paid pickup order over against the buyer's code: every unit not refunded counts
/// as handed over and the order completes. A code no paid order waits with is 422
/// `pickup_code_invalid`; a second handover of the same code finds nothing; an open after-sales
/// request on the order is 409 `after_sale_open_on_order`. Audited.
pub fn hand_over(
    conn: &mut DbConnection,
    caller: &Principal,
    request: &PickupHandover,
    now: NaiveDateTime,
) -> AppResult<OrderDetail> {
    let merchant_id = caller.tenant()?;
    let invalid = || AppError::field("code", ErrorCode::PickupCodeInvalid);
    let order_id: OrderId = order_pickups::table
        .filter(order_pickups::merchant_id.eq(merchant_id))
        .filter(order_pickups::code.eq(&request.code))
        .filter(order_pickups::handed_over_at.is_null())
        .select(order_pickups::order_id)
        .first(conn)
        .optional()?
        .ok_or_else(invalid)?;
    let status: OrderStatus = orders::table
        .filter(orders::id.eq(order_id))
        .select(orders::status)
        .first(conn)?;
    if status != OrderStatus::Paid {
        // Cancelled (refunded) since it was paid: nothing to hand over.
        return Err(invalid());
    }
    // Units an open after-sales request holds may yet be refunded unshipped: decide it first.
    if super::refunding::claims_open(conn, order_id)? {
        return Err(AppError::conflict(ErrorCode::AfterSaleOpenOnOrder));
    }
    write_transaction(conn, |conn| {
        let claimed = diesel::update(
            order_pickups::table
                .filter(order_pickups::order_id.eq(order_id))
                .filter(order_pickups::handed_over_at.is_null()),
        )
        .set((
            order_pickups::handed_over_at.eq(now),
            order_pickups::handed_over_by.eq(caller.id),
        ))
        .execute(conn)?;
        if claimed != 1 {
            return Err(AppError::conflict(ErrorCode::OrderChanged));
        }
        diesel::update(order_lines::table.filter(order_lines::order_id.eq(order_id)))
            .set(
                order_lines::shipped_quantity
                    .eq(order_lines::quantity - order_lines::cancelled_quantity),
            )
            .execute(conn)?;
        completion::complete_within(
            conn,
            merchant_id,
            order_id,
            CompletionCause::PickedUp,
            Actor::of(caller),
            now,
        )?;
        audit::record(
            conn,
            &caller.audit_actor(),
            &caller.client,
            AuditEntry::new("order.picked_up")
                .target("order", order_id)
                .changes(serde_json::json!({
                    "status": { "before": OrderStatus::Paid, "after": OrderStatus::Completed },
                })),
            now,
        )?;
        Ok(())
    })?;
    queries::detail(conn, merchant_id, order_id)
}
