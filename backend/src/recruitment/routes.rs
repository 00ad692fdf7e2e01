//! HTTP routes of recruitment: recruit links and their QR codes (the merchant's for staff, a
//! distributor's own for the member), the application form (staff edit it, the shop shows it),
//! applications (members apply and follow theirs) and the staff review queue.

use actix_web::http::header;
use actix_web::{get, post, put, web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::applications::{
    self, Application, ApplicationPage, ApplicationQuery, ApplyRequest, MyApplication,
    RejectRequest,
};
use super::form::{self, ApplicationForm, FormRequest, PublicForm};
use super::link::{self, RecruitLink};
use super::qr;
use crate::app::AppState;
use crate::auth::permissions::need;
use crate::auth::principal::Allowed;
use crate::clock;
use crate::db::ids::MerchantId;
use crate::error::{AppError, AppResult, ErrorCode, ProblemBody};
use crate::http::ApiJson;
use crate::shop::{OpenShop, ShopMember};

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PngQuery {
    /// Pixels per module, 1–40; default 8 (about 400 pixels for a typical link).
    pub scale: Option<u32>,
}

fn scale(query: &PngQuery) -> AppResult<u32> {
    let scale = query.scale.unwrap_or(qr::DEFAULT_SCALE);
    if !(1..=qr::MAX_SCALE).contains(&scale) {
        return Err(AppError::field(
            "scale",
            ErrorCode::Range
                .form("between")
                .arg("min", 1)
                .arg("max", qr::MAX_SCALE),
        ));
    }
    Ok(scale)
}

fn image(content_type: &'static str, name: &str, body: Vec<u8>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type)
        // The link changes with the shop's address: never serve a stale code.
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"{name}\""),
        ))
        .body(body)
}

async fn merchant_link(
    state: &web::Data<AppState>,
    merchant_id: MerchantId,
) -> AppResult<RecruitLink> {
    let base = state.config.public_base_url();
    state
        .db(move |conn| link::merchant_link(conn, merchant_id, &base))
        .await
}

async fn member_link(state: &web::Data<AppState>, member: &ShopMember) -> AppResult<RecruitLink> {
    let base = state.config.public_base_url();
    let (merchant_id, member_id) = (member.merchant_id, member.member_id());
    state
        .db(move |conn| link::distributor_link(conn, merchant_id, member_id, &base))
        .await
}

/// The merchant's recruit link
///
/// The shop's join page, without a recruiter: applicants who come through it join under the
/// default sponsor (or as roots) once approved.
#[utoipa::path(
    tag = "recruitment",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The link", body = RecruitLink),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `distributors.read`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`shop_address_required`: the merchant has no address (slug); every merchant gets one at sign-up", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/recruitment/link")]
pub async fn get_recruit_link(
    caller: Allowed<need::DistributorsRead>,
    state: web::Data<AppState>,
) -> AppResult<web::Json<RecruitLink>> {
    let merchant_id = caller.0.tenant()?;
    Ok(web::Json(merchant_link(&state, merchant_id).await?))
}

/// The merchant's recruit QR code (PNG)
#[utoipa::path(
    tag = "recruitment",
    security(("bearer" = [])),
    params(PngQuery),
    responses(
        (status = 200, description = "A QR code of the link", content_type = "image/png", body = Vec<u8>),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `distributors.read`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`shop_address_required`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "`scale` out of range", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/recruitment/qr.png")]
pub async fn get_recruit_qr_png(
    caller: Allowed<need::DistributorsRead>,
    state: web::Data<AppState>,
    query: web::Query<PngQuery>,
) -> AppResult<HttpResponse> {
    let merchant_id = caller.0.tenant()?;
    let scale = scale(&query)?;
    let link = merchant_link(&state, merchant_id).await?;
    Ok(image(
        "image/png",
        "recruit-qr.png",
        qr::png(&link.url, scale)?,
    ))
}

/// The merchant's recruit QR code (SVG)
#[utoipa::path(
    tag = "recruitment",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "A QR code of the link", content_type = "image/svg+xml", body = String),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `distributors.read`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`shop_address_required`", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/recruitment/qr.svg")]
pub async fn get_recruit_qr_svg(
    caller: Allowed<need::DistributorsRead>,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let merchant_id = caller.0.tenant()?;
    let link = merchant_link(&state, merchant_id).await?;
    Ok(image(
        "image/svg+xml",
        "recruit-qr.svg",
        qr::svg(&link.url)?.into_bytes(),
    ))
}

