//! HTTP routes of the distributor tree: the staff console's list, detail, upline, team and
//! children, and the changes staff make (grant, move, freeze, unfreeze, end, tier); and the
//! member's own profile.

use actix_web::{delete, get, post, put, web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::manage::{
    self, CreateDistributorRequest, MoveRequest, ReasonRequest, SetTierRequest, UnfreezeRequest,
};
use super::queries::{
    self, DistributorDetail, DistributorPage, DistributorQuery, MyDistributor, TeamFigures,
    UplineEntry,
};
use super::status::StatusAction;
use super::tree::MAX_UPLINE_DEPTH;
use crate::app::AppState;
use crate::auth::permissions::need;
use crate::auth::principal::Allowed;
use crate::clock;
use crate::db::ids::DistributorId;
use crate::distribution::promotion::{self, TierChange};
use crate::error::{AppError, AppResult, ErrorCode, ProblemBody};
use crate::http::ApiJson;
use crate::shop::ShopMember;

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UplineQuery {
    /// How many levels up, 1–50; default 3.
    pub depth: Option<i32>,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ChildrenQuery {
    /// The `next_cursor` of the previous page.
    pub cursor: Option<i64>,
    /// 1–100, default 20.
    pub limit: Option<i64>,
}

/// List distributors
///
/// Filter by status, tier, sponsor (`parent_id`) or roots; search by code, a member's phone or
/// email (exact) or part of a name; sort by join date or by team size, team sales or personal
/// sales; cursor pages.
#[utoipa::path(
    tag = "distribution",
    security(("bearer" = [])),
    params(DistributorQuery),
    responses(
        (status = 200, description = "A page of distributors", body = DistributorPage),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `distributors.read`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Bad filter or `invalid_cursor`", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/distributors")]
pub async fn list_distributors(
    caller: Allowed<need::DistributorsRead>,
    state: web::Data<AppState>,
    query: web::Query<DistributorQuery>,
) -> AppResult<web::Json<DistributorPage>> {
    let merchant_id = caller.0.tenant()?;
    let query = query.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| queries::list(conn, merchant_id, &query))
            .await?,
    ))
}

/// Make a member a distributor
///
/// Under the given sponsor, or the merchant's default sponsor, or as a root. The member gets a
/// public code and the entry tier.
#[utoipa::path(
    tag = "distribution",
    security(("bearer" = [])),
    request_body = CreateDistributorRequest,
    responses(
        (status = 201, description = "Created", body = DistributorDetail),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `distributors.manage`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`already_distributor`, `sponsor_not_active`, `member_disabled`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (`unknown_member`, `unknown_distributor`, …)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/distributors")]
pub async fn create_distributor(
    caller: Allowed<need::DistributorsManage>,
    state: web::Data<AppState>,
    body: ApiJson<CreateDistributorRequest>,
) -> AppResult<HttpResponse> {
    let p = caller.0;
    let request = body.into_inner();
    let created = state
        .db(move |conn| manage::create(conn, &p, &request, clock::now()))
        .await?;
    Ok(HttpResponse::Created().json(created))
}

/// A distributor
///
/// With the member, figures, sponsor and upline to three levels.
#[utoipa::path(
    tag = "distribution",
    security(("bearer" = [])),
    params(("distributor_id" = i64, Path)),
    responses(
        (status = 200, description = "The distributor", body = DistributorDetail),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `distributors.read`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such distributor", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/distributors/{distributor_id}")]
pub async fn get_distributor(
    caller: Allowed<need::DistributorsRead>,
    state: web::Data<AppState>,
    path: web::Path<DistributorId>,
) -> AppResult<web::Json<DistributorDetail>> {
    let merchant_id = caller.0.tenant()?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| queries::detail(conn, merchant_id, id))
            .await?,
    ))
}

