//! Batch operations on orders: shipping many orders from rows (typed, or a CSV/xlsx file of
//! order number, carrier and tracking number), cancelling many, and exporting the list. Each
//! answers per row or order what succeeded and why the rest failed. Shipping checks every row
//! first (a dry run stops there); then each row ships in its own transaction, or, all or
//! nothing, every row in one transaction that is rolled back whole when one fails.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::lifecycle::{self, OrderCancelRequest};
use super::queries::{self, OrderQuery};
use super::shipping::{self, tracking_number, Parcel};
use super::state::{Actor, OrderStatus};
use crate::audit::{self, AuditEntry};
use crate::auth::principal::Principal;
use crate::catalog::sheet::{self, Format, RawRow};
use crate::db::ids::{MerchantId, OrderId};
use crate::db::schema::{order_lines, orders};
use crate::db::{write_transaction, DbConnection};
use crate::error::Lang;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::logistics::carriers::{self, Carrier};
use crate::payments::gateway::Providers;

/// The most rows one batch takes.
pub const MAX_ROWS: usize = 5_000;

/// One order to ship: all its units not shipped yet, in one package.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShipmentRow {
    #[schema(example = "20261203090507000042")]
    pub order_no: String,
    /// The carrier's code (`SF`) or name (`顺丰速运`), one of the shop's enabled carriers.
    #[schema(example = "SF")]
    pub carrier: String,
    #[schema(example = "SF1234567890")]
    pub tracking_no: String,
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchShipmentRequest {
    #[validate(length(min = 1, max = 5000))]
    pub rows: Vec<ShipmentRow>,
    /// Check every row and ship nothing.
    #[serde(default)]
    pub dry_run: bool,
    /// Ship every row or, when one fails, none.
    #[serde(default)]
    pub all_or_nothing: bool,
}

/// What became of one row (or one order).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RowResult {
    /// The row's number: 1 for the first row typed, as the spreadsheet numbers it for a file
    /// (the header is row 1).
    pub row: u32,
    pub order_no: Option<String>,
    #[schema(value_type = Option<i64>)]
    pub order_id: Option<OrderId>,
    /// Shipped (cancelled); for a dry run, would be.
    pub ok: bool,
    /// Why not: the problem's code (`not_found`, `invalid_transition`, …), or the code of the
    /// field at fault.
    pub code: Option<ErrorCode>,
    /// The field at fault: `order_no`, `carrier`, `tracking_no`.
    pub field: Option<String>,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BatchReport {
    pub dry_run: bool,
    pub all_or_nothing: bool,
    pub succeeded: u64,
    pub failed: u64,
    /// Every row, in order.
    pub rows: Vec<RowResult>,
}

fn failure(row: u32, order_no: Option<String>, err: &AppError) -> RowResult {
    let (code, field, detail) = match err {
        AppError::Validation(fields) => match fields.first() {
            Some(f) => (
                f.message.code(),
                Some(f.field.clone()),
                f.message.render(Lang::default()),
            ),
            None => (ErrorCode::ValidationFailed, None, String::new()),
        },
        other => (
            other.code(),
            None,
            other.problem().detail.get(Lang::default()).to_owned(),
        ),
    };
    RowResult {
        row,
        order_no,
        order_id: None,
        ok: false,
        code: Some(code),
        field,
        detail: Some(detail),
    }
}

/// A row checked: the order and carrier it names.
struct Checked {
    row: u32,
    order_no: String,
    order_id: OrderId,
    carrier: Carrier,
    tracking_no: String,
}

fn find_carrier<'a>(carriers: &'a [Carrier], named: &str) -> Option<&'a Carrier> {
    let named = named.trim();
    carriers
        .iter()
        .filter(|c| c.enabled)
        .find(|c| c.code.eq_ignore_ascii_case(named) || c.name == named)
}

/// Checks a row without writing: the carrier, the tracking number, an order of the merchant
/// that is paid, with units left to ship, not named by an earlier row.
fn check(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    carriers: &[Carrier],
    seen: &mut BTreeMap<String, u32>,
    row: u32,
    input: &ShipmentRow,
) -> Result<Checked, AppError> {
    let order_no = input.order_no.trim().to_owned();
    if order_no.is_empty() {
        return Err(AppError::field("order_no", ErrorCode::Required));
    }
    if let Some(first) = seen.insert(order_no.clone(), row) {
        return Err(AppError::field(
            "order_no",
            ErrorCode::DuplicateRow.arg("first", first),
        ));
    }
    let carrier = find_carrier(carriers, &input.carrier)
        .cloned()
        .ok_or_else(|| AppError::field("carrier", ErrorCode::CarrierUnavailable))?;
    let tracking_no = input.tracking_no.trim().to_owned();
    if tracking_number(&tracking_no).is_err() {
        return Err(AppError::field("tracking_no", ErrorCode::TrackingNumber));
    }
    let (order_id, status): (OrderId, OrderStatus) = orders::table
        .filter(orders::merchant_id.eq(merchant_id))
        .filter(orders::order_no.eq(&order_no))
        .select((orders::id, orders::status))
        .first(conn)
        .optional()?
        .ok_or(AppError::NotFound)?;
    if status != OrderStatus::Paid {
        return Err(AppError::InvalidTransition {
            from: status.as_str().to_owned(),
            action: "ship".to_owned(),
        });
    }
    let left: i64 = order_lines::table
        .filter(order_lines::order_id.eq(order_id))
        .filter(
            (order_lines::shipped_quantity + order_lines::cancelled_quantity)
                .lt(order_lines::quantity),
        )
        .count()
        .get_result(conn)?;
    if left == 0 {
        return Err(AppError::conflict(ErrorCode::NothingToShip));
    }
    Ok(Checked {
        row,
        order_no,
        order_id,
        carrier,
        tracking_no,
    })
}