/// The signed-in distributor's recruit link
///
/// The shop's join page with the member's distributor code; 404 when the member is not a
/// distributor.
#[utoipa::path(
    tag = "recruitment",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The shop's address")),
    responses(
        (status = 200, description = "The link", body = RecruitLink),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Members only", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "Not a distributor of this shop", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`distributor_not_active`: frozen or ended, so not recruiting", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/shops/{slug}/me/recruitment/link")]
pub async fn get_my_recruit_link(
    member: ShopMember,
    state: web::Data<AppState>,
) -> AppResult<web::Json<RecruitLink>> {
    Ok(web::Json(member_link(&state, &member).await?))
}

/// The signed-in distributor's recruit QR code (PNG)
#[utoipa::path(
    tag = "recruitment",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The shop's address"), PngQuery),
    responses(
        (status = 200, description = "A QR code of the link", content_type = "image/png", body = Vec<u8>),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Members only", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "Not a distributor of this shop", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`distributor_not_active`: frozen or ended, so not recruiting", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "`scale` out of range", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/shops/{slug}/me/recruitment/qr.png")]
pub async fn get_my_recruit_qr_png(
    member: ShopMember,
    state: web::Data<AppState>,
    query: web::Query<PngQuery>,
) -> AppResult<HttpResponse> {
    let scale = scale(&query)?;
    let link = member_link(&state, &member).await?;
    Ok(image(
        "image/png",
        "recruit-qr.png",
        qr::png(&link.url, scale)?,
    ))
}

/// The signed-in distributor's recruit QR code (SVG)
#[utoipa::path(
    tag = "recruitment",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The shop's address")),
    responses(
        (status = 200, description = "A QR code of the link", content_type = "image/svg+xml", body = String),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Members only", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "Not a distributor of this shop", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`distributor_not_active`: frozen or ended, so not recruiting", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/shops/{slug}/me/recruitment/qr.svg")]
pub async fn get_my_recruit_qr_svg(
    member: ShopMember,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let link = member_link(&state, &member).await?;
    Ok(image(
        "image/svg+xml",
        "recruit-qr.svg",
        qr::svg(&link.url)?.into_bytes(),
    ))
}

/// The application form
#[utoipa::path(
    tag = "recruitment",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The form", body = ApplicationForm),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `distributors.read`", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/recruitment/application-form")]
pub async fn get_application_form(
    caller: Allowed<need::DistributorsRead>,
    state: web::Data<AppState>,
) -> AppResult<web::Json<ApplicationForm>> {
    let merchant_id = caller.0.tenant()?;
    Ok(web::Json(
        state.db(move |conn| form::load(conn, merchant_id)).await?,
    ))
}

/// Save the application form
///
/// The whole list of fields, in the order applicants see them. Applications already made keep
/// their answers and labels.
#[utoipa::path(
    tag = "recruitment",
    security(("bearer" = [])),
    request_body = FormRequest,
    responses(
        (status = 200, description = "Saved", body = ApplicationForm),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `distributors.manage`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (`invalid_key`, `duplicate_key`, `options_required`, …) at `fields[i].…`", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[put("/recruitment/application-form")]
pub async fn save_application_form(
    caller: Allowed<need::DistributorsManage>,
    state: web::Data<AppState>,
    body: ApiJson<FormRequest>,
) -> AppResult<web::Json<ApplicationForm>> {
    let p = caller.0;
    let request = body.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| form::save(conn, &p, &request, clock::now()))
            .await?,
    ))
}

/// A shop's distributor application form
///
/// How members become distributors at this shop (entry mode, review, spend threshold) and the
/// fields to fill in. Public: the join page shows it before anyone signs in.
#[utoipa::path(
    tag = "recruitment",
    params(("slug" = String, Path, description = "The shop's address")),
    responses(
        (status = 200, description = "The form", body = PublicForm),
        (status = 404, description = "No open shop at this address", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/shops/{slug}/distributor-application-form")]
pub async fn get_shop_application_form(
    state: web::Data<AppState>,
    OpenShop(merchant_id): OpenShop,
) -> AppResult<web::Json<PublicForm>> {
    Ok(web::Json(
        state
            .db(move |conn| form::public(conn, merchant_id))
            .await?,
    ))
}

/// Apply to become a distributor
///
/// With answers to the form and the code of the recruit link the member came through. Under
/// entry mode `everyone`, automatic review, or a spend threshold that is met, the member is a
/// distributor when this answers (`status: approved`); under manual review the application
/// waits for staff (`pending`).
#[utoipa::path(
    tag = "recruitment",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The shop's address")),
    request_body = ApplyRequest,
    responses(
        (status = 201, description = "Submitted (and perhaps approved)", body = MyApplication),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Members only", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "Not a member of this shop", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`already_distributor`, `application_pending`, `spend_threshold_not_met`, `sponsor_not_active`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Answers that do not fit the form (at `answers.{key}`), `unknown_distributor_code`", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/shops/{slug}/me/distributor-application")]
pub async fn apply(
    member: ShopMember,
    state: web::Data<AppState>,
    body: ApiJson<ApplyRequest>,
) -> AppResult<HttpResponse> {
    let (merchant_id, member_id) = (member.merchant_id, member.member_id());
    let p = member.principal;
    let request = body.into_inner();
    let base = state.config.public_base_url();
    let mine = state
        .db(move |conn| {
            applications::apply(conn, &p, &request, &base, clock::now())?;
            applications::mine(conn, merchant_id, member_id)
        })
        .await?;
    Ok(HttpResponse::Created().json(mine))
}

/// The signed-in member's application
///
/// The latest one, with its status and, when rejected, the reason; 404 when the member never
/// applied.
#[utoipa::path(
    tag = "recruitment",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The shop's address")),
    responses(
        (status = 200, description = "The latest application", body = MyApplication),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Members only", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No application, or not a member of this shop", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/shops/{slug}/me/distributor-application")]
pub async fn get_my_application(
    member: ShopMember,
    state: web::Data<AppState>,
) -> AppResult<web::Json<MyApplication>> {
    let (merchant_id, member_id) = (member.merchant_id, member.member_id());
    Ok(web::Json(
        state
            .db(move |conn| applications::mine(conn, merchant_id, member_id))
            .await?,
    ))
}

/// List distributor applications
///
/// Filter by status or member; newest first, or oldest first to work through the queue; cursor
/// pages.
#[utoipa::path(
    tag = "recruitment",
    security(("bearer" = [])),
    params(ApplicationQuery),
    responses(
        (status = 200, description = "A page of applications", body = ApplicationPage),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `distributors.read`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Bad filter", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/distributor-applications")]
pub async fn list_applications(
    caller: Allowed<need::DistributorsRead>,
    state: web::Data<AppState>,
    query: web::Query<ApplicationQuery>,
) -> AppResult<web::Json<ApplicationPage>> {
    let merchant_id = caller.0.tenant()?;
    let query = query.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| applications::list(conn, merchant_id, &query))
            .await?,
    ))
}

/// A distributor application
#[utoipa::path(
    tag = "recruitment",
    security(("bearer" = [])),
    params(("application_id" = i64, Path)),
    responses(
        (status = 200, description = "The application", body = Application),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `distributors.read`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such application", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/distributor-applications/{application_id}")]
