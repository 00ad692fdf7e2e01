//! HTTP routes of payment method settings.

use actix_web::{get, put, web};

use super::settings::{self, PaymentMethod, PaymentMethodRequest};
use crate::app::AppState;
use crate::auth::permissions::need;
use crate::auth::principal::Allowed;
use crate::clock;
use crate::error::{AppResult, ProblemBody};
use crate::http::ApiJson;

/// List payment methods
///
/// Every method with whether it is enabled and its settings, secrets masked.
#[utoipa::path(
    tag = "merchant",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The methods", body = [PaymentMethod]),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `merchant.manage`", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/payment-methods")]
pub async fn list_payment_methods(
    state: web::Data<AppState>,
    caller: Allowed<need::MerchantManage>,
) -> AppResult<web::Json<Vec<PaymentMethod>>> {
    let merchant_id = caller.0.tenant()?;
    let cipher = state.cipher.clone();
    Ok(web::Json(
        state
            .db(move |conn| settings::list(conn, &cipher, merchant_id))
            .await?,
    ))
}

/// Configure a payment method
///
/// Enables or disables it and sets its settings; a secret left out keeps its stored value.
#[utoipa::path(
    tag = "merchant",
    security(("bearer" = [])),
    request_body = PaymentMethodRequest,
    responses(
        (status = 200, description = "Saved", body = PaymentMethod),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `merchant.manage`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid settings", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[put("/payment-methods")]
pub async fn save_payment_method(
    state: web::Data<AppState>,
    caller: Allowed<need::MerchantManage>,
    body: ApiJson<PaymentMethodRequest>,
) -> AppResult<web::Json<PaymentMethod>> {
    let p = caller.0;
    let request = body.into_inner();
    let cipher = state.cipher.clone();
    Ok(web::Json(
        state
            .db(move |conn| settings::save(conn, &cipher, &p, &request, clock::now()))
            .await?,
    ))
}
