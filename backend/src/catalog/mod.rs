//! The catalog: categories, products with specifications, SKUs and their price system, and the
//! review workflow that decides what the shop shows.

pub mod batch_status;
pub mod categories;
pub mod category_routes;
pub mod editing;
pub mod import;
pub mod import_routes;
pub mod lifecycle;
pub mod pricing;
pub mod product_routes;
pub mod products;
pub mod sheet;
pub mod tier_prices;
