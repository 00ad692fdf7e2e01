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
    audit, auth, binding, catalog, contests, distribution, integrations, inventory, logistics,
    media, members, network, notify, payments, platform, recruitment, regions, shop, tenancy,
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
                .service(tenancy::routes::sign_up)
                .service(tenancy::routes::verify_email)
                .service(auth::routes::staff_sign_in)
                .service(auth::routes::operator_sign_in)
                .service(auth::routes::refresh)
                .service(auth::routes::sign_out)
                .service(auth::routes::me)
                .service(auth::routes::list_sessions)
                .service(auth::routes::revoke_session)
                .service(auth::routes::mfa_enrol)
                .service(auth::routes::mfa_confirm)
                .service(auth::routes::mfa_disable)
                .service(auth::routes::mfa_verify)
                .service(auth::routes::request_password_reset)
                .service(auth::routes::confirm_password_reset)
                .service(audit::routes::search_audit_events)
                .service(tenancy::staff_routes::list_staff)
                .service(tenancy::staff_routes::invite_staff)
                .service(tenancy::staff_routes::accept_invitation)
                .service(tenancy::staff_routes::get_staff)
                .service(tenancy::staff_routes::update_staff)
                .service(tenancy::staff_routes::unlock_staff)
                .service(tenancy::merchant_routes::get_merchant)
                .service(tenancy::merchant_routes::set_security_policy)
                .service(tenancy::merchant_routes::update_profile)
                .service(payments::routes::list_payment_methods)
                .service(payments::routes::save_payment_method)
                .service(shop::routes::get_shop)
                .service(shop::routes::list_shop_products)
                .service(platform::routes::list_outbox)
                .service(platform::routes::list_merchants)
                .service(platform::routes::approve_merchant)
                .service(platform::routes::suspend_merchant)
                .service(platform::routes::reactivate_merchant)
                .service(platform::routes::product_review_queue)
                .service(platform::routes::platform_review_product)
                .service(members::routes::send_code)
                .service(members::routes::register)
                .service(members::routes::sign_in)
                .service(members::routes::me)
                .service(binding::routes::record_visit)
                .service(binding::routes::list_member_bindings)
                .service(binding::routes::reassign_binding)
                .service(binding::routes::list_distributor_customers)
                .service(contests::routes::get_leaderboard)
                .service(contests::routes::list_contests)
                .service(contests::routes::create_contest)
                .service(contests::routes::get_contest)
                .service(contests::routes::update_contest)
                .service(contests::routes::delete_contest)
                .service(contests::routes::publish_contest)
                .service(contests::routes::cancel_contest)
                .service(contests::routes::get_contest_standings)
                .service(contests::routes::list_member_contests)
                .service(contests::routes::get_member_contest)
                .service(catalog::category_routes::list_categories)
                .service(catalog::category_routes::create_category)
                .service(catalog::category_routes::update_category)
                .service(catalog::category_routes::delete_category)
                .service(catalog::product_routes::list_products)
                .service(catalog::product_routes::create_product)
                .service(catalog::product_routes::get_product)
                .service(catalog::product_routes::update_product)
                .service(catalog::product_routes::update_sku)
                .service(catalog::product_routes::change_product_status)
                .service(catalog::product_routes::batch_product_status)
                .service(catalog::product_routes::review_product)
                .service(catalog::import_routes::import_catalog)
                .service(catalog::import_routes::list_imports)
                .service(catalog::import_routes::get_import)
                .service(catalog::import_routes::export_catalog)
                .service(inventory::routes::adjust_stock)
                .service(inventory::routes::import_codes)
                .service(inventory::routes::code_summary)
                .service(inventory::routes::list_low_stock)
                .service(media::routes::upload_media)
                .service(catalog::product_routes::set_product_images)
                .service(regions::list_regions)
                .service(logistics::routes::list_carriers)
                .service(logistics::routes::create_carrier)
                .service(logistics::routes::update_carrier)
                .service(logistics::routes::get_delivery_methods)
                .service(logistics::routes::set_delivery_methods)
                .service(logistics::routes::list_pickup_points)
                .service(logistics::routes::create_pickup_point)
                .service(logistics::routes::update_pickup_point)
                .service(logistics::routes::list_freight_templates)
                .service(logistics::routes::create_freight_template)
                .service(logistics::routes::get_freight_template)
                .service(logistics::routes::update_freight_template)
                .service(logistics::routes::delete_freight_template)
                .service(logistics::routes::quote_freight)
                .service(distribution::routes::get_distribution_settings)
                .service(distribution::routes::save_distribution_settings)
                .service(distribution::routes::list_tiers)
                .service(distribution::routes::create_tier)
                .service(distribution::routes::reorder_tiers)
                .service(distribution::routes::get_tier)
                .service(distribution::routes::update_tier)
                .service(distribution::routes::delete_tier)
                .service(integrations::api_key_routes::list_api_keys)
                .service(integrations::api_key_routes::create_api_key)
                .service(integrations::api_key_routes::revoke_api_key)
                .service(notify::inbox_routes::list_notifications)
                .service(notify::inbox_routes::count_unread_notifications)
                .service(notify::inbox_routes::mark_all_notifications_read)
                .service(notify::inbox_routes::mark_notification_read)
                .service(network::routes::list_distributors)
                .service(network::routes::create_distributor)
                .service(network::routes::get_distributor)
                .service(network::routes::get_upline)
                .service(network::routes::get_team)
                .service(network::routes::list_tier_changes)
                .service(network::routes::list_children)
                .service(network::routes::move_distributor)
                .service(network::routes::freeze_distributor)
                .service(network::routes::unfreeze_distributor)
                .service(network::routes::end_distributor)
                .service(network::routes::set_distributor_tier)
                .service(network::routes::release_promotion_hold)
                .service(network::routes::my_distributor)
                .service(recruitment::routes::get_recruit_link)
                .service(recruitment::routes::get_recruit_qr_png)
                .service(recruitment::routes::get_recruit_qr_svg)
                .service(recruitment::routes::get_my_recruit_link)
                .service(recruitment::routes::get_my_recruit_qr_png)
                .service(recruitment::routes::get_my_recruit_qr_svg)
                .service(recruitment::routes::get_application_form)
                .service(recruitment::routes::save_application_form)
                .service(recruitment::routes::get_shop_application_form)
                .service(recruitment::routes::apply)
                .service(recruitment::routes::get_my_application)
                .service(recruitment::routes::list_applications)
                .service(recruitment::routes::get_application)
                .service(recruitment::routes::approve_application)
                .service(recruitment::routes::reject_application),
        );
}

/// The OpenAPI document of the whole API, as served at `/api/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, api) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(configure)
        .split_for_parts();
    api
}

/// The document as committed in `openapi/openapi.json`: pretty-printed, ending with a newline.
pub fn openapi_json() -> String {
    let mut text = openapi().to_pretty_json().unwrap_or_default();
    text.push('\n');
    text
}