fn ship_one(
    conn: &mut DbConnection,
    caller: &Principal,
    merchant_id: MerchantId,
    c: &Checked,
    now: NaiveDateTime,
) -> AppResult<()> {
    let package_id = shipping::ship_within(
        conn,
        merchant_id,
        c.order_id,
        Parcel {
            carrier: &c.carrier,
            tracking_no: &c.tracking_no,
            lines: None,
        },
        Actor::of(caller),
        now,
    )?;
    audit::record(
        conn,
        &caller.audit_actor(),
        &caller.client,
        AuditEntry::new("order.package_shipped")
            .target("order", c.order_id)
            .changes(serde_json::json!({
                "package": { "before": null, "after": package_id },
                "carrier": { "before": null, "after": c.carrier.code },
                "tracking_no": { "before": null, "after": c.tracking_no },
                "batch": { "before": null, "after": true },
            })),
        now,
    )
}

/// Ships the rows (numbered as given) and reports every one.
pub fn ship_rows(
    conn: &mut DbConnection,
    caller: &Principal,
    rows: &[(u32, ShipmentRow)],
    dry_run: bool,
    all_or_nothing: bool,
    now: NaiveDateTime,
) -> AppResult<BatchReport> {
    let merchant_id = caller.tenant()?;
    if rows.len() > MAX_ROWS {
        return Err(AppError::field(
            "rows",
            ErrorCode::Length
                .form("between")
                .arg("min", 1)
                .arg("max", MAX_ROWS),
        ));
    }
    let carriers = carriers::list(conn, merchant_id, now)?;
    let mut seen = BTreeMap::new();
    let mut results: Vec<RowResult> = Vec::with_capacity(rows.len());
    let mut ready: Vec<Checked> = Vec::new();
    for (row, input) in rows {
        match check(conn, merchant_id, &carriers, &mut seen, *row, input) {
            Ok(c) => {
                results.push(RowResult {
                    row: *row,
                    order_no: Some(c.order_no.clone()),
                    order_id: Some(c.order_id),
                    ok: true,
                    code: None,
                    field: None,
                    detail: None,
                });
                ready.push(c);
            }
            Err(err) => results.push(failure(*row, Some(input.order_no.trim().to_owned()), &err)),
        }
    }
    let any_failed = results.iter().any(|r| !r.ok);
    if dry_run || (all_or_nothing && any_failed) {
        return Ok(report(results, dry_run, all_or_nothing, !dry_run));
    }
    if all_or_nothing {
        let shipped = write_transaction(conn, |conn| {
            for c in &ready {
                ship_one(conn, caller, merchant_id, c, now).map_err(|e| Aborted::Row(c.row, e))?;
            }
            Ok(())
        });
        match shipped {
            Ok(()) => {}
            Err(Aborted::Row(row, err)) => {
                if let Some(r) = results.iter_mut().find(|r| r.row == row) {
                    *r = failure(row, r.order_no.clone(), &err);
                }
                return Ok(report(results, false, true, true));
            }
            Err(Aborted::Database(err)) => return Err(err.into()),
        }
        return Ok(report(results, false, true, false));
    }
    for c in &ready {
        let shipped = write_transaction(conn, |conn| ship_one(conn, caller, merchant_id, c, now));
        if let Err(err) = shipped {
            if let Some(r) = results.iter_mut().find(|r| r.row == c.row) {
                *r = failure(c.row, r.order_no.clone(), &err);
            }
        }
    }
    Ok(report(results, false, false, false))
}

/// Why an all-or-nothing batch rolled back: a row, or the database itself.
enum Aborted {
    Row(u32, AppError),
    Database(diesel::result::Error),
}

impl From<diesel::result::Error> for Aborted {
    fn from(e: diesel::result::Error) -> Self {
        Aborted::Database(e)
    }
}

/// The report of the rows; `voided`: nothing was written (all or nothing with a failure), so the
/// rows that were fine did not ship either.
fn report(
    mut rows: Vec<RowResult>,
    dry_run: bool,
    all_or_nothing: bool,
    voided: bool,
) -> BatchReport {
    if voided {
        for r in rows.iter_mut().filter(|r| r.ok) {
            r.ok = false;
            r.code = Some(ErrorCode::BatchVoided);
            r.detail =
                Some(crate::error::Message::new(ErrorCode::BatchVoided).render(Lang::default()));
        }
    }
    let succeeded = rows.iter().filter(|r| r.ok).count() as u64;
    BatchReport {
        dry_run,
        all_or_nothing,
        succeeded,
        failed: rows.len() as u64 - succeeded,
        rows,
    }
}

