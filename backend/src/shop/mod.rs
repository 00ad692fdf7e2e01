//! The public shop of a merchant, found by its slug: what anyone may see without signing in —
//! the store profile and its listed products at the price the caller is entitled to. The shop's
//! address also keys everything its shoppers and distributors do, under `/api/v1/shops/{slug}`;
//! `access` says who may use those paths.

pub mod access;
pub mod routes;

pub use access::{OpenShop, ShopMember};

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::catalog::lifecycle::ProductStatus;
use crate::catalog::pricing::{self, Buyer, PriceQuote};
use crate::catalog::products::{self, ProductQuery};
use crate::db::ids::{MemberId, MerchantId};
use crate::db::DbConnection;
use crate::error::AppResult;
use crate::media::Media;
use crate::tenancy::merchant;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Shop {
    #[schema(value_type = i64)]
    pub merchant_id: MerchantId,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub logo: Option<Media>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ShopSku {
    pub id: i64,
    pub spec_values: std::collections::BTreeMap<String, String>,
    /// What this caller pays per unit, and why.
    pub price: PriceQuote,
    pub in_stock: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ShopProduct {
    pub id: i64,
    pub name: String,
    pub subtitle: String,
    pub description_html: String,
    pub category_id: Option<i64>,
    pub tags: Vec<String>,
    pub spec_names: Vec<String>,
    pub images: Vec<Media>,
    pub skus: Vec<ShopSku>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ShopProductPage {
    pub items: Vec<ShopProduct>,
    pub next_cursor: Option<i64>,
}

#[derive(Debug, Clone, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ShopQuery {
    pub category_id: Option<i64>,
    pub q: Option<String>,
    pub cursor: Option<i64>,
    /// 1–100, default 20.
    pub limit: Option<i64>,
}

pub fn shop(conn: &mut DbConnection, slug: &str) -> AppResult<Shop> {
    let m = merchant::by_slug(conn, slug)?;
    Ok(Shop {
        merchant_id: m.id,
        slug: m.slug,
        name: m.name,
        description: m.description,
        logo: m.logo,
    })
}

/// Listed products only; stock is shown as available or not, never as a number.
pub fn products(
    conn: &mut DbConnection,
    slug: &str,
    query: &ShopQuery,
    member: Option<(MerchantId, MemberId)>,
) -> AppResult<ShopProductPage> {
    let merchant_id: MerchantId = merchant::by_slug(conn, slug)?.id;
    // A member of another shop buys here like anyone else.
    let buyer = match member {
        Some((member_merchant, member_id)) if member_merchant == merchant_id => {
            Buyer::of_member(conn, merchant_id, member_id)?
        }
        _ => Buyer::default(),
    };
    let page = products::list(
        conn,
        merchant_id,
        &ProductQuery {
            status: Some(ProductStatus::Listed),
            category_id: query.category_id,
            q: query.q.clone(),
            cursor: query.cursor,
            limit: query.limit,
            ..ProductQuery::default()
        },
    )?;
    let mut items = Vec::with_capacity(page.items.len());
    for product in page.items {
        let mut skus = Vec::with_capacity(product.skus.len());
        for sku in product.skus {
            let in_stock = sku.available() > 0;
            skus.push(ShopSku {
                id: sku.id.get(),
                spec_values: sku.spec_values,
                price: pricing::quote(conn, merchant_id, sku.id, buyer)?,
                in_stock,
            });
        }
        items.push(ShopProduct {
            id: product.id.get(),
            name: product.name,
            subtitle: product.subtitle,
            description_html: product.description_html,
            category_id: product.category_id,
            tags: product.tags,
            spec_names: product.spec_names,
            images: product.images,
            skus,
        });
    }
    Ok(ShopProductPage {
        items,
        next_cursor: page.next_cursor,
    })
}

/// Registers this module's routes (and so their OpenAPI paths) under the API prefix.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(routes::get_shop)
        .service(routes::list_shop_products);
}
