//! Listing or unlisting many products at once. Each product moves on its own, in its own
//! transaction through `products::apply` (the same state table, conditional update and audit
//! event as a single change), so one product's problem never holds back or undoes another's,
//! and the answer says what happened to each.

use std::collections::BTreeSet;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::lifecycle::{ProductAction, ProductStatus};
use super::products::{self, TransitionRequest};
use crate::auth::principal::Principal;
use crate::db::ids::{MerchantId, ProductId};
use crate::db::schema::products as products_table;
use crate::db::DbConnection;
use crate::error::{AppError, AppResult, ErrorCode, Lang, Message};

/// The most products one request may name.
pub const MAX_BATCH: usize = 100;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BatchAction {
    /// Put `unlisted` products back on sale (a product that never passed review cannot be).
    List,
    /// Take `listed` products off sale.
    Unlist,
}

impl BatchAction {
    fn transition(self) -> ProductAction {
        match self {
            BatchAction::List => ProductAction::Relist,
            BatchAction::Unlist => ProductAction::Unlist,
        }
    }

    fn target(self) -> ProductStatus {
        match self {
            BatchAction::List => ProductStatus::Listed,
            BatchAction::Unlist => ProductStatus::Unlisted,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchStatusRequest {
    /// 1–100 products of the merchant; an id given twice is handled once.
    #[validate(length(min = 1, max = 100))]
    pub product_ids: Vec<i64>,
    pub action: BatchAction,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum BatchOutcome {
    /// The product moved to the status asked for.
    Changed,
    /// It already had that status; nothing was written.
    Unchanged,
    /// It was left as it was, for the reason in `code`.
    Refused,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BatchStatusResult {
    #[schema(value_type = i64)]
    pub product_id: ProductId,
    pub outcome: BatchOutcome,
    /// The product's status afterwards; absent when there is no such product.
    pub status: Option<ProductStatus>,
    /// Why it was refused: `not_found` (also for another merchant's product),
    /// `invalid_transition` (e.g. a draft cannot be listed before review), or the code of
    /// another problem met on the way.
    pub code: Option<ErrorCode>,
    /// The reason, in the caller's language.
    pub message: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BatchStatusResponse {
    /// One entry per distinct product id, in the order first given.
    pub results: Vec<BatchStatusResult>,
    pub changed: usize,
    pub unchanged: usize,
    pub refused: usize,
}

fn current_status(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    id: ProductId,
) -> AppResult<Option<ProductStatus>> {
    Ok(products_table::table
        .filter(products_table::id.eq(id))
        .filter(products_table::merchant_id.eq(merchant_id))
        .select(products_table::status)
        .first(conn)
        .optional()?)
}

/// Why a product cannot take the action from its status.
fn not_allowed(action: BatchAction, from: ProductStatus) -> Message {
    let form = match (action, from) {
        (BatchAction::List, ProductStatus::Draft | ProductStatus::Rejected) => "not_reviewed",
        (BatchAction::List, _) => "in_review",
        (BatchAction::Unlist, _) => "not_listed",
    };
    ErrorCode::InvalidTransition.form(form)
}

fn no_such_product() -> Message {
    ErrorCode::NotFound.form("product")
}

fn refused(
    id: ProductId,
    status: Option<ProductStatus>,
    message: &Message,
    lang: Lang,
) -> BatchStatusResult {
    BatchStatusResult {
        product_id: id,
        outcome: BatchOutcome::Refused,
        status,
        code: Some(message.code()),
        message: Some(message.render(lang)),
    }
}

fn one(
    conn: &mut DbConnection,
    caller: &Principal,
    merchant_id: MerchantId,
    id: ProductId,
    action: BatchAction,
    lang: Lang,
    now: NaiveDateTime,
) -> AppResult<BatchStatusResult> {
    let Some(status) = current_status(conn, merchant_id, id)? else {
        return Ok(refused(id, None, &no_such_product(), lang));
    };
    if status == action.target() {
        return Ok(BatchStatusResult {
            product_id: id,
            outcome: BatchOutcome::Unchanged,
            status: Some(status),
            code: None,
            message: None,
        });
    }
    let request = TransitionRequest {
        action: action.transition(),
        reason: None,
    };
    match products::apply(
        conn,
        &caller.audit_actor(),
        &caller.client,
        merchant_id,
        id,
        &request,
        now,
    ) {
        Ok(product) => Ok(BatchStatusResult {
            product_id: id,
            outcome: BatchOutcome::Changed,
            status: Some(product.status),
            code: None,
            message: None,
        }),
        // The status may have changed since it was read (a review or another request).
        Err(AppError::InvalidTransition { .. }) => {
            let now_status = current_status(conn, merchant_id, id)?;
            Ok(match now_status {
                Some(s) if s == action.target() => BatchStatusResult {
                    product_id: id,
                    outcome: BatchOutcome::Unchanged,
                    status: Some(s),
                    code: None,
                    message: None,
                },
                Some(s) => refused(id, Some(s), &not_allowed(action, s), lang),
                None => refused(id, None, &no_such_product(), lang),
            })
        }
        Err(AppError::NotFound) => Ok(refused(id, None, &no_such_product(), lang)),
        Err(other) => Err(other),
    }
}

/// Applies the action to each product named, each on its own; answers what happened to each.
pub fn change_status(
    conn: &mut DbConnection,
    caller: &Principal,
    request: &BatchStatusRequest,
    lang: Lang,
    now: NaiveDateTime,
) -> AppResult<BatchStatusResponse> {
    let merchant_id = caller.tenant()?;
    let mut seen = BTreeSet::new();
    let mut results = Vec::with_capacity(request.product_ids.len().min(MAX_BATCH));
    for id in request.product_ids.iter().copied() {
        if !seen.insert(id) {
            continue;
        }
        let result = match one(
            conn,
            caller,
            merchant_id,
            ProductId(id),
            request.action,
            lang,
            now,
        ) {
            Ok(result) => result,
            // Any other failure (a busy database, …) is this product's alone: the ones before
            // it are committed and the ones after it are still tried.
            Err(err) => {
                if let AppError::Internal(cause) = &err {
                    tracing::error!(%cause, product_id = id, "batch status change failed");
                }
                let problem = err.problem();
                let status = current_status(conn, merchant_id, ProductId(id))
                    .ok()
                    .flatten();
                BatchStatusResult {
                    product_id: ProductId(id),
                    outcome: BatchOutcome::Refused,
                    status,
                    code: Some(problem.code),
                    message: Some(problem.detail.get(lang).to_owned()),
                }
            }
        };
        results.push(result);
    }
    let count = |o: BatchOutcome| results.iter().filter(|r| r.outcome == o).count();
    Ok(BatchStatusResponse {
        changed: count(BatchOutcome::Changed),
        unchanged: count(BatchOutcome::Unchanged),
        refused: count(BatchOutcome::Refused),
        results,
    })
}
