//! Shipping: an order leaves in one or more packages, each with its carrier, tracking number and
//! the units of each line it holds. A partly shipped order stays `paid`; the package that sends
//! its last unit moves it to `shipped` through the state table and sets the day it completes by
//! itself (`complete_by`). Units are counted on the line (`order_lines.shipped_quantity`) by a
//! conditional update, so two packages sent at once never ship more than was sold.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDateTime, Utc};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::{Validate, ValidationError};

use super::models::TimelineActor;
use super::queries::{self, OrderDetail};
use super::settings;
use super::state::{self, Actor, OrderAction, OrderStatus};
use crate::audit::{self, AuditEntry};
use crate::auth::principal::Principal;
use crate::catalog::products::SkuKind;
use crate::clock;
use crate::db::enums::db_enum;
use crate::db::ids::{MerchantId, OrderId, PackageId};
use crate::db::schema::{order_lines, order_package_lines, order_packages, orders};
use crate::db::{write_transaction, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::events::{self, DomainEvent, OrderShipped};
use crate::logistics::carriers::{self, Carrier};
use crate::tracking::timeline::TrackingEvent;

db_enum! {
    /// Where a package is, in our own terms; each tracking provider's states map to these.
    #[derive(Serialize, Deserialize, ToSchema, PartialOrd, Ord)]
    #[serde(rename_all = "snake_case")]
    pub enum TrackingState {
        /// Handed to the carrier's system, not scanned yet.
        AwaitingPickup,
        PickedUp,
        InTransit,
        OutForDelivery,
        /// Signed for.
        Delivered,
        /// The carrier reports a problem (address, damage, held).
        Problem,
        /// On its way back to the sender.
        Returning,
        /// Back with the sender.
        Returned,
        /// The recipient refused it.
        Refused,
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = order_packages)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct PackageRow {
    pub id: PackageId,
    pub order_id: OrderId,
    pub package_no: i32,
    pub carrier_id: i64,
    pub carrier_code: String,
    pub carrier_name: String,
    pub tracking_no: String,
    pub tracking_state: TrackingState,
    pub shipped_at: NaiveDateTime,
    pub delivered_at: Option<NaiveDateTime>,
    pub merchant_id: MerchantId,
    pub tracking_token: Option<String>,
    pub subscribed_at: Option<NaiveDateTime>,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = order_packages)]
struct PackageInsertForm<'a> {
    merchant_id: MerchantId,
    order_id: OrderId,
    package_no: i32,
    carrier_id: i64,
    carrier_code: &'a str,
    carrier_name: &'a str,
    tracking_no: &'a str,
    shipped_by_kind: TimelineActor,
    shipped_by_id: Option<i64>,
    shipped_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

#[derive(Debug, Insertable, Queryable, Selectable)]
#[diesel(table_name = order_package_lines)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct PackageLineForm {
    package_id: PackageId,
    order_id: OrderId,
    line_no: i32,
    quantity: i64,
}

/// Tracking numbers: 4–40 letters, digits and `-`.
pub fn tracking_number(value: &str) -> Result<(), ValidationError> {
    let ok = (4..=40).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if ok {
        Ok(())
    } else {
        Err(ValidationError::new("tracking_number")
            .with_message("4 to 40 letters, digits or dashes".into()))
    }
}

/// Units of one line in a package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PackageLine {
    #[validate(range(min = 1))]
    pub line_no: i32,
    #[validate(range(min = 1, max = 9999))]
    pub quantity: i64,
}

/// A package to send.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShipmentRequest {
    /// One of the merchant's enabled carriers.
    #[validate(range(min = 1))]
    pub carrier_id: i64,
    #[serde(deserialize_with = "crate::validate::trimmed")]
    #[validate(custom(function = "tracking_number"))]
    #[schema(example = "SF1234567890")]
    pub tracking_no: String,
    /// What the package holds; absent: every unit not shipped yet.
    #[validate(length(min = 1, max = 100), nested)]
    pub lines: Option<Vec<PackageLine>>,
}

