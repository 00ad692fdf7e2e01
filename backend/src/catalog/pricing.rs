//! "The price this buyer pays for this SKU, and why": the lowest price the buyer is entitled to
//! among the retail price, the price of their member tier and the purchase price of their
//! distributor tier. Everything that prices a SKU asks here.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::schema::{distributors, sku_tier_prices, skus};
use crate::db::DbConnection;
use crate::error::AppResult;
use crate::money::Money;

/// What the buyer is, as far as prices go.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Buyer {
    pub member_tier_id: Option<i64>,
    pub distributor_tier_id: Option<i64>,
}

impl Buyer {
    /// What a member of the merchant is entitled to. A member whose distributor profile is
    /// `active` buys at their tier's purchase price; a frozen or ended distributor buys like any
    /// member. Member tiers have no table yet, so `member_tier_id` stays empty. Another
    /// merchant's member is an anonymous buyer here.
    pub fn of_member(
        conn: &mut DbConnection,
        merchant_id: i64,
        member_id: i64,
    ) -> AppResult<Buyer> {
        let tier: Option<Option<i64>> = distributors::table
            .filter(distributors::merchant_id.eq(merchant_id))
            .filter(distributors::member_id.eq(member_id))
            .filter(distributors::status.eq("active"))
            .select(distributors::tier_id)
            .first(conn)
            .optional()?;
        Ok(Buyer {
            member_tier_id: None,
            distributor_tier_id: tier.flatten(),
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PriceSource {
    Retail,
    MemberTier,
    DistributorTier,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PriceQuote {
    pub unit_price: Money,
    pub source: PriceSource,
    /// The tier whose price applies, when not retail.
    pub tier_id: Option<i64>,
}

/// The lowest of the candidates; on a tie the retail price wins, then the member price (the
/// order is the one a buyer would expect to see named).
pub fn lowest(
    retail: Money,
    member: Option<(i64, Money)>,
    distributor: Option<(i64, Money)>,
) -> PriceQuote {
    let mut best = PriceQuote {
        unit_price: retail,
        source: PriceSource::Retail,
        tier_id: None,
    };
    for (source, candidate) in [
        (PriceSource::MemberTier, member),
        (PriceSource::DistributorTier, distributor),
    ] {
        if let Some((tier_id, price)) = candidate {
            if price < best.unit_price {
                best = PriceQuote {
                    unit_price: price,
                    source,
                    tier_id: Some(tier_id),
                };
            }
        }
    }
    best
}

fn tier_price(
    conn: &mut DbConnection,
    sku_id: i64,
    kind: &str,
    tier_id: Option<i64>,
) -> AppResult<Option<(i64, Money)>> {
    let Some(tier_id) = tier_id else {
        return Ok(None);
    };
    let fen: Option<i64> = sku_tier_prices::table
        .filter(sku_tier_prices::sku_id.eq(sku_id))
        .filter(sku_tier_prices::tier_kind.eq(kind))
        .filter(sku_tier_prices::tier_id.eq(tier_id))
        .select(sku_tier_prices::price_fen)
        .first(conn)
        .optional()?;
    Ok(fen
        .and_then(|f| Money::from_fen(f).ok())
        .map(|price| (tier_id, price)))
}

/// The quote for one SKU of the merchant; another merchant's SKU is not found.
pub fn quote(
    conn: &mut DbConnection,
    merchant_id: i64,
    sku_id: i64,
    buyer: Buyer,
) -> AppResult<PriceQuote> {
    let retail_fen: i64 = skus::table
        .filter(skus::id.eq(sku_id))
        .filter(skus::merchant_id.eq(merchant_id))
        .select(skus::retail_price_fen)
        .first(conn)?;
    let retail = Money::from_fen(retail_fen).unwrap_or(Money::ZERO);
    let member = tier_price(conn, sku_id, "member", buyer.member_tier_id)?;
    let distributor = tier_price(conn, sku_id, "distributor", buyer.distributor_tier_id)?;
    Ok(lowest(retail, member, distributor))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(fen: i64) -> Money {
        Money::from_fen(fen).unwrap()
    }

    #[test]
    fn the_lowest_entitled_price_wins() {
        assert_eq!(lowest(m(1000), None, None).source, PriceSource::Retail);
        let q = lowest(m(1000), Some((1, m(900))), Some((2, m(800))));
        assert_eq!(
            (q.unit_price, q.source, q.tier_id),
            (m(800), PriceSource::DistributorTier, Some(2))
        );
        let q = lowest(m(1000), Some((1, m(700))), Some((2, m(800))));
        assert_eq!(q.source, PriceSource::MemberTier);
        let q = lowest(m(1000), Some((1, m(1200))), None);
        assert_eq!(
            q.source,
            PriceSource::Retail,
            "a tier price above retail is not a discount"
        );
        let q = lowest(m(1000), Some((1, m(1000))), None);
        assert_eq!(q.source, PriceSource::Retail, "ties name the retail price");
    }
}
