//! HTTP routes of leaderboards and contests: staff's leaderboards and contest management, and
//! the contests distributors see.

use actix_web::{delete, get, post, put, web, HttpResponse};

use super::service::{self, CancelRequest, Contest, ContestPage, ContestQuery, ContestRequest};
use super::standings::{
    self, Leaderboard, LeaderboardQuery, MemberContest, MemberContestSummary, Standings,
    StandingsQuery,
};
use crate::app::AppState;
use crate::auth::permissions::need;
use crate::auth::principal::Allowed;
use crate::clock;
use crate::error::{AppResult, ProblemBody};
use crate::http::ApiJson;
use crate::shop::ShopMember;

/// A leaderboard of distributors
///
/// Distributors ranked by sales (completed orders they brought), new customers (bindings that
/// started in the period) or recruits (distributors they recruited who joined in the period),
/// over a day, a week (Monday–Sunday), a month or a custom range of days in the merchant's time
/// zone. Ties go to whoever reached the figure first, then to the lower distributor id.
#[utoipa::path(
    tag = "contests",
    security(("bearer" = [])),
    params(LeaderboardQuery),
    responses(
        (status = 200, description = "The top of the ranking", body = Leaderboard),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `distributors.read`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid query (`required`, `not_allowed`, `range_reversed`, `range_too_long`, `date_out_of_range`, `out_of_range`)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/leaderboards")]
pub async fn get_leaderboard(
    caller: Allowed<need::DistributorsRead>,
    state: web::Data<AppState>,
    query: web::Query<LeaderboardQuery>,
) -> AppResult<web::Json<Leaderboard>> {
    let merchant_id = caller.0.tenant()?;
    let query = query.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| standings::leaderboard(conn, merchant_id, &query, clock::now()))
            .await?,
    ))
}

/// List contests
///
/// The merchant's sales contests (销售竞赛), newest first, optionally only those with a status.
#[utoipa::path(
    tag = "contests",
    security(("bearer" = [])),
    params(ContestQuery),
    responses(
        (status = 200, description = "A page of contests", body = ContestPage),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `distributors.read`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid query", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/contests")]
pub async fn list_contests(
    caller: Allowed<need::DistributorsRead>,
    state: web::Data<AppState>,
    query: web::Query<ContestQuery>,
) -> AppResult<web::Json<ContestPage>> {
    let merchant_id = caller.0.tenant()?;
    let query = query.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| service::list(conn, merchant_id, &query, clock::now()))
            .await?,
    ))
}

/// Create a contest
///
/// A draft: name, metric, the first and last day (in the merchant's time zone) and prizes by
/// rank range. Distributors see it once published.
#[utoipa::path(
    tag = "contests",
    security(("bearer" = [])),
    request_body = ContestRequest,
    responses(
        (status = 201, description = "Created", body = Contest),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `distributors.manage`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (`range_reversed`, `range_too_long`, `prize_overlap`, money, …)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/contests")]
pub async fn create_contest(
    caller: Allowed<need::DistributorsManage>,
    state: web::Data<AppState>,
    body: ApiJson<ContestRequest>,
) -> AppResult<HttpResponse> {
    let p = caller.0;
    let request = body.into_inner();
    let created = state
        .db(move |conn| service::create(conn, &p, &request, clock::now()))
        .await?;
    Ok(HttpResponse::Created().json(created))
}

/// A contest
#[utoipa::path(
    tag = "contests",
    security(("bearer" = [])),
    params(("contest_id" = i64, Path)),
    responses(
        (status = 200, description = "The contest", body = Contest),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `distributors.read`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such contest", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/contests/{contest_id}")]
pub async fn get_contest(
    caller: Allowed<need::DistributorsRead>,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> AppResult<web::Json<Contest>> {
    let merchant_id = caller.0.tenant()?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| service::get(conn, merchant_id, id, clock::now()))
            .await?,
    ))
}

/// Change a contest
///
/// Only a draft or a scheduled contest (409 `invalid_transition` once it runs). Replaces the
/// prizes with those given.
#[utoipa::path(
    tag = "contests",
    security(("bearer" = [])),
    params(("contest_id" = i64, Path)),
    request_body = ContestRequest,
    responses(
        (status = 200, description = "The contest after the change", body = Contest),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `distributors.manage`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such contest", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_transition`, or `contest_changed` by someone else meanwhile", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (`period_over` for a published contest, …)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[put("/contests/{contest_id}")]
pub async fn update_contest(
    caller: Allowed<need::DistributorsManage>,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    body: ApiJson<ContestRequest>,
) -> AppResult<web::Json<Contest>> {
    let p = caller.0;
    let id = path.into_inner();
    let request = body.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| service::update(conn, &p, id, &request, clock::now()))
            .await?,
    ))
}

