//! The HTTP API: every route registered in one place, and the OpenAPI document generated from the
//! same registration (so a route cannot exist without being documented).

pub mod health;
pub mod meta;

use actix_web::App;
use utoipa::OpenApi;
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::{scope, AppExt};

use crate::error::{ProblemBody, ProblemFieldBody};
use crate::{
    aftersales, audit, auth, binding, catalog, contests, distribution, integrations, inventory,
    logistics, media, members, network, notify, orders, payments, platform, recruitment, regions,
    shop, tenancy, tracking,
};

pub const API_PREFIX: &str = "/api/v1";
pub const OPENAPI_PATH: &str = "/api/openapi.json";
pub const DOCS_PATH: &str = "/api/docs/";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Fenxiao API",
        description = "Multi-tenant distribution (分销) platform. Every error answers \
            `application/problem+json` with a stable `code`; texts follow `Accept-Language` \
            (zh-CN by default, en). Money is a decimal string in yuan with at most two decimals.",
        license(name = "Proprietary")
    ),
    components(schemas(ProblemBody, ProblemFieldBody)),
    modifiers(&BearerAuth),
    tags(
        (name = "system", description = "Liveness, readiness and service metadata"),
        (name = "signup", description = "Merchant sign-up and email verification"),
        (name = "auth", description = "Sign-in, tokens, sessions"),
        (name = "audit", description = "The audit log"),
        (name = "merchant", description = "The caller's merchant and its policies"),
        (name = "staff", description = "A merchant's staff, roles and invitations"),
        (name = "api-keys", description = "Keys for integrations, limited to scopes"),
        (name = "catalog", description = "Categories, products, SKUs, prices and stock"),
        (name = "shop", description = "The public shop: what anyone may see"),
        (name = "logistics", description = "Carriers, delivery methods, pickup points, freight templates and regions"),
        (name = "members", description = "A shop's members: registration and sign-in"),
        (name = "binding", description = "Customer binding (锁客): which distributor a member is bound to"),
        (name = "distribution", description = "The distributor network: settings, tiers, distributors, the tree and team figures"),
        (name = "recruitment", description = "Recruit links and QR codes, the application form, applications and their review"),
        (name = "notifications", description = "The in-app inbox of merchant staff"),
        (name = "contests", description = "Leaderboards and sales contests (销售竞赛)"),
        (name = "orders", description = "The member's cart, addresses, checkout and orders; the staff's orders and order settings"),
        (name = "fulfilment", description = "Packages and tracking, receipt and completion"),
        (name = "after-sales", description = "After-sales (售后) requests, their decisions and returns; refunds"),
        (name = "platform", description = "The platform operator's endpoints"),
    )
)]
pub struct ApiDoc;

/// Declares the bearer scheme that `security(("bearer" = []))` on operations refers to: an
/// access token from sign-in, or an API key (`fx_…`).
struct BearerAuth;

impl utoipa::Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "An access token from sign-in (15 minutes), or an API key `fx_…`.",
                    ))
                    .build(),
            ),
        );
    }
}

/// Registers every route; used by the server and by the OpenAPI generator alike.
pub fn configure(cfg: &mut ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(
            scope(API_PREFIX)
                .service(meta::get_meta)
                .configure(tenancy::routes)
                .configure(auth::routes)
                .configure(audit::routes)
                .configure(payments::routes)
                .configure(shop::routes)
                .configure(platform::routes)
                .configure(members::routes)
                .configure(binding::routes)
                .configure(contests::routes)
                .configure(catalog::routes)
                .configure(inventory::routes)
                .configure(media::routes)
                .service(regions::list_regions)
                .configure(logistics::routes)
                .configure(distribution::routes)
                .configure(integrations::routes)
                .configure(notify::routes)
                .configure(network::routes)
                .configure(recruitment::routes)
                .configure(orders::routes)
                .configure(aftersales::routes)
                .configure(tracking::routes),
        );
}

/// The OpenAPI document of the whole API, as served at `/api/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, mut api) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(configure)
        .split_for_parts();
    share_problem_responses(&mut api);
    api
}

/// The component every error response of the document refers to.
const PROBLEM_RESPONSE: &str = "Problem";

/// Every error response is the same `application/problem+json` body; only its description (what
/// goes wrong at that operation, which permission it needs) differs. Handlers declare them inline,
/// where they are read with the handler; the document then states the body once, as the
/// response component `Problem`, and each operation refers to it with its own description
/// (OpenAPI 3.1 lets a reference override the description).
pub fn share_problem_responses(api: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::{RefOr, Response};

    let is_problem = |response: &Response| {
        response.content.len() == 1 && response.content.contains_key(crate::error::PROBLEM_JSON)
    };
    let mut shared: Option<Response> = None;
    for item in api.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
            &mut item.head,
            &mut item.options,
            &mut item.trace,
        ];
        for operation in operations.into_iter().flatten() {
            for response in operation.responses.responses.values_mut() {
                let RefOr::T(inline) = response else { continue };
                if !is_problem(inline) {
                    continue;
                }
                let description = std::mem::take(&mut inline.description);
                if shared.is_none() {
                    let mut body = inline.clone();
                    body.description =
                        "A problem document (RFC 9457): `code` says what went wrong.".to_owned();
                    shared = Some(body);
                }
                let mut reference =
                    utoipa::openapi::Ref::new(format!("#/components/responses/{PROBLEM_RESPONSE}"));
                reference.description = description;
                *response = RefOr::Ref(reference);
            }
        }
    }
    if let Some(body) = shared {
        let components = api.components.get_or_insert_with(Default::default);
        components
            .responses
            .insert(PROBLEM_RESPONSE.to_owned(), RefOr::T(body));
    }
}

/// The document as committed in `openapi/openapi.json`: pretty-printed, ending with a newline.
pub fn openapi_json() -> String {
    let mut text = openapi().to_pretty_json().unwrap_or_default();
    text.push('\n');
    text
}