/// A package of an order, as staff and the buyer see it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Package {
    #[schema(value_type = i64)]
    pub id: PackageId,
    /// 1, 2, … in the order they left.
    pub package_no: i32,
    pub carrier_id: i64,
    pub carrier_code: String,
    pub carrier_name: String,
    pub tracking_no: String,
    pub tracking_state: TrackingState,
    pub lines: Vec<PackageLine>,
    pub shipped_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
    /// What the tracker reported, newest first.
    pub events: Vec<TrackingEvent>,
}

/// The order's packages, in the order they left.
pub fn of_order(conn: &mut DbConnection, order_id: OrderId) -> AppResult<Vec<Package>> {
    let rows: Vec<PackageRow> = order_packages::table
        .filter(order_packages::order_id.eq(order_id))
        .order(order_packages::package_no.asc())
        .select(PackageRow::as_select())
        .load(conn)?;
    let contents: Vec<PackageLineForm> = order_package_lines::table
        .filter(order_package_lines::order_id.eq(order_id))
        .order((
            order_package_lines::package_id.asc(),
            order_package_lines::line_no.asc(),
        ))
        .select(PackageLineForm::as_select())
        .load(conn)?;
    let ids: Vec<PackageId> = rows.iter().map(|r| r.id).collect();
    let mut events = crate::tracking::timeline::events_of(conn, &ids)?;
    let mut by_package: BTreeMap<PackageId, Vec<PackageLine>> = BTreeMap::new();
    for c in contents {
        by_package
            .entry(c.package_id)
            .or_default()
            .push(PackageLine {
                line_no: c.line_no,
                quantity: c.quantity,
            });
    }
    Ok(rows
        .into_iter()
        .map(|row| Package {
            lines: by_package.remove(&row.id).unwrap_or_default(),
            events: events.remove(&row.id).unwrap_or_default(),
            id: row.id,
            package_no: row.package_no,
            carrier_id: row.carrier_id,
            carrier_code: row.carrier_code,
            carrier_name: row.carrier_name,
            tracking_no: row.tracking_no,
            tracking_state: row.tracking_state,
            shipped_at: clock::to_utc(row.shipped_at),
            delivered_at: row.delivered_at.map(clock::to_utc),
        })
        .collect())
}

fn package_taken(e: DieselError) -> AppError {
    match e {
        // Another package of the order was being numbered at the same moment.
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
            AppError::conflict(ErrorCode::OrderChanged)
        }
        other => other.into(),
    }
}

/// What the package holds: the lines asked for, checked against what is left to ship of each
/// physical line, or everything left when none are given.
fn contents(
    lines: &[super::models::OrderLineRow],
    asked: Option<&[PackageLine]>,
) -> AppResult<Vec<PackageLine>> {
    let left =
        |l: &super::models::OrderLineRow| l.quantity - l.shipped_quantity - l.cancelled_quantity;
    let Some(asked) = asked else {
        let all: Vec<PackageLine> = lines
            .iter()
            .filter(|l| l.sku_kind == SkuKind::Physical && left(l) > 0)
            .map(|l| PackageLine {
                line_no: l.line_no,
                quantity: left(l),
            })
            .collect();
        if all.is_empty() {
            return Err(AppError::conflict(ErrorCode::NothingToShip));
        }
        return Ok(all);
    };
    let mut seen: BTreeMap<i32, usize> = BTreeMap::new();
    for (i, want) in asked.iter().enumerate() {
        let Some(line) = lines.iter().find(|l| l.line_no == want.line_no) else {
            return Err(AppError::field(
                format!("lines[{i}].line_no"),
                ErrorCode::NotFound,
            ));
        };
        if let Some(first) = seen.insert(want.line_no, i) {
            return Err(AppError::field(
                format!("lines[{i}].line_no"),
                ErrorCode::DuplicateLine.arg("first", first),
            ));
        }
        if line.sku_kind != SkuKind::Physical {
            return Err(AppError::field(
                format!("lines[{i}].line_no"),
                ErrorCode::NothingToShip,
            ));
        }
        if want.quantity > left(line) {
            return Err(AppError::field(
                format!("lines[{i}].quantity"),
                ErrorCode::ShipMoreThanLeft.arg("left", left(line)),
            ));
        }
    }
    Ok(asked.to_vec())
}