/// A distributor's upline
///
/// Ancestors from the sponsor (level 1) upwards.
#[utoipa::path(
    tag = "distribution",
    security(("bearer" = [])),
    params(("distributor_id" = i64, Path), UplineQuery),
    responses(
        (status = 200, description = "The upline, sponsor first", body = [UplineEntry]),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `distributors.read`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such distributor", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "`depth` out of range", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/distributors/{distributor_id}/upline")]
pub async fn get_upline(
    caller: Allowed<need::DistributorsRead>,
    state: web::Data<AppState>,
    path: web::Path<DistributorId>,
    query: web::Query<UplineQuery>,
) -> AppResult<web::Json<Vec<UplineEntry>>> {
    let merchant_id = caller.0.tenant()?;
    let id = path.into_inner();
    let depth = query.depth.unwrap_or(3);
    if !(1..=MAX_UPLINE_DEPTH).contains(&depth) {
        return Err(AppError::field(
            "depth",
            ErrorCode::Range
                .form("between")
                .arg("min", 1)
                .arg("max", MAX_UPLINE_DEPTH),
        ));
    }
    Ok(web::Json(
        state
            .db(move |conn| queries::upline(conn, merchant_id, id, depth))
            .await?,
    ))
}

/// A distributor's team figures
#[utoipa::path(
    tag = "distribution",
    security(("bearer" = [])),
    params(("distributor_id" = i64, Path)),
    responses(
        (status = 200, description = "Personal and team figures", body = TeamFigures),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `distributors.read`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such distributor", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/distributors/{distributor_id}/team")]
pub async fn get_team(
    caller: Allowed<need::DistributorsRead>,
    state: web::Data<AppState>,
    path: web::Path<DistributorId>,
) -> AppResult<web::Json<TeamFigures>> {
    let merchant_id = caller.0.tenant()?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| queries::team(conn, merchant_id, id))
            .await?,
    ))
}

/// A distributor's tier changes
///
/// Newest first: joining, promotions (with the conditions and the figures that met them),
/// demotions and manual changes (with the reason and who made them).
#[utoipa::path(
    tag = "distribution",
    security(("bearer" = [])),
    params(("distributor_id" = i64, Path)),
    responses(
        (status = 200, description = "The tier changes", body = [TierChange]),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `distributors.read`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such distributor", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/distributors/{distributor_id}/tier-changes")]
pub async fn list_tier_changes(
    caller: Allowed<need::DistributorsRead>,
    state: web::Data<AppState>,
    path: web::Path<DistributorId>,
) -> AppResult<web::Json<Vec<TierChange>>> {
    let merchant_id = caller.0.tenant()?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| promotion::history(conn, merchant_id, id))
            .await?,
    ))
}

/// A distributor's direct recruits
#[utoipa::path(
    tag = "distribution",
    security(("bearer" = [])),
    params(("distributor_id" = i64, Path), ChildrenQuery),
    responses(
        (status = 200, description = "A page of direct recruits, oldest first", body = DistributorPage),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `distributors.read`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such distributor", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/distributors/{distributor_id}/children")]
pub async fn list_children(
    caller: Allowed<need::DistributorsRead>,
    state: web::Data<AppState>,
    path: web::Path<DistributorId>,
    query: web::Query<ChildrenQuery>,
) -> AppResult<web::Json<DistributorPage>> {
    let merchant_id = caller.0.tenant()?;
    let id = path.into_inner();
    let query = query.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| queries::children(conn, merchant_id, id, query.cursor, query.limit))
            .await?,
    ))
}

/// Move a distributor in the tree
///
/// With its whole team, under another sponsor or to the top (`parent_id: null`).
#[utoipa::path(
    tag = "distribution",
    security(("bearer" = [])),
    params(("distributor_id" = i64, Path)),
    request_body = MoveRequest,
    responses(
        (status = 200, description = "Moved", body = DistributorDetail),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `distributors.manage`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such distributor", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`parent_ended`, `move_binds_own_team` (a member of the new upline would be bound to someone in their own team)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "`self_parent`, `tree_cycle`, `unknown_distributor`, invalid fields", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/distributors/{distributor_id}/move")]
