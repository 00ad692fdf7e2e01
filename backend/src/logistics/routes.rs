//! HTTP routes of logistics settings: carriers, delivery methods, pickup points and freight
//! templates (with a quote preview).

use actix_web::{delete, get, post, put, web, HttpResponse};

use super::carriers::{self, Carrier, CarrierRequest};
use super::delivery::{
    self, DeliveryMethods, DeliveryMethodsRequest, PickupPoint, PickupPointRequest,
};
use super::freight::FreightQuote;
use super::templates::{self, FreightTemplate, FreightTemplateRequest, QuoteRequest};
use crate::app::AppState;
use crate::auth::permissions::need;
use crate::auth::principal::Allowed;
use crate::clock;
use crate::error::{AppResult, ProblemBody};
use crate::http::ApiJson;

/// List carriers
///
/// The merchant's carriers in display order. The common Chinese carriers (SF, ZTO, YTO, STO,
/// Yunda, JD, EMS, Deppon, J&T) are copied in on first use and are the merchant's to edit.
#[utoipa::path(
    tag = "logistics",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Carriers", body = [Carrier]),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `merchant.read`", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/carriers")]
pub async fn list_carriers(
    state: web::Data<AppState>,
    caller: Allowed<need::MerchantRead>,
) -> AppResult<web::Json<Vec<Carrier>>> {
    let merchant_id = caller.0.tenant()?;
    Ok(web::Json(
        state
            .db(move |conn| carriers::list(conn, merchant_id, clock::now()))
            .await?,
    ))
}

/// Add a carrier
#[utoipa::path(
    tag = "logistics",
    security(("bearer" = [])),
    request_body = CarrierRequest,
    responses(
        (status = 201, description = "Created", body = Carrier),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `merchant.manage`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`carrier_code_taken`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (`carrier_code`, …)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/carriers")]
pub async fn create_carrier(
    state: web::Data<AppState>,
    caller: Allowed<need::MerchantManage>,
    body: ApiJson<CarrierRequest>,
) -> AppResult<HttpResponse> {
    let p = caller.0;
    let request = body.into_inner();
    let created = state
        .db(move |conn| carriers::create(conn, &p, &request, clock::now()))
        .await?;
    Ok(HttpResponse::Created().json(created))
}

/// Edit, enable or disable a carrier
#[utoipa::path(
    tag = "logistics",
    security(("bearer" = [])),
    params(("carrier_id" = i64, Path)),
    request_body = CarrierRequest,
    responses(
        (status = 200, description = "Updated", body = Carrier),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `merchant.manage`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such carrier", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`carrier_code_taken`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[put("/carriers/{carrier_id}")]
pub async fn update_carrier(
    state: web::Data<AppState>,
    caller: Allowed<need::MerchantManage>,
    path: web::Path<i64>,
    body: ApiJson<CarrierRequest>,
) -> AppResult<web::Json<Carrier>> {
    let p = caller.0;
    let id = path.into_inner();
    let request = body.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| carriers::update(conn, &p, id, &request, clock::now()))
            .await?,
    ))
}

/// Delivery methods
///
/// Whether express and self-pickup are offered, with the pickup points.
#[utoipa::path(
    tag = "logistics",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Delivery methods", body = DeliveryMethods),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `merchant.read`", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/delivery-methods")]
pub async fn get_delivery_methods(
    state: web::Data<AppState>,
    caller: Allowed<need::MerchantRead>,
) -> AppResult<web::Json<DeliveryMethods>> {
    let merchant_id = caller.0.tenant()?;
    Ok(web::Json(
        state
            .db(move |conn| delivery::methods(conn, merchant_id))
            .await?,
    ))
}

/// Switch delivery methods on or off
///
/// Self-pickup needs at least one enabled pickup point (`no_pickup_points`).
#[utoipa::path(
    tag = "logistics",
    security(("bearer" = [])),
    request_body = DeliveryMethodsRequest,
    responses(
        (status = 200, description = "Updated", body = DeliveryMethods),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `merchant.manage`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (`no_pickup_points`, …)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[put("/delivery-methods")]
pub async fn set_delivery_methods(
    state: web::Data<AppState>,
    caller: Allowed<need::MerchantManage>,
    body: ApiJson<DeliveryMethodsRequest>,
) -> AppResult<web::Json<DeliveryMethods>> {
    let p = caller.0;
    let request = body.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| delivery::set_methods(conn, &p, &request, clock::now()))
            .await?,
    ))
}

/// List pickup points
#[utoipa::path(
    tag = "logistics",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Pickup points", body = [PickupPoint]),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `merchant.read`", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/pickup-points")]
pub async fn list_pickup_points(
    state: web::Data<AppState>,
    caller: Allowed<need::MerchantRead>,
) -> AppResult<web::Json<Vec<PickupPoint>>> {
    let merchant_id = caller.0.tenant()?;
    Ok(web::Json(
        state
            .db(move |conn| delivery::list_points(conn, merchant_id))
            .await?,
    ))
}