/// A package about to leave: its carrier, tracking number and (if not everything left) contents.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Parcel<'a> {
    pub carrier: &'a Carrier,
    pub tracking_no: &'a str,
    pub lines: Option<&'a [PackageLine]>,
}

/// Sends a package of the order inside the caller's write transaction and answers its id. The
/// order must be `paid` (partly shipped or not); the package that sends the last unit moves it
/// to `shipped`.
pub(crate) fn ship_within(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    order_id: OrderId,
    parcel: Parcel<'_>,
    actor: Actor,
    now: NaiveDateTime,
) -> AppResult<PackageId> {
    let Parcel {
        carrier,
        tracking_no,
        lines: asked,
    } = parcel;
    let (status, order_no, member_id, distributor_id, delivery) = orders::table
        .filter(orders::merchant_id.eq(merchant_id))
        .filter(orders::id.eq(order_id))
        .select((
            orders::status,
            orders::order_no,
            orders::member_id,
            orders::distributor_id,
            orders::delivery,
        ))
        .first::<(
            OrderStatus,
            String,
            crate::db::ids::MemberId,
            Option<crate::db::ids::DistributorId>,
            super::models::Delivery,
        )>(conn)?;
    // A pickup order is handed over at the counter (`pickup::hand_over`), never shipped.
    if status != OrderStatus::Paid || delivery == super::models::Delivery::Pickup {
        return Err(AppError::InvalidTransition {
            from: status.as_str().to_owned(),
            action: OrderAction::Ship.as_str().to_owned(),
        });
    }
    let lines = queries::lines(conn, order_id)?;
    let packed = contents(&lines, asked)?;
    for item in &packed {
        let counted = diesel::update(
            order_lines::table
                .filter(order_lines::order_id.eq(order_id))
                .filter(order_lines::line_no.eq(item.line_no))
                .filter(
                    (order_lines::shipped_quantity
                        + order_lines::cancelled_quantity
                        + item.quantity)
                        .le(order_lines::quantity),
                ),
        )
        .set(order_lines::shipped_quantity.eq(order_lines::shipped_quantity + item.quantity))
        .execute(conn)?;
        if counted != 1 {
            // Shipped meanwhile by another request.
            return Err(AppError::conflict(ErrorCode::OrderChanged));
        }
    }
    let last_no: Option<i32> = order_packages::table
        .filter(order_packages::order_id.eq(order_id))
        .select(diesel::dsl::max(order_packages::package_no))
        .first(conn)?;
    let package_no = last_no.unwrap_or(0) + 1;
    let package_id: PackageId = diesel::insert_into(order_packages::table)
        .values(PackageInsertForm {
            merchant_id,
            order_id,
            package_no,
            carrier_id: carrier.id,
            carrier_code: &carrier.code,
            carrier_name: &carrier.name,
            tracking_no,
            shipped_by_kind: actor.kind,
            shipped_by_id: actor.id,
            shipped_at: now,
            updated_at: now,
        })
        .returning(order_packages::id)
        .get_result(conn)
        .map_err(package_taken)?;
    for item in &packed {
        diesel::insert_into(order_package_lines::table)
            .values(PackageLineForm {
                package_id,
                order_id,
                line_no: item.line_no,
                quantity: item.quantity,
            })
            .execute(conn)?;
    }
    let note = format!("{} {}", carrier.name, tracking_no);
    let fully_shipped = mark_shipped(conn, merchant_id, order_id, actor, Some(&note), now)?;
    super::notices::tell_buyer(
        conn,
        merchant_id,
        member_id,
        order_id,
        &crate::notify::templates::order_shipped(
            &order_no,
            &carrier.name,
            tracking_no,
            fully_shipped,
        ),
        now,
    )?;
    let shipped = OrderShipped {
        order_id,
        order_no,
        member_id,
        distributor_id,
        package_id,
        package_no,
        carrier_name: carrier.name.clone(),
        tracking_no: tracking_no.to_owned(),
        fully_shipped,
    };
    events::record(conn, merchant_id, &DomainEvent::OrderShipped(shipped), now)?;
    Ok(package_id)
}

