//! "The price this buyer pays for this SKU, and why": the lowest price the buyer is entitled to
//! among the retail price, the price of their member tier, the purchase price their distributor
//! tier has on the SKU, and retail less their distributor tier's purchase discount. Everything
//! that prices a SKU asks here.

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::catalog::products::TierKind;
use crate::db::ids::{MemberId, MerchantId, SkuId};
use crate::db::schema::{distributor_tiers, distributors, sku_tier_prices, skus};
use crate::db::DbConnection;
use crate::distribution::rate::{Rate, WHOLE};
use crate::error::AppResult;
use crate::money::Money;
use crate::network::status::DistributorStatus;

/// What the buyer is, as far as prices go.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Buyer {
    pub member_tier_id: Option<i64>,
    pub distributor_tier_id: Option<i64>,
    /// The purchase discount of `distributor_tier_id` on every SKU; zero without a tier.
    pub distributor_discount: Rate,
}

impl Buyer {
    /// What a member of the merchant is entitled to. A member whose distributor profile is
    /// `active` buys at their tier's purchase price; a frozen or ended distributor buys like any
    /// member. Member tiers have no table yet, so `member_tier_id` stays empty. Another
    /// merchant's member is an anonymous buyer here.
    pub fn of_member(
        conn: &mut DbConnection,
        merchant_id: MerchantId,
        member_id: MemberId,
    ) -> AppResult<Buyer> {
        // The tier is read with the merchant's own filter too: a distributor only ever holds a
        // tier of their merchant, and this keeps it so should a row say otherwise.
        let tier: Option<(i64, i64)> = distributors::table
            .inner_join(distributor_tiers::table)
            .filter(distributors::merchant_id.eq(merchant_id))
            .filter(distributor_tiers::merchant_id.eq(merchant_id))
            .filter(distributors::member_id.eq(member_id))
            .filter(distributors::status.eq(DistributorStatus::Active))
            .select((distributor_tiers::id, distributor_tiers::purchase_discount))
            .first(conn)
            .optional()?;
        Ok(match tier {
            Some((tier_id, discount)) => Buyer {
                member_tier_id: None,
                distributor_tier_id: Some(tier_id),
                // Stored values are checked on write; an impossible one gives no discount.
                distributor_discount: Rate::from_millionths(discount).unwrap_or(Rate::ZERO),
            },
            None => Buyer::default(),
        })
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PriceSource {
    Retail,
    MemberTier,
    /// The purchase price the distributor tier has on this SKU.
    DistributorTier,
    /// Retail less the distributor tier's purchase discount (`discount`).
    DistributorTierDiscount,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PriceQuote {
    pub unit_price: Money,
    pub source: PriceSource,
    /// The tier whose price applies, when not retail.
    pub tier_id: Option<i64>,
    /// The percentage taken off retail, with `distributor_tier_discount` only.
    pub discount: Option<Rate>,
}

/// Retail less a discount, in whole fen: `retail × (1 − discount)` rounded half up on the fen
/// (128.50 less 12.5 % is 112.4375, paid as 112.44; 0.01 less 50 % is 0.005, paid as 0.01).
/// Exact integer arithmetic; a discount is at most 100 %, so the price never goes below zero.
pub fn discounted(retail: Money, discount: Rate) -> Money {
    let kept =
        Rate::from_millionths(WHOLE - discount.millionths().clamp(0, WHOLE)).unwrap_or(Rate::ZERO);
    // The kept share lies between 0 and retail, so it is a valid amount.
    Money::from_fen(kept.of(retail.fen())).unwrap_or(Money::ZERO)
}

/// The lowest of the candidates. On a tie the first named wins, in the order retail, member
/// price, the tier's purchase price on the SKU, the tier discount: the explicit price is the one
/// a buyer would expect to see named.
pub fn lowest(
    retail: Money,
    member: Option<(i64, Money)>,
    distributor: Option<(i64, Money)>,
    distributor_discount: Option<(i64, Rate)>,
) -> PriceQuote {
    let mut best = PriceQuote {
        unit_price: retail,
        source: PriceSource::Retail,
        tier_id: None,
        discount: None,
    };
    let by_discount = distributor_discount.map(|(tier_id, rate)| {
        (
            PriceSource::DistributorTierDiscount,
            tier_id,
            discounted(retail, rate),
            Some(rate),
        )
    });
    let candidates = [
        member.map(|(t, p)| (PriceSource::MemberTier, t, p, None)),
        distributor.map(|(t, p)| (PriceSource::DistributorTier, t, p, None)),
        by_discount,
    ];
    for (source, tier_id, price, discount) in candidates.into_iter().flatten() {
        if price < best.unit_price {
            best = PriceQuote {
                unit_price: price,
                source,
                tier_id: Some(tier_id),
                discount,
            };
        }
    }
    best
}

fn tier_price(
    conn: &mut DbConnection,
    sku_id: SkuId,
    kind: TierKind,
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
    merchant_id: MerchantId,
    sku_id: SkuId,
    buyer: Buyer,
) -> AppResult<PriceQuote> {
    let retail_fen: i64 = skus::table
        .filter(skus::id.eq(sku_id))
        .filter(skus::merchant_id.eq(merchant_id))
        .select(skus::retail_price_fen)
        .first(conn)?;
    let retail = Money::from_fen(retail_fen).unwrap_or(Money::ZERO);
    let member = tier_price(conn, sku_id, TierKind::Member, buyer.member_tier_id)?;
    let distributor = tier_price(
        conn,
        sku_id,
        TierKind::Distributor,
        buyer.distributor_tier_id,
    )?;
    let discount = buyer
        .distributor_tier_id
        .map(|tier_id| (tier_id, buyer.distributor_discount));
    Ok(lowest(retail, member, distributor, discount))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(fen: i64) -> Money {
        Money::from_fen(fen).unwrap()
    }

    fn pct(text: &str) -> Rate {
        Rate::parse_percent(text).unwrap()
    }

    #[test]
    fn the_lowest_entitled_price_wins() {
        assert_eq!(
            lowest(m(1000), None, None, None).source,
            PriceSource::Retail
        );
        let q = lowest(m(1000), Some((1, m(900))), Some((2, m(800))), None);
        assert_eq!(
            (q.unit_price, q.source, q.tier_id),
            (m(800), PriceSource::DistributorTier, Some(2))
        );
        let q = lowest(m(1000), Some((1, m(700))), Some((2, m(800))), None);
        assert_eq!(q.source, PriceSource::MemberTier);
        let q = lowest(m(1000), Some((1, m(1200))), None, None);
        assert_eq!(
            q.source,
            PriceSource::Retail,
            "a tier price above retail is not a discount"
        );
        let q = lowest(m(1000), Some((1, m(1000))), None, None);
        assert_eq!(q.source, PriceSource::Retail, "ties name the retail price");
    }

    #[test]
    fn the_tier_discount_competes_with_the_tier_price() {
        // 20 % off 10.00 is 8.00, below the tier's 9.00 on this SKU.
        let q = lowest(m(1000), None, Some((2, m(900))), Some((2, pct("20"))));
        assert_eq!(
            q,
            PriceQuote {
                unit_price: m(800),
                source: PriceSource::DistributorTierDiscount,
                tier_id: Some(2),
                discount: Some(pct("20")),
            }
        );
        // 5 % off is 9.50: the tier's price on the SKU is lower and wins.
        let q = lowest(m(1000), None, Some((2, m(900))), Some((2, pct("5"))));
        assert_eq!(
            (q.unit_price, q.source, q.discount),
            (m(900), PriceSource::DistributorTier, None)
        );
        // Equal: the explicit price is named.
        let q = lowest(m(1000), None, Some((2, m(900))), Some((2, pct("10"))));
        assert_eq!(q.source, PriceSource::DistributorTier);
        // A member price below both still wins.
        let q = lowest(m(1000), Some((1, m(700))), None, Some((2, pct("20"))));
        assert_eq!(q.source, PriceSource::MemberTier);
        // No discount is retail, and retail is named.
        let q = lowest(m(1000), None, None, Some((2, Rate::ZERO)));
        assert_eq!(
            (q.source, q.tier_id, q.discount),
            (PriceSource::Retail, None, None)
        );
    }

    #[test]
    fn a_discounted_price_is_rounded_half_up_on_the_fen() {
        // 128.50 × 0.875 = 112.4375 → 112.44.
        assert_eq!(discounted(m(12_850), pct("12.5")), m(11_244));
        // 0.99 × 0.5 = 0.495 → 0.50 (exactly half a fen rounds up).
        assert_eq!(discounted(m(99), pct("50")), m(50));
        // 0.99 × 0.9 = 0.891 → 0.89 (below half rounds down).
        assert_eq!(discounted(m(99), pct("10")), m(89));
        // 0.01 × 0.6667 = 0.006667 → 0.01; 0.01 × 0.3333 → 0.00.
        assert_eq!(discounted(m(1), pct("33.33")), m(1));
        assert_eq!(discounted(m(1), pct("66.67")), m(0));
        // Never below zero, never above retail.
        assert_eq!(discounted(m(12_850), pct("100")), Money::ZERO);
        assert_eq!(discounted(Money::ZERO, pct("12.5")), Money::ZERO);
        assert_eq!(discounted(m(12_850), Rate::ZERO), m(12_850));
        // The largest amount does not overflow.
        let max = Money::from_fen(crate::money::MAX_FEN).unwrap();
        assert_eq!(discounted(max, pct("50")).fen(), crate::money::MAX_FEN / 2);
        assert_eq!(discounted(max, pct("0.0001")).fen(), 9_999_990_000_000);
    }
}