pub async fn move_distributor(
    caller: Allowed<need::DistributorsManage>,
    state: web::Data<AppState>,
    path: web::Path<DistributorId>,
    body: ApiJson<MoveRequest>,
) -> AppResult<web::Json<DistributorDetail>> {
    let p = caller.0;
    let id = path.into_inner();
    let request = body.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| manage::move_to(conn, &p, id, &request, clock::now()))
            .await?,
    ))
}

/// Freeze a distributor
///
/// No new commission and no recruiting until unfrozen; pending commission stays.
#[utoipa::path(
    tag = "distribution",
    security(("bearer" = [])),
    params(("distributor_id" = i64, Path)),
    request_body = ReasonRequest,
    responses(
        (status = 200, description = "Frozen", body = DistributorDetail),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `distributors.manage`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such distributor", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_transition`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/distributors/{distributor_id}/freeze")]
pub async fn freeze_distributor(
    caller: Allowed<need::DistributorsManage>,
    state: web::Data<AppState>,
    path: web::Path<DistributorId>,
    body: ApiJson<ReasonRequest>,
) -> AppResult<web::Json<DistributorDetail>> {
    let p = caller.0;
    let id = path.into_inner();
    let reason = body.into_inner().reason;
    Ok(web::Json(
        state
            .db(move |conn| {
                manage::change_status(
                    conn,
                    &p,
                    id,
                    StatusAction::Freeze,
                    Some(&reason),
                    clock::now(),
                )
            })
            .await?,
    ))
}

/// Unfreeze a distributor
#[utoipa::path(
    tag = "distribution",
    security(("bearer" = [])),
    params(("distributor_id" = i64, Path)),
    request_body = UnfreezeRequest,
    responses(
        (status = 200, description = "Active again", body = DistributorDetail),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `distributors.manage`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such distributor", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_transition`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/distributors/{distributor_id}/unfreeze")]
pub async fn unfreeze_distributor(
    caller: Allowed<need::DistributorsManage>,
    state: web::Data<AppState>,
    path: web::Path<DistributorId>,
    body: ApiJson<UnfreezeRequest>,
) -> AppResult<web::Json<DistributorDetail>> {
    let p = caller.0;
    let id = path.into_inner();
    let reason = body.into_inner().reason;
    Ok(web::Json(
        state
            .db(move |conn| {
                manage::change_status(
                    conn,
                    &p,
                    id,
                    StatusAction::Unfreeze,
                    reason.as_deref(),
                    clock::now(),
                )
            })
            .await?,
    ))
}

/// End distribution for a distributor
///
/// Final. The team stays below the distributor; move it explicitly if it should go elsewhere.
#[utoipa::path(
    tag = "distribution",
    security(("bearer" = [])),
    params(("distributor_id" = i64, Path)),
    request_body = ReasonRequest,
    responses(
        (status = 200, description = "Ended", body = DistributorDetail),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `distributors.manage`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such distributor", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_transition`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/distributors/{distributor_id}/end")]
pub async fn end_distributor(
    caller: Allowed<need::DistributorsManage>,
    state: web::Data<AppState>,
    path: web::Path<DistributorId>,
    body: ApiJson<ReasonRequest>,
) -> AppResult<web::Json<DistributorDetail>> {
    let p = caller.0;
    let id = path.into_inner();
    let reason = body.into_inner().reason;
    Ok(web::Json(
        state
            .db(move |conn| {
                manage::change_status(conn, &p, id, StatusAction::End, Some(&reason), clock::now())
            })
            .await?,
    ))
}