pub async fn get_application(
    caller: Allowed<need::DistributorsRead>,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> AppResult<web::Json<Application>> {
    let merchant_id = caller.0.tenant()?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| applications::get(conn, merchant_id, id))
            .await?,
    ))
}

/// Approve a distributor application
///
/// The member becomes a distributor under the recruiter (or the default sponsor), with the
/// entry tier, and receives the welcome message with a short guide.
#[utoipa::path(
    tag = "recruitment",
    security(("bearer" = [])),
    params(("application_id" = i64, Path)),
    responses(
        (status = 200, description = "Approved", body = Application),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `distributors.manage`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such application", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_transition` (already decided), `already_distributor`, `member_disabled`", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/distributor-applications/{application_id}/approve")]
pub async fn approve_application(
    caller: Allowed<need::DistributorsManage>,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> AppResult<web::Json<Application>> {
    let p = caller.0;
    let id = path.into_inner();
    let base = state.config.public_base_url();
    Ok(web::Json(
        state
            .db(move |conn| applications::approve(conn, &p, id, &base, clock::now()))
            .await?,
    ))
}

/// Reject a distributor application
///
/// With a reason the applicant reads; they may apply again.
#[utoipa::path(
    tag = "recruitment",
    security(("bearer" = [])),
    params(("application_id" = i64, Path)),
    request_body = RejectRequest,
    responses(
        (status = 200, description = "Rejected", body = Application),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `distributors.manage`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such application", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_transition` (already decided)", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/distributor-applications/{application_id}/reject")]
pub async fn reject_application(
    caller: Allowed<need::DistributorsManage>,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    body: ApiJson<RejectRequest>,
) -> AppResult<web::Json<Application>> {
    let p = caller.0;
    let id = path.into_inner();
    let request = body.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| applications::reject(conn, &p, id, &request, clock::now()))
            .await?,
    ))
}
