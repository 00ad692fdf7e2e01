//! A member's cart in one shop: SKUs and quantities. The cart prices nothing itself: it shows
//! each line with the price the member is entitled to now and whether it can be bought, and the
//! quote (`checkout::quote`) prices it as an order. A SKU that is no longer sold or is out of
//! stock stays in the cart, shown as such, until the member removes it.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::models::{CartItemInsertForm, CartItemRow};
use crate::catalog::lifecycle::ProductStatus;
use crate::catalog::models::SkuRow;
use crate::catalog::pricing::{self, Buyer, PriceQuote};
use crate::catalog::products::SkuKind;
use crate::db::ids::{MemberId, MerchantId, ProductId, SkuId};
use crate::db::schema::{cart_items, products, skus};
use crate::db::DbConnection;
use crate::error::{AppError, AppResult, ErrorCode};

/// Most units of one SKU in a cart or an order line.
pub const MAX_QUANTITY: i64 = 9_999;

/// A SKU as an order needs it: its row and its product's name, status and freight template.
#[derive(Debug, Clone)]
pub struct SoldSku {
    pub sku: SkuRow,
    pub product_name: String,
    pub product_status: ProductStatus,
    pub freight_template_id: Option<i64>,
}

impl SoldSku {
    /// Units that can be sold now: stock, then the presale allowance.
    pub fn available(&self) -> i64 {
        self.sku.stock + self.sku.presale_quantity - self.sku.presale_sold
    }

    pub fn spec_values(&self) -> BTreeMap<String, String> {
        serde_json::from_str(&self.sku.spec_values).unwrap_or_default()
    }
}

/// The merchant's SKUs among `ids`, with their products; unknown ids are left out.
pub fn sold_skus(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    ids: &[SkuId],
) -> AppResult<HashMap<SkuId, SoldSku>> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(SkuRow, String, ProductStatus, Option<i64>)> = skus::table
        .inner_join(products::table)
        .filter(skus::merchant_id.eq(merchant_id))
        .filter(products::merchant_id.eq(merchant_id))
        .filter(skus::id.eq_any(ids))
        .select((
            SkuRow::as_select(),
            products::name,
            products::status,
            products::freight_template_id,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(sku, product_name, product_status, freight_template_id)| {
            (
                sku.id,
                SoldSku {
                    sku,
                    product_name,
                    product_status,
                    freight_template_id,
                },
            )
        })
        .collect())
}