/// Delete a draft contest
///
/// Published contests are cancelled instead, and kept.
#[utoipa::path(
    tag = "contests",
    security(("bearer" = [])),
    params(("contest_id" = i64, Path)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `distributors.manage`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such contest", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_transition`: not a draft", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[delete("/contests/{contest_id}")]
pub async fn delete_contest(
    caller: Allowed<need::DistributorsManage>,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let p = caller.0;
    let id = path.into_inner();
    state
        .db(move |conn| service::delete(conn, &p, id, clock::now()))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Publish a contest
///
/// Distributors see it from now on; it runs over its period. A period already over gives a
/// contest that has ended and is ranked at once.
#[utoipa::path(
    tag = "contests",
    security(("bearer" = [])),
    params(("contest_id" = i64, Path)),
    responses(
        (status = 200, description = "The published contest", body = Contest),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `distributors.manage`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such contest", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_transition`: not a draft", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/contests/{contest_id}/publish")]
pub async fn publish_contest(
    caller: Allowed<need::DistributorsManage>,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> AppResult<web::Json<Contest>> {
    let p = caller.0;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| service::publish(conn, &p, id, clock::now()))
            .await?,
    ))
}

/// Cancel a contest
///
/// A scheduled or running contest, with a reason. An ended contest's result stands.
#[utoipa::path(
    tag = "contests",
    security(("bearer" = [])),
    params(("contest_id" = i64, Path)),
    request_body = CancelRequest,
    responses(
        (status = 200, description = "The cancelled contest", body = Contest),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `distributors.manage`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such contest", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_transition`: a draft, ended or cancelled contest", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/contests/{contest_id}/cancel")]
pub async fn cancel_contest(
    caller: Allowed<need::DistributorsManage>,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    body: ApiJson<CancelRequest>,
) -> AppResult<web::Json<Contest>> {
    let p = caller.0;
    let id = path.into_inner();
    let request = body.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| service::cancel(conn, &p, id, &request, clock::now()))
            .await?,
    ))
}

/// A contest's standings
///
/// Live while the contest runs (and for a draft's preview), the frozen final ranking once it
/// has ended (`ranking: final`), nothing for a cancelled one. Each place shows the prize its
/// rank wins.
#[utoipa::path(
    tag = "contests",
    security(("bearer" = [])),
    params(("contest_id" = i64, Path), StandingsQuery),
    responses(
        (status = 200, description = "The standings", body = Standings),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `distributors.read`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such contest", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid query", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/contests/{contest_id}/standings")]
pub async fn get_contest_standings(
    caller: Allowed<need::DistributorsRead>,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    query: web::Query<StandingsQuery>,
) -> AppResult<web::Json<Standings>> {
    let merchant_id = caller.0.tenant()?;
    let id = path.into_inner();
    let query = query.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| standings::standings(conn, merchant_id, id, &query, clock::now()))
            .await?,
    ))
}

/// Contests for the signed-in distributor
///
/// The merchant's published contests that were not cancelled, latest first.
#[utoipa::path(
    tag = "contests",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The shop's address")),
    responses(
        (status = 200, description = "Contests", body = [MemberContestSummary]),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Members only; `not_a_distributor`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "Not a member of this shop", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/shops/{slug}/me/contests")]
pub async fn list_member_contests(
    member: ShopMember,
    state: web::Data<AppState>,
) -> AppResult<web::Json<Vec<MemberContestSummary>>> {
    let (merchant_id, member_id) = (member.merchant_id, member.member_id());
    Ok(web::Json(
        state
            .db(move |conn| standings::member_contests(conn, merchant_id, member_id, clock::now()))
            .await?,
    ))
}

/// A contest's leaderboard for the signed-in distributor
///
/// The top places with masked names, and the caller's own place.
#[utoipa::path(
    tag = "contests",
    security(("bearer" = [])),
    params(
        ("slug" = String, Path, description = "The shop's address"),
        ("contest_id" = i64, Path),
        StandingsQuery
    ),
    responses(
        (status = 200, description = "The contest and its leaderboard", body = MemberContest),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Members only; `not_a_distributor`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such published contest, or not a member of this shop", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid query", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/shops/{slug}/me/contests/{contest_id}")]
pub async fn get_member_contest(
    member: ShopMember,
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    query: web::Query<StandingsQuery>,
) -> AppResult<web::Json<MemberContest>> {
    let (merchant_id, member_id) = (member.merchant_id, member.member_id());
    let (_, id) = path.into_inner();
    let query = query.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| {
                standings::member_contest(conn, merchant_id, member_id, id, &query, clock::now())
            })
            .await?,
    ))
}
