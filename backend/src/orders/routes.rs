//! HTTP routes of orders: the member's cart, addresses, checkout and orders under
//! `/shops/{slug}/me/…`, and the staff's orders and order settings.

use actix_web::{delete, get, post, put, web, HttpRequest, HttpResponse};

use super::addresses::{self, Address, AddressRequest};
use super::cart::{self, AddToCart, Cart, SetQuantity};
use super::checkout::{self, CheckoutRequest, Quote};
use super::lifecycle::{self, OrderCancelRequest};
use super::live;
use super::queries::{self, DeliveredCode, MyOrderQuery, OrderDetail, OrderPage, OrderQuery};
use super::settings::{self, OrderSettings, OrderSettingsRequest};
use crate::app::AppState;
use crate::auth::permissions::need;
use crate::auth::principal::Allowed;
use crate::clock;
use crate::db::ids::{OrderId, SkuId};
use crate::db::write_transaction;
use crate::error::{AppError, AppResult, ErrorCode, ProblemBody};
use crate::http::ApiJson;
use crate::shop::ShopMember;

/// The header that makes a placement safe to retry.
pub const IDEMPOTENCY_KEY: &str = "Idempotency-Key";

/// The request's `Idempotency-Key`: 1–255 visible ASCII characters, or none.
fn idempotency_key(req: &HttpRequest) -> AppResult<Option<String>> {
    let Some(value) = req.headers().get(IDEMPOTENCY_KEY) else {
        return Ok(None);
    };
    let key = value.to_str().unwrap_or_default().trim();
    let visible = !key.is_empty() && key.len() <= 255 && key.bytes().all(|b| b.is_ascii_graphic());
    if !visible {
        return Err(AppError::field(
            IDEMPOTENCY_KEY,
            ErrorCode::Length
                .form("between")
                .arg("min", 1)
                .arg("max", 255),
        ));
    }
    Ok(Some(key.to_owned()))
}

/// The member's cart
///
/// Each line with the price the member is entitled to now and whether it can be bought: a SKU that
/// is no longer sold or is short of stock stays, marked `not_sold` or `out_of_stock`.
#[utoipa::path(
    tag = "orders",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The shop's address")),
    responses(
        (status = 200, description = "The cart", body = Cart),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Members only", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "Not a member of this shop", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/shops/{slug}/me/cart")]
pub async fn get_cart(member: ShopMember, state: web::Data<AppState>) -> AppResult<HttpResponse> {
    let (merchant_id, member_id) = (member.merchant_id, member.member_id());
    let cart = state
        .db(move |conn| cart::view(conn, merchant_id, member_id))
        .await?;
    Ok(HttpResponse::Ok().json(cart))
}

/// Add to the cart
///
/// Units of a listed SKU, added to what the cart holds already (at most 9999 in all).
#[utoipa::path(
    tag = "orders",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The shop's address")),
    request_body = AddToCart,
    responses(
        (status = 200, description = "The cart", body = Cart),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Members only", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "Not a member of this shop", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "`sku_not_sold`, a quantity out of range", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/shops/{slug}/me/cart/items")]