/// Moves a paid order to `shipped` once every unit has left or will never leave (refunded before
/// it did), setting `complete_by`; answers whether it did.
pub(crate) fn mark_shipped(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    order_id: OrderId,
    actor: Actor,
    note: Option<&str>,
    now: NaiveDateTime,
) -> AppResult<bool> {
    let unshipped: i64 = order_lines::table
        .filter(order_lines::order_id.eq(order_id))
        .filter(
            (order_lines::shipped_quantity + order_lines::cancelled_quantity)
                .lt(order_lines::quantity),
        )
        .count()
        .get_result(conn)?;
    if unshipped > 0 {
        return Ok(false);
    }
    state::apply(
        conn,
        merchant_id,
        order_id,
        OrderAction::Ship,
        actor,
        note,
        now,
    )?;
    let days = settings::load(conn, merchant_id)?.auto_complete_days;
    diesel::update(orders::table.filter(orders::id.eq(order_id)))
        .set(orders::complete_by.eq(now + Duration::days(i64::from(days))))
        .execute(conn)?;
    Ok(true)
}

/// The order's packages as stored, in the order they left.
pub(crate) fn of_order_rows(
    conn: &mut DbConnection,
    order_id: OrderId,
) -> AppResult<Vec<PackageRow>> {
    Ok(order_packages::table
        .filter(order_packages::order_id.eq(order_id))
        .order(order_packages::package_no.asc())
        .select(PackageRow::as_select())
        .load(conn)?)
}

/// A package, for its tracker; another merchant's is not found.
pub(crate) fn package(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    id: PackageId,
) -> AppResult<PackageRow> {
    Ok(order_packages::table
        .filter(order_packages::merchant_id.eq(merchant_id))
        .filter(order_packages::id.eq(id))
        .select(PackageRow::as_select())
        .first(conn)?)
}

/// The package a tracker's push address names.
pub(crate) fn package_by_token(conn: &mut DbConnection, token: &str) -> AppResult<PackageRow> {
    Ok(order_packages::table
        .filter(order_packages::tracking_token.eq(token))
        .select(PackageRow::as_select())
        .first(conn)?)
}

/// The merchant's latest package with this carrier and tracking number.
pub(crate) fn package_by_tracking_no(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    carrier_code: &str,
    tracking_no: &str,
) -> AppResult<PackageRow> {
    Ok(order_packages::table
        .filter(order_packages::merchant_id.eq(merchant_id))
        .filter(order_packages::carrier_code.eq(carrier_code))
        .filter(order_packages::tracking_no.eq(tracking_no))
        .order(order_packages::id.desc())
        .select(PackageRow::as_select())
        .first(conn)?)
}

/// Gives the package the token its tracker's pushes will name, once; answers the token.
pub(crate) fn tracking_token(
    conn: &mut DbConnection,
    id: PackageId,
    fresh: &str,
) -> AppResult<String> {
    diesel::update(
        order_packages::table
            .filter(order_packages::id.eq(id))
            .filter(order_packages::tracking_token.is_null()),
    )
    .set(order_packages::tracking_token.eq(fresh))
    .execute(conn)?;
    let token: Option<String> = order_packages::table
        .find(id)
        .select(order_packages::tracking_token)
        .first(conn)?;
    token.ok_or_else(|| AppError::internal("a package without its tracking token"))
}

/// Notes that the tracker pushes the package's timeline from now on (or, `None`, no longer).
pub(crate) fn mark_subscribed(
    conn: &mut DbConnection,
    id: PackageId,
    at: Option<NaiveDateTime>,
) -> AppResult<()> {
    diesel::update(order_packages::table.filter(order_packages::id.eq(id)))
        .set(order_packages::subscribed_at.eq(at))
        .execute(conn)?;
    Ok(())
}

