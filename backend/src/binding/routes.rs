//! HTTP routes of customer binding: the member's visits through share links, and staff's view
//! and re-assignment.

use actix_web::{get, post, web};

use super::service::{
    self, AssignRequest, AssignResult, BindingPage, CustomerPage, PageQuery, VisitRequest,
    VisitResult,
};
use crate::app::AppState;
use crate::auth::permissions::need;
use crate::auth::principal::Allowed;
use crate::clock;
use crate::db::ids::{DistributorId, MemberId};
use crate::error::{AppResult, ProblemBody};
use crate::http::ApiJson;
use crate::shop::ShopMember;

/// Record a visit through a share link
///
/// The signed-in member arrived through a distributor's link. Binds or re-binds the member as
/// the merchant's binding mode, validity and protection days say, and answers the binding in
/// force and whether it changed. A frozen or ended distributor's link, the member's own link and
/// the link of a distributor in the member's own team (when the member is a distributor) bind
/// nobody (`outcome` says why).
#[utoipa::path(
    tag = "binding",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The shop's address")),
    request_body = VisitRequest,
    responses(
        (status = 200, description = "The binding in force after the visit", body = VisitResult),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Members only", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "Not a member of this shop", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, or `unknown_distributor_code`", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/shops/{slug}/me/visits")]
pub async fn record_visit(
    member: ShopMember,
    state: web::Data<AppState>,
    body: ApiJson<VisitRequest>,
) -> AppResult<web::Json<VisitResult>> {
    let (merchant_id, member_id) = (member.merchant_id, member.member_id());
    let request = body.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| {
                service::record_visit(conn, merchant_id, member_id, &request, clock::now())
            })
            .await?,
    ))
}

/// A member's bindings
///
/// Every binding of the member, newest first, with how it came, its validity and why it ended.
#[utoipa::path(
    tag = "binding",
    security(("bearer" = [])),
    params(("member_id" = i64, Path), PageQuery),
    responses(
        (status = 200, description = "A page of bindings", body = BindingPage),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `distributors.read`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such member", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid query", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/members/{member_id}/bindings")]
pub async fn list_member_bindings(
    caller: Allowed<need::DistributorsRead>,
    state: web::Data<AppState>,
    path: web::Path<MemberId>,
    query: web::Query<PageQuery>,
) -> AppResult<web::Json<BindingPage>> {
    let merchant_id = caller.0.tenant()?;
    let member_id = path.into_inner();
    let query = query.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| service::history(conn, merchant_id, member_id, &query, clock::now()))
            .await?,
    ))
}

/// Re-assign a member's binding
///
/// Binds the member to another distributor whatever the binding mode and protection days, or
/// releases the member (`distributor_id: null`), with a reason. Audited.
#[utoipa::path(
    tag = "binding",
    security(("bearer" = [])),
    params(("member_id" = i64, Path)),
    request_body = AssignRequest,
    responses(
        (status = 200, description = "The binding in force after the change", body = AssignResult),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `distributors.manage`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such member", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`distributor_not_active`: the distributor is frozen or ended", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (`unknown_distributor`), `self_binding`, or `binding_own_team` (the distributor is in the member's own team)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/members/{member_id}/binding")]
pub async fn reassign_binding(
    caller: Allowed<need::DistributorsManage>,
    state: web::Data<AppState>,
    path: web::Path<MemberId>,
    body: ApiJson<AssignRequest>,
) -> AppResult<web::Json<AssignResult>> {
    let p = caller.0;
    let member_id = path.into_inner();
    let request = body.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| service::reassign(conn, &p, member_id, &request, clock::now()))
            .await?,
    ))
}

/// A distributor's customers
///
/// The members bound to the distributor now, most recently bound first.
#[utoipa::path(
    tag = "binding",
    security(("bearer" = [])),
    params(("distributor_id" = i64, Path), PageQuery),
    responses(
        (status = 200, description = "A page of customers", body = CustomerPage),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `distributors.read`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such distributor", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid query", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/distributors/{distributor_id}/customers")]
pub async fn list_distributor_customers(
    caller: Allowed<need::DistributorsRead>,
    state: web::Data<AppState>,
    path: web::Path<DistributorId>,
    query: web::Query<PageQuery>,
) -> AppResult<web::Json<CustomerPage>> {
    let merchant_id = caller.0.tenant()?;
    let distributor_id = path.into_inner();
    let query = query.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| {
                service::customers(conn, merchant_id, distributor_id, &query, clock::now())
            })
            .await?,
    ))
}
