//! HTTP routes of the distribution settings and the distributor tiers.

use actix_web::{delete, get, post, put, web, HttpResponse};

use super::settings::{self, DistributionSettings, SettingsRequest};
use super::tiers::{self, DeleteTierQuery, ReorderRequest, Tier, TierRequest};
use crate::app::AppState;
use crate::auth::permissions::need;
use crate::auth::principal::Allowed;
use crate::clock;
use crate::error::{AppResult, ProblemBody};
use crate::http::ApiJson;

/// Distribution settings
///
/// Who becomes a distributor, commission depth, self-purchase commission, customer binding and
/// the default sponsor. A merchant that never saved them gets the defaults (applications
/// reviewed by hand, two levels, first-touch permanent binding).
#[utoipa::path(
    tag = "distribution",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The settings in force", body = DistributionSettings),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `distributors.read`", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/distribution/settings")]
pub async fn get_distribution_settings(
    caller: Allowed<need::DistributorsRead>,
    state: web::Data<AppState>,
) -> AppResult<web::Json<DistributionSettings>> {
    let merchant_id = caller.0.tenant()?;
    Ok(web::Json(
        state
            .db(move |conn| settings::load(conn, merchant_id))
            .await?,
    ))
}

/// Save the distribution settings
///
/// The whole document. Changing the commission depth to 3 needs
/// `acknowledge_depth3_compliance: true` from a staff member (422
/// `depth3_acknowledgement_required` otherwise; 403 `staff_acknowledgement_required` for an API
/// key): three levels count buyer → distributor → upline as three tiers, which Chinese law may
/// treat as a pyramid scheme. The acknowledgement is recorded (`depth3_acknowledged_at`/`_by`)
/// and audited as `distribution_settings.depth3_compliance_acknowledged`; going back to 1 or 2
/// keeps the record.
#[utoipa::path(
    tag = "distribution",
    security(("bearer" = [])),
    request_body = SettingsRequest,
    responses(
        (status = 200, description = "Saved", body = DistributionSettings),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `distributors.manage`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (`depth3_acknowledgement_required`, `unknown_distributor`, `protection_exceeds_validity`, …)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[put("/distribution/settings")]
pub async fn save_distribution_settings(
    caller: Allowed<need::DistributorsManage>,
    state: web::Data<AppState>,
    body: ApiJson<SettingsRequest>,
) -> AppResult<web::Json<DistributionSettings>> {
    let p = caller.0;
    let request = body.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| settings::update(conn, &p, &request, clock::now()))
            .await?,
    ))
}

/// List distributor tiers
///
/// Lowest rank first, each with the number of distributors holding it.
#[utoipa::path(
    tag = "distribution",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Tiers", body = [Tier]),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `distributors.read`", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/distribution/tiers")]
pub async fn list_tiers(
    caller: Allowed<need::DistributorsRead>,
    state: web::Data<AppState>,
) -> AppResult<web::Json<Vec<Tier>>> {
    let merchant_id = caller.0.tenant()?;
    Ok(web::Json(
        state.db(move |conn| tiers::list(conn, merchant_id)).await?,
    ))
}

/// Create a distributor tier
///
/// Level values are percentages ("12.5" = 12.5 %, at most four decimals, the three together at
/// most 100) with `commission_kind: percent`, or amounts in yuan per unit with `fixed`.
#[utoipa::path(
    tag = "distribution",
    security(("bearer" = [])),
    request_body = TierRequest,
    responses(
        (status = 201, description = "Created", body = Tier),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `distributors.manage`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`tier_name_taken`, `tier_rank_taken`, `tier_limit`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (`percent_precision`, `percent_range`, `money_precision`, `commission_total_over_100`, …)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/distribution/tiers")]
pub async fn create_tier(
    caller: Allowed<need::DistributorsManage>,
    state: web::Data<AppState>,
    body: ApiJson<TierRequest>,
) -> AppResult<HttpResponse> {
    let p = caller.0;
    let request = body.into_inner();
    let created = state
        .db(move |conn| tiers::create(conn, &p, &request, clock::now()))
        .await?;
    Ok(HttpResponse::Created().json(created))
}

/// Reorder the distributor tiers
///
/// Every tier id of the merchant, lowest first; they are renumbered 1, 2, 3, …
#[utoipa::path(
    tag = "distribution",
    security(("bearer" = [])),
    request_body = ReorderRequest,
    responses(
        (status = 200, description = "The tiers in their new order", body = [Tier]),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `distributors.manage`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "`tier_set_mismatch`: not every tier exactly once", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/distribution/tiers/reorder")]
pub async fn reorder_tiers(
    caller: Allowed<need::DistributorsManage>,
    state: web::Data<AppState>,
    body: ApiJson<ReorderRequest>,
) -> AppResult<web::Json<Vec<Tier>>> {
    let p = caller.0;
    let request = body.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| tiers::reorder(conn, &p, &request, clock::now()))
            .await?,
    ))
}

/// A distributor tier
#[utoipa::path(
    tag = "distribution",
    security(("bearer" = [])),
    params(("tier_id" = i64, Path)),
    responses(
        (status = 200, description = "The tier", body = Tier),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `distributors.read`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such tier", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/distribution/tiers/{tier_id}")]
pub async fn get_tier(
    caller: Allowed<need::DistributorsRead>,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> AppResult<web::Json<Tier>> {
    let merchant_id = caller.0.tenant()?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| tiers::get(conn, merchant_id, id))
            .await?,
    ))
}

/// Replace a distributor tier
///
/// Commission already recorded keeps the rates it was computed with. Without `rank` the rank
/// stays.
#[utoipa::path(
    tag = "distribution",
    security(("bearer" = [])),
    params(("tier_id" = i64, Path)),
    request_body = TierRequest,
    responses(
        (status = 200, description = "Updated", body = Tier),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `distributors.manage`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such tier", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`tier_name_taken`, `tier_rank_taken`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[put("/distribution/tiers/{tier_id}")]
pub async fn update_tier(
    caller: Allowed<need::DistributorsManage>,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    body: ApiJson<TierRequest>,
) -> AppResult<web::Json<Tier>> {
    let p = caller.0;
    let id = path.into_inner();
    let request = body.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| tiers::update(conn, &p, id, &request, clock::now()))
            .await?,
    ))
}

/// Delete a distributor tier
///
/// A tier that distributors hold is refused (409 `tier_in_use`) unless `move_to` names another
/// tier: they move there, each move logged as a manual tier change. The tier's purchase prices
/// on SKUs are removed with it.
#[utoipa::path(
    tag = "distribution",
    security(("bearer" = [])),
    params(("tier_id" = i64, Path), DeleteTierQuery),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `distributors.manage`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such tier", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`tier_in_use`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "`move_to`: `unknown_tier` or `same_tier`", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[delete("/distribution/tiers/{tier_id}")]
pub async fn delete_tier(
    caller: Allowed<need::DistributorsManage>,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    query: web::Query<DeleteTierQuery>,
) -> AppResult<HttpResponse> {
    let p = caller.0;
    let id = path.into_inner();
    let query = query.into_inner();
    state
        .db(move |conn| tiers::delete(conn, &p, id, &query, clock::now()))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