/// The package's tracking state now (the first delivery stamps `delivered_at`). When it is
/// delivered, every package of the shipped order is, and the merchant completes orders on
/// delivery, the order completes.
pub(crate) fn record_tracking_state(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    id: PackageId,
    state: TrackingState,
    at: NaiveDateTime,
    now: NaiveDateTime,
) -> AppResult<()> {
    let package = package(conn, merchant_id, id)?;
    let delivered_at = if state == TrackingState::Delivered {
        package.delivered_at.or(Some(at))
    } else {
        package.delivered_at
    };
    diesel::update(order_packages::table.filter(order_packages::id.eq(id)))
        .set((
            order_packages::tracking_state.eq(state),
            order_packages::delivered_at.eq(delivered_at),
            order_packages::updated_at.eq(now),
        ))
        .execute(conn)?;
    if package.delivered_at.is_none() && delivered_at.is_some() {
        let (order_no, member_id): (String, crate::db::ids::MemberId) = orders::table
            .filter(orders::id.eq(package.order_id))
            .select((orders::order_no, orders::member_id))
            .first(conn)?;
        super::notices::tell_buyer(
            conn,
            merchant_id,
            member_id,
            package.order_id,
            &crate::notify::templates::package_delivered(
                &order_no,
                &package.carrier_name,
                &package.tracking_no,
            ),
            now,
        )?;
    }
    if state != TrackingState::Delivered || !settings::load(conn, merchant_id)?.complete_on_delivery
    {
        return Ok(());
    }
    let status: OrderStatus = orders::table
        .filter(orders::id.eq(package.order_id))
        .select(orders::status)
        .first(conn)?;
    let undelivered: i64 = order_packages::table
        .filter(order_packages::order_id.eq(package.order_id))
        .filter(order_packages::tracking_state.ne(TrackingState::Delivered))
        .count()
        .get_result(conn)?;
    if status == OrderStatus::Shipped && undelivered == 0 {
        super::completion::complete_within(
            conn,
            merchant_id,
            package.order_id,
            crate::events::CompletionCause::Delivered,
            Actor::SYSTEM,
            now,
        )?;
    }
    Ok(())
}

/// The merchant's enabled carrier `id`, or 422 on the field `carrier_id`.
pub(crate) fn enabled_carrier(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    id: i64,
    now: NaiveDateTime,
) -> AppResult<Carrier> {
    carriers::list(conn, merchant_id, now)?
        .into_iter()
        .find(|c| c.id == id && c.enabled)
        .ok_or_else(|| AppError::field("carrier_id", ErrorCode::CarrierUnavailable))
}

/// Staff send a package of a paid order. Audited.
pub fn ship(
    conn: &mut DbConnection,
    caller: &Principal,
    order_id: OrderId,
    request: &ShipmentRequest,
    now: NaiveDateTime,
) -> AppResult<OrderDetail> {
    let merchant_id = caller.tenant()?;
    // The order first, so another merchant's is 404 whatever the body says.
    queries::detail(conn, merchant_id, order_id)?;
    let carrier = enabled_carrier(conn, merchant_id, request.carrier_id, now)?;
    write_transaction(conn, |conn| {
        let package_id = ship_within(
            conn,
            merchant_id,
            order_id,
            Parcel {
                carrier: &carrier,
                tracking_no: &request.tracking_no,
                lines: request.lines.as_deref(),
            },
            Actor::of(caller),
            now,
        )?;
        audit::record(
            conn,
            &caller.audit_actor(),
            &caller.client,
            AuditEntry::new("order.package_shipped")
                .target("order", order_id)
                .changes(serde_json::json!({
                    "package": { "before": null, "after": package_id },
                    "carrier": { "before": null, "after": carrier.code },
                    "tracking_no": { "before": null, "after": request.tracking_no },
                })),
            now,
        )?;
        queries::detail(conn, merchant_id, order_id)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tracking_numbers_are_letters_digits_and_dashes() {
        assert!(tracking_number("SF1234567890").is_ok());
        assert!(tracking_number("YT-0001").is_ok());
        assert!(tracking_number("abc").is_err());
        assert!(tracking_number("SF 123456").is_err());
        assert!(tracking_number(&"9".repeat(41)).is_err());
    }
}
