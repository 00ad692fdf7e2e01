//! HTTP routes of the public shop.

use actix_web::{get, web};

use super::{Shop, ShopProductPage, ShopQuery};
use crate::app::AppState;
use crate::auth::principal::MemberCaller;
use crate::db::ids::MemberId;
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
#[get("/shops/{slug}")]
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
/// Anyone may call it; a member of this shop who sends their access token sees the price they
/// are entitled to (an active distributor: the lower of their tier's purchase price on the SKU
/// and retail less their tier's purchase discount), anyone else the retail price.
#[utoipa::path(
    tag = "shop",
    params(("slug" = String, Path, description = "The shop's address"), ShopQuery),
    responses(
        (status = 200, description = "A page of products", body = ShopProductPage),
        (status = 404, description = "No open shop at this address", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid filter", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/shops/{slug}/products")]
pub async fn list_shop_products(
    state: web::Data<AppState>,
    path: web::Path<String>,
    query: web::Query<ShopQuery>,
    member: Option<MemberCaller>,
) -> AppResult<web::Json<ShopProductPage>> {
    let slug = path.into_inner();
    let query = query.into_inner();
    // The token names the member's own merchant; `products` quotes them only in that shop.
    let member = member.and_then(|MemberCaller(p)| Some((p.merchant_id?, MemberId(p.id))));
    Ok(web::Json(
        state
            .db(move |conn| super::products(conn, &slug, &query, member))
            .await?,
    ))
}