pub async fn add_to_cart(
    member: ShopMember,
    state: web::Data<AppState>,
    body: ApiJson<AddToCart>,
) -> AppResult<HttpResponse> {
    let (merchant_id, member_id) = (member.merchant_id, member.member_id());
    let request = body.into_inner();
    let cart = state
        .db(move |conn| {
            write_transaction(conn, |conn| {
                cart::add(conn, merchant_id, member_id, &request, clock::now())
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(cart))
}

/// Change a cart line's quantity
#[utoipa::path(
    tag = "orders",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The shop's address"), ("sku_id" = i64, Path)),
    request_body = SetQuantity,
    responses(
        (status = 200, description = "The cart", body = Cart),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Members only", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such line in the cart", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "A quantity out of range", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[put("/shops/{slug}/me/cart/items/{sku_id}")]
pub async fn set_cart_quantity(
    member: ShopMember,
    state: web::Data<AppState>,
    path: web::Path<(String, SkuId)>,
    body: ApiJson<SetQuantity>,
) -> AppResult<HttpResponse> {
    let (merchant_id, member_id) = (member.merchant_id, member.member_id());
    let (_, sku_id) = path.into_inner();
    let request = body.into_inner();
    let cart = state
        .db(move |conn| {
            cart::set_quantity(conn, merchant_id, member_id, sku_id, &request, clock::now())
        })
        .await?;
    Ok(HttpResponse::Ok().json(cart))
}

/// Remove a cart line
#[utoipa::path(
    tag = "orders",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The shop's address"), ("sku_id" = i64, Path)),
    responses(
        (status = 200, description = "The cart", body = Cart),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Members only", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such line in the cart", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[delete("/shops/{slug}/me/cart/items/{sku_id}")]
pub async fn remove_from_cart(
    member: ShopMember,
    state: web::Data<AppState>,
    path: web::Path<(String, SkuId)>,
) -> AppResult<HttpResponse> {
    let (merchant_id, member_id) = (member.merchant_id, member.member_id());
    let (_, sku_id) = path.into_inner();
    let cart = state
        .db(move |conn| cart::remove(conn, merchant_id, member_id, sku_id))
        .await?;
    Ok(HttpResponse::Ok().json(cart))
}

/// The member's addresses
///
/// The default first.
#[utoipa::path(
    tag = "orders",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The shop's address")),
    responses(
        (status = 200, description = "The addresses", body = Vec<Address>),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Members only", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "Not a member of this shop", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/shops/{slug}/me/addresses")]
pub async fn list_addresses(
    member: ShopMember,
    state: web::Data<AppState>,
) -> AppResult<HttpResponse> {
    let (merchant_id, member_id) = (member.merchant_id, member.member_id());
    let found = state
        .db(move |conn| addresses::list(conn, merchant_id, member_id))
        .await?;
    Ok(HttpResponse::Ok().json(found))
}

/// Add an address
///
/// GB/T 2260 province and city codes; the first address is the default. At most 20.
#[utoipa::path(
    tag = "orders",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The shop's address")),
    request_body = AddressRequest,
    responses(
        (status = 201, description = "Added", body = Address),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Members only", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "Not a member of this shop", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, `city_not_in_province`, `address_limit`", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/shops/{slug}/me/addresses")]
pub async fn create_address(
    member: ShopMember,
    state: web::Data<AppState>,
    body: ApiJson<AddressRequest>,
) -> AppResult<HttpResponse> {
    let (merchant_id, member_id) = (member.merchant_id, member.member_id());
    let request = body.into_inner();
    let created = state
        .db(move |conn| {
            write_transaction(conn, |conn| {
                addresses::create(conn, merchant_id, member_id, &request, clock::now())
            })
        })
        .await?;
    Ok(HttpResponse::Created().json(created))
}

/// Change an address
#[utoipa::path(
    tag = "orders",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The shop's address"), ("address_id" = i64, Path)),
    request_body = AddressRequest,
    responses(
        (status = 200, description = "Changed", body = Address),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Members only", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such address of the member", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid fields, `city_not_in_province`", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[put("/shops/{slug}/me/addresses/{address_id}")]
pub async fn update_address(
    member: ShopMember,
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
    body: ApiJson<AddressRequest>,
) -> AppResult<HttpResponse> {
    let (merchant_id, member_id) = (member.merchant_id, member.member_id());
    let (_, id) = path.into_inner();
    let request = body.into_inner();
    let changed = state
        .db(move |conn| {
            write_transaction(conn, |conn| {
                addresses::update(conn, merchant_id, member_id, id, &request, clock::now())
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(changed))
}

/// Remove an address
///
/// Orders keep their own copy of the address they were sent to.
#[utoipa::path(
    tag = "orders",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The shop's address"), ("address_id" = i64, Path)),
    responses(
        (status = 204, description = "Removed"),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Members only", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such address of the member", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[delete("/shops/{slug}/me/addresses/{address_id}")]
pub async fn delete_address(
    member: ShopMember,
    state: web::Data<AppState>,
    path: web::Path<(String, i64)>,
) -> AppResult<HttpResponse> {
    let (merchant_id, member_id) = (member.merchant_id, member.member_id());
    let (_, id) = path.into_inner();
    state
        .db(move |conn| addresses::delete(conn, merchant_id, member_id, id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Price an order
///
/// What the order would cost if placed now, line by line: the entitled unit price, discounts, each
/// line's commission base, freight and the total. Writes nothing; refused as the placement would be.
#[utoipa::path(
    tag = "orders",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The shop's address")),
    request_body = CheckoutRequest,
    responses(
        (status = 200, description = "The priced order", body = Quote),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Members only", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "Not a member of this shop", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`out_of_stock`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "`sku_not_sold`, `address_required`, `region_not_delivered`, invalid fields", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/shops/{slug}/me/checkout/quote")]
pub async fn quote_order(
    member: ShopMember,
    state: web::Data<AppState>,
    body: ApiJson<CheckoutRequest>,
) -> AppResult<HttpResponse> {
    let (merchant_id, member_id) = (member.merchant_id, member.member_id());
    let request = body.into_inner();
    let quote = state
        .db(move |conn| checkout::quote(conn, merchant_id, member_id, &request))
        .await?;
    Ok(HttpResponse::Ok().json(quote))
}

/// Place an order
///
/// Priced again on the server (prices a client sends are never read), stock taken, each line and
/// the binding in force recorded; the order waits for its payment until `pay_by`. With an
/// `Idempotency-Key` header the same key and body answer the same order (200), another body 422
/// `idempotency_key_reused`; keys are kept 24 hours. The ordered SKUs leave the cart.
#[utoipa::path(
    tag = "orders",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The shop's address"), ("Idempotency-Key" = Option<String>, Header, description = "1–255 visible ASCII characters")),
    request_body = CheckoutRequest,
    responses(
        (status = 201, description = "Placed", body = OrderDetail),
        (status = 200, description = "Placed before with this key", body = OrderDetail),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Members only", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "Not a member of this shop", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`out_of_stock`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "`sku_not_sold`, `address_required`, `region_not_delivered`, `idempotency_key_reused`, invalid fields", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/shops/{slug}/me/orders")]
pub async fn place_order(
    member: ShopMember,
    state: web::Data<AppState>,
    req: HttpRequest,
    body: ApiJson<CheckoutRequest>,
) -> AppResult<HttpResponse> {
    let (merchant_id, member_id) = (member.merchant_id, member.member_id());
    let key = idempotency_key(&req)?;
    let request = body.into_inner();
    let (order, new) = state
        .db(move |conn| {
            checkout::place(
                conn,
                merchant_id,
                member_id,
                &request,
                key.as_deref(),
                clock::now(),
            )
        })
        .await?;
    Ok(if new {
        HttpResponse::Created().json(order)
    } else {
        HttpResponse::Ok().json(order)
    })
}

/// The member's orders
///
/// Newest first.
#[utoipa::path(
    tag = "orders",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The shop's address"), MyOrderQuery),
    responses(
        (status = 200, description = "A page of orders", body = OrderPage),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Members only", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "Not a member of this shop", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid filter", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/shops/{slug}/me/orders")]
pub async fn list_my_orders(
    member: ShopMember,
    state: web::Data<AppState>,
    query: web::Query<MyOrderQuery>,
) -> AppResult<HttpResponse> {
    let (merchant_id, member_id) = (member.merchant_id, member.member_id());
    let query = query.into_inner();
    let page = state
        .db(move |conn| queries::mine(conn, merchant_id, member_id, &query))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// One of the member's orders
///
/// With its lines and timeline.
#[utoipa::path(
    tag = "orders",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The shop's address"), ("order_id" = i64, Path)),
    responses(
        (status = 200, description = "The order", body = OrderDetail),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Members only", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such order of the member", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/shops/{slug}/me/orders/{order_id}")]
pub async fn get_my_order(
    member: ShopMember,
    state: web::Data<AppState>,
    path: web::Path<(String, OrderId)>,
) -> AppResult<HttpResponse> {
    let (merchant_id, member_id) = (member.merchant_id, member.member_id());
    let (_, id) = path.into_inner();
    let order = state
        .db(move |conn| queries::my_detail(conn, merchant_id, member_id, id))
        .await?;
    Ok(HttpResponse::Ok().json(order))
}

/// Cancel an unpaid order
///
/// The stock goes back; a paid order is cancelled by the shop's staff, not here (409).
#[utoipa::path(
    tag = "orders",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The shop's address"), ("order_id" = i64, Path)),
    request_body = OrderCancelRequest,
    responses(
        (status = 200, description = "Cancelled", body = OrderDetail),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Members only", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such order of the member", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_transition`: not unpaid any more", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "A reason out of range", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/shops/{slug}/me/orders/{order_id}/cancel")]
pub async fn cancel_my_order(
    member: ShopMember,
    state: web::Data<AppState>,
    path: web::Path<(String, OrderId)>,
    body: ApiJson<OrderCancelRequest>,
) -> AppResult<HttpResponse> {
    let (merchant_id, member_id) = (member.merchant_id, member.member_id());
    let (_, id) = path.into_inner();
    let request = body.into_inner();
    let order = state
        .db(move |conn| {
            lifecycle::cancel_by_buyer(conn, merchant_id, member_id, id, &request, clock::now())
        })
        .await?;
    Ok(HttpResponse::Ok().json(order))
}

/// The merchant's orders
///
/// Newest first, filtered by status, period (the merchant's days), member, distributor, product or
/// order number.
#[utoipa::path(
    tag = "orders",
    security(("bearer" = [])),
    params(OrderQuery),
    responses(
        (status = 200, description = "A page of orders", body = OrderPage),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `orders.read`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "Invalid filter", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/orders")]
pub async fn list_orders(
    caller: Allowed<need::OrdersRead>,
    state: web::Data<AppState>,
    query: web::Query<OrderQuery>,
) -> AppResult<web::Json<OrderPage>> {
    let merchant_id = caller.0.tenant()?;
    let query = query.into_inner();
    let page = state
        .db(move |conn| queries::list(conn, merchant_id, &query))
        .await?;
    Ok(web::Json(page))
}

/// An order
///
/// With its lines and timeline.
#[utoipa::path(
    tag = "orders",
    security(("bearer" = [])),
    params(("order_id" = i64, Path)),
    responses(
        (status = 200, description = "The order", body = OrderDetail),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `orders.read`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such order of the merchant", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/orders/{order_id}")]
pub async fn get_order(
    caller: Allowed<need::OrdersRead>,
    state: web::Data<AppState>,
    path: web::Path<OrderId>,
) -> AppResult<web::Json<OrderDetail>> {
    let merchant_id = caller.0.tenant()?;
    let id = path.into_inner();
    let order = state
        .db(move |conn| queries::detail(conn, merchant_id, id))
        .await?;
    Ok(web::Json(order))
}

/// Cancel an order
///
/// Unpaid, or paid and not yet shipped; the stock goes back. A paid order is flagged `refund_due`:
/// the money is refunded by hand until after-sales refunds exist. Audited.
#[utoipa::path(
    tag = "orders",
    security(("bearer" = [])),
    params(("order_id" = i64, Path)),
    request_body = OrderCancelRequest,
    responses(
        (status = 200, description = "Cancelled", body = OrderDetail),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `orders.write`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such order of the merchant", body = ProblemBody, content_type = "application/problem+json"),
        (status = 409, description = "`invalid_transition`: shipped, completed or cancelled", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "A reason out of range", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/orders/{order_id}/cancel")]
pub async fn cancel_order(
    caller: Allowed<need::OrdersWrite>,
    state: web::Data<AppState>,
    path: web::Path<OrderId>,
    body: ApiJson<OrderCancelRequest>,
) -> AppResult<web::Json<OrderDetail>> {
    let p = caller.0;
    let id = path.into_inner();
    let request = body.into_inner();
    let providers = state.providers();
    let order = state
        .db(move |conn| {
            lifecycle::cancel_by_staff(conn, &providers, &p, id, &request, clock::now())
        })
        .await?;
    Ok(web::Json(order))
}

/// Order settings
///
/// How long an unpaid order waits for its payment.
#[utoipa::path(
    tag = "orders",
    security(("bearer" = [])),
    responses(
        (status = 200, description = "The settings", body = OrderSettings),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `orders.read`", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/order-settings")]
pub async fn get_order_settings(
    caller: Allowed<need::OrdersRead>,
    state: web::Data<AppState>,
) -> AppResult<web::Json<OrderSettings>> {
    let merchant_id = caller.0.tenant()?;
    let found = state
        .db(move |conn| settings::load(conn, merchant_id))
        .await?;
    Ok(web::Json(found))
}

/// Change the order settings
///
/// Only the settings given change. Orders placed before keep their payment deadline, orders
/// shipped before their completion date. Audited.
#[utoipa::path(
    tag = "orders",
    security(("bearer" = [])),
    request_body = OrderSettingsRequest,
    responses(
        (status = 200, description = "The settings", body = OrderSettings),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `merchant.manage`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 422, description = "A timeout out of range", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[put("/order-settings")]
pub async fn put_order_settings(
    caller: Allowed<need::MerchantManage>,
    state: web::Data<AppState>,
    body: ApiJson<OrderSettingsRequest>,
) -> AppResult<web::Json<OrderSettings>> {
    let p = caller.0;
    let request = body.into_inner();
    let saved = state
        .db(move |conn| settings::save(conn, &p, &request, clock::now()))
        .await?;
    Ok(web::Json(saved))
}

/// The codes of a paid order
///
/// The codes (e-vouchers, card secrets) of the order's virtual lines, handed over when it was
/// paid; empty before. Only the buyer sees them.
#[utoipa::path(
    tag = "orders",
    security(("bearer" = [])),
    params(("slug" = String, Path, description = "The shop's address"), ("order_id" = i64, Path)),
    responses(
        (status = 200, description = "The codes", body = Vec<DeliveredCode>),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Members only", body = ProblemBody, content_type = "application/problem+json"),
        (status = 404, description = "No such order of the member", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/shops/{slug}/me/orders/{order_id}/codes")]
pub async fn get_my_order_codes(
    member: ShopMember,
    state: web::Data<AppState>,
    path: web::Path<(String, OrderId)>,
) -> AppResult<HttpResponse> {
    let (merchant_id, member_id) = (member.merchant_id, member.member_id());
    let (_, id) = path.into_inner();
    let cipher = state.cipher.clone();
    let codes = state
        .db(move |conn| queries::my_codes(conn, &cipher, merchant_id, member_id, id))
        .await?;
    Ok(HttpResponse::Ok().json(codes))
}

/// Order events, live
///
/// A `text/event-stream` of the merchant's `order.placed`, `order.paid`, `order.cancelled`,
/// `order.shipped`, `order.completed`, `after_sale.requested` and `refund.completed` events as
/// they happen (`id`, `event`, `data`: the event's payload), for an open console.
/// Starts after the newest event, or after `Last-Event-ID` when the client reconnects; ends after
/// ten minutes, and the client reconnects.
#[utoipa::path(
    tag = "orders",
    security(("bearer" = [])),
    params(("Last-Event-ID" = Option<i64>, Header, description = "The id of the last event received")),
    responses(
        (status = 200, description = "The stream", content_type = "text/event-stream", body = String),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `orders.read`", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/orders/events")]
pub async fn order_events(
    caller: Allowed<need::OrdersRead>,
    state: web::Data<AppState>,
    req: HttpRequest,
) -> AppResult<HttpResponse> {
    let merchant_id = caller.0.tenant()?;
    let resume = req
        .headers()
        .get("Last-Event-ID")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<i64>().ok());
    let last = match resume {
        Some(id) => id,
        None => {
            state
                .db(move |conn| live::latest(conn, merchant_id))
                .await?
        }
    };
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(("Cache-Control", "no-cache"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(live::stream(state, merchant_id, last)))
}

/// Registers the routes (and so their OpenAPI paths).
pub fn register(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(get_cart)
        .service(add_to_cart)
        .service(set_cart_quantity)
        .service(remove_from_cart)
        .service(list_addresses)
        .service(create_address)
        .service(update_address)
        .service(delete_address)
        .service(quote_order)
        .service(place_order)
        .service(list_my_orders)
        .service(get_my_order)
        .service(get_my_order_codes)
        .service(cancel_my_order)
        .service(order_events)
        .service(list_orders)
        .service(get_order)
        .service(cancel_order)
        .service(get_order_settings)
        .service(put_order_settings);
}
