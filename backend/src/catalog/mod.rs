//! The catalog: categories, products with specifications, SKUs and their price system, and the
//! review workflow that decides what the shop shows.

pub mod batch_status;
pub mod categories;
pub mod category_routes;
pub mod editing;
pub mod import;
pub mod import_routes;
pub mod lifecycle;
pub mod models;
pub mod pricing;
pub mod product_routes;
pub mod products;
pub mod sheet;
pub mod tier_prices;

/// Registers this module's routes (and so their OpenAPI paths) under the API prefix.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(category_routes::list_categories)
        .service(category_routes::create_category)
        .service(category_routes::update_category)
        .service(category_routes::delete_category)
        .service(product_routes::list_products)
        .service(product_routes::create_product)
        .service(product_routes::get_product)
        .service(product_routes::update_product)
        .service(product_routes::update_sku)
        .service(product_routes::change_product_status)
        .service(product_routes::batch_product_status)
        .service(product_routes::review_product)
        .service(import_routes::import_catalog)
        .service(import_routes::list_imports)
        .service(import_routes::get_import)
        .service(import_routes::export_catalog)
        .service(product_routes::set_product_images);
}