/// Whether a cart line can be bought as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Availability {
    Available,
    /// Fewer units can be sold than the line asks for (`available` says how many).
    OutOfStock,
    /// The product is no longer listed, or the SKU was removed.
    NotSold,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CartLine {
    #[schema(value_type = i64)]
    pub sku_id: SkuId,
    /// Absent when the SKU was removed.
    #[schema(value_type = Option<i64>)]
    pub product_id: Option<ProductId>,
    pub product_name: Option<String>,
    pub sku_code: Option<String>,
    pub spec_values: BTreeMap<String, String>,
    pub kind: Option<SkuKind>,
    pub quantity: i64,
    /// The unit price the member is entitled to now; absent when the SKU is not sold.
    pub price: Option<PriceQuote>,
    pub availability: Availability,
    /// Units that can be sold now, when fewer than asked.
    pub available: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Cart {
    /// Oldest first.
    pub lines: Vec<CartLine>,
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddToCart {
    #[validate(range(min = 1))]
    #[schema(value_type = i64)]
    pub sku_id: SkuId,
    /// Added to what the cart holds already; 1–9999 in all.
    #[validate(range(min = 1, max = 9999))]
    pub quantity: i64,
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetQuantity {
    #[validate(range(min = 1, max = 9999))]
    pub quantity: i64,
}

fn not_in_cart() -> AppError {
    AppError::NotFound
}

/// The member's cart, each line priced and checked now.
pub fn view(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: MemberId,
) -> AppResult<Cart> {
    let rows: Vec<CartItemRow> = cart_items::table
        .filter(cart_items::merchant_id.eq(merchant_id))
        .filter(cart_items::member_id.eq(member_id))
        .order((cart_items::added_at.asc(), cart_items::sku_id.asc()))
        .select(CartItemRow::as_select())
        .load(conn)?;
    let ids: Vec<SkuId> = rows.iter().map(|r| r.sku_id).collect();
    let found = sold_skus(conn, merchant_id, &ids)?;
    let buyer = Buyer::of_member(conn, merchant_id, member_id)?;
    let mut lines = Vec::with_capacity(rows.len());
    for row in rows {
        let line = match found.get(&row.sku_id) {
            None => CartLine {
                sku_id: row.sku_id,
                product_id: None,
                product_name: None,
                sku_code: None,
                spec_values: BTreeMap::new(),
                kind: None,
                quantity: row.quantity,
                price: None,
                availability: Availability::NotSold,
                available: None,
            },
            Some(sold) => {
                let listed = sold.product_status == ProductStatus::Listed;
                let available = sold.available();
                let availability = if !listed {
                    Availability::NotSold
                } else if available < row.quantity {
                    Availability::OutOfStock
                } else {
                    Availability::Available
                };
                CartLine {
                    sku_id: row.sku_id,
                    product_id: Some(sold.sku.product_id),
                    product_name: Some(sold.product_name.clone()),
                    sku_code: Some(sold.sku.code.clone()),
                    spec_values: sold.spec_values(),
                    kind: Some(sold.sku.kind),
                    quantity: row.quantity,
                    price: if listed {
                        Some(pricing::quote(conn, merchant_id, row.sku_id, buyer)?)
                    } else {
                        None
                    },
                    availability,
                    available: (listed && available < row.quantity).then_some(available.max(0)),
                }
            }
        };
        lines.push(line);
    }
    Ok(Cart { lines })
}

/// Adds units of a listed SKU of the shop. 422 `unknown_sku` for a SKU the shop does not sell
/// (another merchant's included); 422 `out_of_range` when the cart would hold more than 9999.
pub fn add(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: MemberId,
    request: &AddToCart,
    now: NaiveDateTime,
) -> AppResult<Cart> {
    let sold = sold_skus(conn, merchant_id, &[request.sku_id])?;
    if !sold
        .get(&request.sku_id)
        .is_some_and(|s| s.product_status == ProductStatus::Listed)
    {
        return Err(AppError::field("sku_id", ErrorCode::SkuNotSold));
    }
    let held: Option<i64> = cart_items::table
        .filter(cart_items::member_id.eq(member_id))
        .filter(cart_items::sku_id.eq(request.sku_id))
        .select(cart_items::quantity)
        .first(conn)
        .optional()?;
    let quantity = held.unwrap_or(0) + request.quantity;
    if quantity > MAX_QUANTITY {
        return Err(AppError::field(
            "quantity",
            ErrorCode::OutOfRange.arg("min", 1).arg("max", MAX_QUANTITY),
        ));
    }
    match held {
        Some(_) => {
            diesel::update(
                cart_items::table
                    .filter(cart_items::member_id.eq(member_id))
                    .filter(cart_items::sku_id.eq(request.sku_id)),
            )
            .set((
                cart_items::quantity.eq(quantity),
                cart_items::updated_at.eq(now),
            ))
            .execute(conn)?;
        }
        None => {
            diesel::insert_into(cart_items::table)
                .values(CartItemInsertForm {
                    merchant_id,
                    member_id,
                    sku_id: request.sku_id,
                    quantity,
                    added_at: now,
                    updated_at: now,
                })
                .execute(conn)?;
        }
    }
    view(conn, merchant_id, member_id)
}

/// Sets the quantity of a line of the cart; 404 when the cart has no such line.
pub fn set_quantity(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: MemberId,
    sku_id: SkuId,
    request: &SetQuantity,
    now: NaiveDateTime,
) -> AppResult<Cart> {
    let changed = diesel::update(
        cart_items::table
            .filter(cart_items::merchant_id.eq(merchant_id))
            .filter(cart_items::member_id.eq(member_id))
            .filter(cart_items::sku_id.eq(sku_id)),
    )
    .set((
        cart_items::quantity.eq(request.quantity),
        cart_items::updated_at.eq(now),
    ))
    .execute(conn)?;
    if changed == 0 {
        return Err(not_in_cart());
    }
    view(conn, merchant_id, member_id)
}

/// Removes a line of the cart; 404 when the cart has no such line.
pub fn remove(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: MemberId,
    sku_id: SkuId,
) -> AppResult<Cart> {
    let removed = diesel::delete(
        cart_items::table
            .filter(cart_items::merchant_id.eq(merchant_id))
            .filter(cart_items::member_id.eq(member_id))
            .filter(cart_items::sku_id.eq(sku_id)),
    )
    .execute(conn)?;
    if removed == 0 {
        return Err(not_in_cart());
    }
    view(conn, merchant_id, member_id)
}

/// Takes the ordered SKUs out of the cart, inside the placement's transaction.
pub(crate) fn clear_ordered(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: MemberId,
    ordered: &[SkuId],
) -> AppResult<()> {
    diesel::delete(
        cart_items::table
            .filter(cart_items::merchant_id.eq(merchant_id))
            .filter(cart_items::member_id.eq(member_id))
            .filter(cart_items::sku_id.eq_any(ordered)),
    )
    .execute(conn)?;
    Ok(())
}
