//! HTTP routes of staff management.

use actix_web::{get, patch, post, web, HttpResponse};

use super::staff::{self, AcceptInvitationRequest, InviteRequest, StaffMember, UpdateStaffRequest};
use crate::app::AppState;
use crate::auth::permissions::need;
use crate::auth::principal::Allowed;
use crate::auth::sessions::ClientInfo;
use crate::clock;
use crate::error::{AppResult, ProblemBody};
use crate::http::rate_limit::AuthRateLimit;
use crate::http::ApiJson;

/// List staff
#[utoipa::path(
    tag = "staff",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The merchant's staff", body = [StaffMember]),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `staff.read`", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/staff")]
pub async fn list_staff(
    state: web::Data<AppState>,
    caller: Allowed<need::StaffRead>,
) -> AppResult<web::Json<Vec<StaffMember>>> {
    let p = caller.0;
    let merchant_id = p.tenant()?;
    Ok(web::Json(
        state.db(move |conn| staff::list(conn, merchant_id)).await?,
    ))
}

/// Get a staff member
#[utoipa::path(
    tag = "staff",
    security(("bearer" = [])),
    params(("staff_id" = i64, Path, description = "A staff member of the caller's merchant")),
    responses(
        (status = 200, description = "The staff member", body = StaffMember),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `staff.read`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such staff member", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/staff/{staff_id}")]
pub async fn get_staff(
    state: web::Data<AppState>,
    caller: Allowed<need::StaffRead>,
    path: web::Path<i64>,
) -> AppResult<web::Json<StaffMember>> {
    let p = caller.0;
    let merchant_id = p.tenant()?;
    let staff_id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| staff::find(conn, merchant_id, staff_id))
            .await?,
    ))
}

/// Invite a staff member
///
/// Creates the account (status `invited`) and emails a single-use link, valid 7 days, with
/// which the person chooses a password.
#[utoipa::path(
    tag = "staff",
    security(("bearer" = [])),
    request_body = InviteRequest,
    responses(
        (status = 201, description = "Invited", body = StaffMember),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `staff.manage`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`email_taken`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (`owner_not_assignable`, …)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/staff/invitations")]
pub async fn invite_staff(
    state: web::Data<AppState>,
    caller: Allowed<need::StaffManage>,
    body: ApiJson<InviteRequest>,
) -> AppResult<HttpResponse> {
    let p = caller.0;
    let request = body.into_inner();
    let base = state.config.public_base_url();
    let member = state
        .db(move |conn| staff::invite(conn, &p, &request, &base, clock::now()))
        .await?;
    Ok(HttpResponse::Created().json(member))
}

/// Accept a staff invitation
///
/// Redeems the token from the invitation email and sets the new member's password.
#[utoipa::path(
    tag = "staff",
    request_body = AcceptInvitationRequest,
    responses(
        (status = 200, description = "Joined; sign in with the email and the new password", body = StaffMember),
        (status = 409, description = "`token_used` or `token_expired`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "`invalid_token` or a weak password", body = ProblemBody, content_type = "application/problem+json"),
        (status = 429, description = "Too many attempts from this address (`rate_limited`)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/staff/invitations/accept")]
pub async fn accept_invitation(
    _limit: AuthRateLimit,
    state: web::Data<AppState>,
    body: ApiJson<AcceptInvitationRequest>,
    client: ClientInfo,
) -> AppResult<web::Json<StaffMember>> {
    let request = body.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| staff::accept_invitation(conn, &request, &client, clock::now()))
            .await?,
    ))
}

/// Change a staff member's role, status or name
#[utoipa::path(
    tag = "staff",
    security(("bearer" = [])),
    params(("staff_id" = i64, Path, description = "A staff member of the caller's merchant")),
    request_body = UpdateStaffRequest,
    responses(
        (status = 200, description = "Updated", body = StaffMember),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `staff.manage`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such staff member", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`owner_protected`, `cannot_change_self` or `invitation_pending`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[patch("/staff/{staff_id}")]
pub async fn update_staff(
    state: web::Data<AppState>,
    caller: Allowed<need::StaffManage>,
    path: web::Path<i64>,
    body: ApiJson<UpdateStaffRequest>,
) -> AppResult<web::Json<StaffMember>> {
    let p = caller.0;
    let staff_id = path.into_inner();
    let request = body.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| staff::update(conn, &p, staff_id, &request, clock::now()))
            .await?,
    ))
}

/// Unlock a staff member
///
/// Lifts the lock that repeated failed sign-ins put on the account.
#[utoipa::path(
    tag = "staff",
    security(("bearer" = [])),
    params(("staff_id" = i64, Path, description = "A staff member of the caller's merchant")),
    responses(
        (status = 200, description = "Unlocked", body = StaffMember),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `staff.manage`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such staff member", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/staff/{staff_id}/unlock")]
pub async fn unlock_staff(
    state: web::Data<AppState>,
    caller: Allowed<need::StaffManage>,
    path: web::Path<i64>,
) -> AppResult<web::Json<StaffMember>> {
    let p = caller.0;
    let staff_id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| staff::unlock(conn, &p, staff_id, clock::now()))
            .await?,
    ))
}
