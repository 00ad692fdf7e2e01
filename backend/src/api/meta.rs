//! Service metadata for clients: what this server is and what it speaks.

use actix_web::{get, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Meta {
    #[schema(example = "Fenxiao")]
    pub name: String,
    #[schema(example = "0.1.0")]
    pub version: String,
    /// Languages of the API's texts, the default first.
    #[schema(example = json!(["zh-CN", "en"]))]
    pub locales: Vec<String>,
    /// ISO 4217 code of the money amounts; amounts are decimal strings with two decimals.
    #[schema(example = "CNY")]
    pub currency: String,
    #[schema(example = "/api/openapi.json")]
    pub openapi_url: String,
}

/// Service metadata
#[utoipa::path(
    tag = "system",
    responses((status = 200, description = "What this server is", body = Meta))
)]
#[get("/meta")]
pub async fn get_meta() -> web::Json<Meta> {
    web::Json(Meta {
        name: "Fenxiao".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        locales: vec!["zh-CN".into(), "en".into()],
        currency: "CNY".into(),
        openapi_url: super::OPENAPI_PATH.into(),
    })
}