/// Add a pickup point
#[utoipa::path(
    tag = "logistics",
    security(("bearer" = [])),
    request_body = PickupPointRequest,
    responses(
        (status = 201, description = "Created", body = PickupPoint),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `merchant.manage`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`pickup_point_name_taken`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (`unknown_region`, `phone`, …)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/pickup-points")]
pub async fn create_pickup_point(
    state: web::Data<AppState>,
    caller: Allowed<need::MerchantManage>,
    body: ApiJson<PickupPointRequest>,
) -> AppResult<HttpResponse> {
    let p = caller.0;
    let request = body.into_inner();
    let created = state
        .db(move |conn| delivery::create_point(conn, &p, &request, clock::now()))
        .await?;
    Ok(HttpResponse::Created().json(created))
}

/// Edit, enable or disable a pickup point
#[utoipa::path(
    tag = "logistics",
    security(("bearer" = [])),
    params(("pickup_point_id" = i64, Path)),
    request_body = PickupPointRequest,
    responses(
        (status = 200, description = "Updated", body = PickupPoint),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `merchant.manage`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such pickup point", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`pickup_point_name_taken`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (`unknown_region`, `last_pickup_point`, …)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[put("/pickup-points/{pickup_point_id}")]
pub async fn update_pickup_point(
    state: web::Data<AppState>,
    caller: Allowed<need::MerchantManage>,
    path: web::Path<i64>,
    body: ApiJson<PickupPointRequest>,
) -> AppResult<web::Json<PickupPoint>> {
    let p = caller.0;
    let id = path.into_inner();
    let request = body.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| delivery::update_point(conn, &p, id, &request, clock::now()))
            .await?,
    ))
}

/// List freight templates
#[utoipa::path(
    tag = "logistics",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "Freight templates", body = [FreightTemplate]),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `merchant.read`", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/freight-templates")]
pub async fn list_freight_templates(
    state: web::Data<AppState>,
    caller: Allowed<need::MerchantRead>,
) -> AppResult<web::Json<Vec<FreightTemplate>>> {
    let merchant_id = caller.0.tenant()?;
    Ok(web::Json(
        state
            .db(move |conn| templates::list(conn, merchant_id))
            .await?,
    ))
}

/// Create a freight template
///
/// By piece or by weight (grams), with region overrides, a free-shipping threshold and restricted
/// regions. `is_default: true` makes it the merchant's default in place of any other.
#[utoipa::path(
    tag = "logistics",
    security(("bearer" = [])),
    request_body = FreightTemplateRequest,
    responses(
        (status = 201, description = "Created", body = FreightTemplate),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `merchant.manage`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`freight_template_name_taken`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (`unknown_region`, `duplicate_region`, money, …)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/freight-templates")]
pub async fn create_freight_template(
    state: web::Data<AppState>,
    caller: Allowed<need::MerchantManage>,
    body: ApiJson<FreightTemplateRequest>,
) -> AppResult<HttpResponse> {
    let p = caller.0;
    let request = body.into_inner();
    let created = state
        .db(move |conn| templates::create(conn, &p, &request, clock::now()))
        .await?;
    Ok(HttpResponse::Created().json(created))
}

/// A freight template
#[utoipa::path(
    tag = "logistics",
    security(("bearer" = [])),
    params(("template_id" = i64, Path)),
    responses(
        (status = 200, description = "The template", body = FreightTemplate),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `merchant.read`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such template", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/freight-templates/{template_id}")]
pub async fn get_freight_template(
    state: web::Data<AppState>,
    caller: Allowed<need::MerchantRead>,
    path: web::Path<i64>,
) -> AppResult<web::Json<FreightTemplate>> {
    let merchant_id = caller.0.tenant()?;
    let id = path.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| templates::get(conn, merchant_id, id))
            .await?,
    ))
}

/// Replace a freight template
#[utoipa::path(
    tag = "logistics",
    security(("bearer" = [])),
    params(("template_id" = i64, Path)),
    request_body = FreightTemplateRequest,
    responses(
        (status = 200, description = "Updated", body = FreightTemplate),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `merchant.manage`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such template", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`freight_template_name_taken`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields (`unknown_region`, `duplicate_region`, money, …)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[put("/freight-templates/{template_id}")]
pub async fn update_freight_template(
    state: web::Data<AppState>,
    caller: Allowed<need::MerchantManage>,
    path: web::Path<i64>,
    body: ApiJson<FreightTemplateRequest>,
) -> AppResult<web::Json<FreightTemplate>> {
    let p = caller.0;
    let id = path.into_inner();
    let request = body.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| templates::update(conn, &p, id, &request, clock::now()))
            .await?,
    ))
}

/// Delete a freight template
#[utoipa::path(
    tag = "logistics",
    security(("bearer" = [])),
    params(("template_id" = i64, Path)),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `merchant.manage`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such template", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`freight_template_in_use`: products ship under it", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[delete("/freight-templates/{template_id}")]
pub async fn delete_freight_template(
    state: web::Data<AppState>,
    caller: Allowed<need::MerchantManage>,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let p = caller.0;
    let id = path.into_inner();
    state
        .db(move |conn| templates::delete(conn, &p, id, clock::now()))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Preview the freight of a shipment
///
/// What the template charges for these items sent to this region with goods worth
/// `goods_total`. Additional units are charged in whole steps, rounded up. An address in a
/// restricted region answers 422 `region_not_delivered`.
#[utoipa::path(
    tag = "logistics",
    security(("bearer" = [])),
    params(("template_id" = i64, Path)),
    request_body = QuoteRequest,
    responses(
        (status = 200, description = "The freight", body = FreightQuote),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `merchant.read`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such template", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "`region_not_delivered`, or invalid fields (`unknown_region`, …)", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/freight-templates/{template_id}/quote")]
pub async fn quote_freight(
    state: web::Data<AppState>,
    caller: Allowed<need::MerchantRead>,
    path: web::Path<i64>,
    body: ApiJson<QuoteRequest>,
) -> AppResult<web::Json<FreightQuote>> {
    let merchant_id = caller.0.tenant()?;
    let id = path.into_inner();
    let request = body.into_inner();
    Ok(web::Json(
        state
            .db(move |conn| templates::quote(conn, merchant_id, id, &request))
            .await?,
    ))
}
