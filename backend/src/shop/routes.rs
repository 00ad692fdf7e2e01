//! HTTP routes of the public shop.

use actix_web::{get, web};

use super::{Shop, ShopProductPage, ShopQuery};
use crate::app::AppState;
use crate::catalog::pricing::Buyer;
use crate::error::{AppResult, ProblemBody};

/// A shop
///
/// The public profile of an open merchant, by the slug of its address.
#[utoipa::path(
    tag = "shop",
    params(("slug" = String, Path, description = "The shop's address")),
    responses(
        (status = 200, description = "The shop", body = Shop),
        (status = 404, description = "No open shop at this address", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/shop/{slug}")]
pub async fn get_shop(
    state: web::Data<AppState>,
    path: web::Path<String>,
) -> AppResult<web::Json<Shop>> {
    let slug = path.into_inner();
    Ok(web::Json(
        state.db(move |conn| super::shop(conn, &slug)).await?,
    ))
}

/// A shop's products
///
/// Listed products only, each SKU with the price the caller pays and whether it is in stock.
#[utoipa::path(
    tag = "shop",
    params(("slug" = String, Path, description = "The shop's address"), ShopQuery),
    responses(
        (status = 200, description = "A page of products", body = ShopProductPage),
        (status = 404, description = "No open shop at this address", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid filter", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/shop/{slug}/products")]
pub async fn list_shop_products(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<ShopQuery>,
) -> AppResult<web::Json<ShopProductPage>> {
    let slug = path.into_inner();
    let query = query.into_inner();
    // Member and distributor tiers join the quote once the network defines them.
    let buyer = Buyer::default();
    Ok(web::Json(
        state
            .db(move |conn| super::products(conn, &slug, &query, buyer))
            .await?,
    ))
}