/// The columns of a shipments file: a header row naming them (in Chinese, by key, or both),
/// then one row per order.
pub const FILE_COLUMNS: [(&str, &str); 3] = [
    ("order_no", "订单号"),
    ("carrier", "快递公司"),
    ("tracking_no", "快递单号"),
];

/// The rows of a shipments file (CSV or xlsx), numbered as the spreadsheet numbers them.
pub fn file_rows(format: Format, body: &[u8]) -> AppResult<Vec<(u32, ShipmentRow)>> {
    let parsed = sheet::read(format, body)?;
    let position = |key: &str, zh: &str| {
        parsed.header.iter().position(|h| {
            let h = h.trim();
            h == key || h == zh || h == format!("{zh} {key}")
        })
    };
    let mut columns = [0usize; 3];
    for (i, (key, zh)) in FILE_COLUMNS.iter().enumerate() {
        columns[i] = position(key, zh).ok_or_else(|| {
            AppError::field(
                "file",
                ErrorCode::MissingColumn.arg("column", format!("{zh} {key}")),
            )
        })?;
    }
    let cell = |row: &RawRow, i: usize| -> String {
        row.cells
            .get(columns[i])
            .and_then(|c| c.as_ref().ok())
            .cloned()
            .unwrap_or_default()
    };
    Ok(parsed
        .rows
        .iter()
        .filter(|r| (0..3).any(|i| !cell(r, i).trim().is_empty()))
        .map(|r| {
            (
                r.number,
                ShipmentRow {
                    order_no: cell(r, 0),
                    carrier: cell(r, 1),
                    tracking_no: cell(r, 2),
                },
            )
        })
        .collect())
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchCancelRequest {
    #[validate(length(min = 1, max = 500))]
    #[schema(value_type = Vec<i64>)]
    pub order_ids: Vec<OrderId>,
    #[serde(default, deserialize_with = "crate::validate::trimmed_option")]
    #[validate(length(min = 1, max = 200))]
    pub reason: Option<String>,
}

/// Cancels each order as staff would one by one (a paid one refunded whole), and reports each.
pub fn cancel_orders(
    conn: &mut DbConnection,
    providers: &Providers,
    caller: &Principal,
    request: &BatchCancelRequest,
    now: NaiveDateTime,
) -> AppResult<BatchReport> {
    let one = OrderCancelRequest {
        reason: request.reason.clone(),
    };
    let mut rows = Vec::with_capacity(request.order_ids.len());
    for (i, id) in request.order_ids.iter().enumerate() {
        let row = u32::try_from(i + 1).unwrap_or(u32::MAX);
        match lifecycle::cancel_by_staff(conn, providers, caller, *id, &one, now) {
            Ok(order) => rows.push(RowResult {
                row,
                order_no: Some(order.order.order_no),
                order_id: Some(*id),
                ok: true,
                code: None,
                field: None,
                detail: None,
            }),
            Err(err) => {
                let mut failed = failure(row, None, &err);
                failed.order_id = Some(*id);
                rows.push(failed);
            }
        }
    }
    Ok(report(rows, false, false, false))
}

/// The merchant's orders matching the filters, as a CSV or xlsx file (at most 10,000 rows,
/// newest first): one row per order line.
pub fn export(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    filters: &OrderQuery,
    format: Format,
) -> AppResult<Vec<u8>> {
    let header = [
        "订单号 order_no",
        "状态 status",
        "下单时间 placed_at",
        "收件人 recipient",
        "电话 phone",
        "地址 address",
        "商品 product",
        "SKU sku_code",
        "数量 quantity",
        "已发货 shipped",
        "实付 commission_base",
        "运费 freight",
        "订单合计 total",
        "已退款 refunded",
    ];
    let mut rows: Vec<Vec<String>> = Vec::new();
    let mut cursor = filters.cursor;
    'pages: loop {
        let mut page_query = filters.clone();
        page_query.cursor = cursor;
        page_query.limit = Some(100);
        let page = queries::list(conn, merchant_id, &page_query)?;
        for order in &page.items {
            let detail = queries::detail(conn, merchant_id, order.id)?;
            for line in &detail.lines {
                rows.push(vec![
                    order.order_no.clone(),
                    order.status.as_str().to_owned(),
                    order.placed_at.to_rfc3339(),
                    order.recipient.clone().unwrap_or_default(),
                    order.phone.clone().unwrap_or_default(),
                    order.address.clone().unwrap_or_default(),
                    line.product_name.clone(),
                    line.sku_code.clone(),
                    line.quantity.to_string(),
                    line.shipped_quantity.to_string(),
                    line.commission_base.to_string(),
                    order.freight.to_string(),
                    order.total.to_string(),
                    order.refunded.to_string(),
                ]);
            }
            if rows.len() >= 10_000 {
                break 'pages;
            }
        }
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    sheet::write_table(format, &header, &rows)
}