/// Set a distributor's tier by hand
///
/// A lower tier is recorded as a demotion, any other change as manual, with the reason. A
/// demotion holds automatic promotion (see `promotion_held_since`); any other change ends the
/// hold.
#[utoipa::path(
    tag = "distribution",
    security(("bearer" = [])),
    params(("distributor_id" = i64, Path)),
    request_body = SetTierRequest,
    responses(
        (status = 200, description = "Updated", body = DistributorDetail),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `distributors.manage`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such distributor", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`tier_changed`: an automatic promotion changed the tier meanwhile", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (`unknown_tier`, …)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[put("/distributors/{distributor_id}/tier")]
pub async fn set_distributor_tier(
    caller: Allowed<need::DistributorsManage>,
    state: web::Data<AppState>,
    path: web::Path<DistributorId>,
    body: ApiJson<SetTierRequest>,
) -> AppResult<web::Json<DistributorDetail>> {
    let p = caller.0;
    let id = path.into_inner();
    let request = body.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| manage::set_tier(conn, &p, id, &request, clock::now()))
            .await?,
    ))
}

/// Release a distributor's promotion hold
///
/// A manual demotion holds automatic promotion, so that the next sale, recruit or periodic sweep
/// does not promote the distributor straight back. Releasing it lets promotion resume: the next
/// such event promotes them if they qualify. Without a hold nothing changes (200 all the same).
#[utoipa::path(
    tag = "distribution",
    security(("bearer" = [])),
    params(("distributor_id" = i64, Path)),
    responses(
        (status = 200, description = "Promotion is automatic again", body = DistributorDetail),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `distributors.manage`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such distributor", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[delete("/distributors/{distributor_id}/promotion-hold")]
pub async fn release_promotion_hold(
    caller: Allowed<need::DistributorsManage>,
    state: web::Data<AppState>,
    path: web::Path<DistributorId>,
) -> AppResult<web::Json<DistributorDetail>> {
    let p = caller.0;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| manage::release_promotion_hold(conn, &p, id, clock::now()))
            .await?,
    ))
}

/// The signed-in member's distributor profile
///
/// Code, status, tier, sponsor and team figures; 404 when the member is not a distributor.
/// Reading changes nothing: a member of a shop in `everyone` mode who has no profile yet
/// (registered before the switch) becomes a distributor with `POST` on this path.
#[utoipa::path(
    tag = "distribution",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The shop's address")),
    responses(
        (status = 200, description = "The member's distributor profile", body = MyDistributor),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Members only", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "Not a distributor of this shop", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/shops/{slug}/me/distributor")]
pub async fn my_distributor(
    state: web::Data<AppState>,
    member: ShopMember,
) -> AppResult<web::Json<MyDistributor>> {
    let (merchant_id, member_id) = (member.merchant_id, member.member_id());
    Ok(web::Json(
        state
            .db(move |conn| queries::my_distributor(conn, merchant_id, member_id))
            .await?,
    ))
}

/// Become a distributor (人人分销)
///
/// For a shop in `everyone` mode, where every member is a distributor: gives the signed-in
/// member a distributor profile if they have none yet (members who registered before the shop
/// switched to that mode; a pending application is approved) and answers it. Asking again
/// changes nothing. In another entry mode members apply instead
/// (`/shops/{slug}/me/distributor-application`): 409 `entry_mode_not_everyone`.
#[utoipa::path(
    tag = "distribution",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The shop's address")),
    responses(
        (status = 200, description = "The member's distributor profile", body = MyDistributor),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Members only", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "Not a member of this shop, or the member is disabled", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`entry_mode_not_everyone`: apply instead", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/shops/{slug}/me/distributor")]
pub async fn join_as_distributor(
    state: web::Data<AppState>,
    member: ShopMember,
) -> AppResult<web::Json<MyDistributor>> {
    let (merchant_id, member_id) = (member.merchant_id, member.member_id());
    let base = state.config.public_base_url();
    Ok(web::Json(
        state
            .db(move |conn| {
                crate::recruitment::everyone::on_join_request(
                    conn,
                    merchant_id,
                    member_id,
                    &base,
                    clock::now(),
                )?;
                match queries::my_distributor(conn, merchant_id, member_id) {
                    Err(AppError::NotFound)
                        if !crate::recruitment::everyone::everyone_mode(conn, merchant_id)? =>
                    {
                        Err(AppError::conflict(ErrorCode::EntryModeNotEveryone))
                    }
                    other => other,
                }
            })
            .await?,
    ))
}
