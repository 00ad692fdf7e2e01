//! The pricing engine: what an order costs, line by line, in whole fen. Pure: the caller reads
//! the buyer's entitled prices (`catalog::pricing`), the discounts and the freight rules, and this
//! module does the arithmetic, for the quote and again for the placement.
//!
//! Per line: the unit price is the lowest of the entitled price and the flash-sale price, times
//! the quantity, less the line's own discount (capped at the line). Then the order-level
//! discounts — the coupon, then the points deduction — are each capped at what is left of the
//! goods and allocated to the lines in proportion to what is left of each, by largest remainder.
//! A line's commission base is what the buyer pays for it; the bases add up exactly to the paid
//! goods amount. Freight is quoted per freight template over the lines it charges, on what the
//! buyer pays for those lines (the free-shipping threshold counts paid goods), and is never part
//! of a base. The total is the paid goods plus freight.
//!
//! The one rounding this module makes is the largest-remainder allocation ([`allocate`]);
//! entitled prices arrive already rounded (`catalog::pricing::discounted`).

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::catalog::pricing::{PriceQuote, PriceSource};
use crate::error::{AppError, ErrorCode};
use crate::logistics::freight::{self, FreightError, FreightRules};
use crate::money::Money;

/// One line as the engine needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineInput {
    /// At least 1.
    pub quantity: i64,
    /// The lowest price the buyer is entitled to (`catalog::pricing::quote`).
    pub entitled: PriceQuote,
    /// The SKU's flash-sale price while a sale runs; applies when lower than `entitled`.
    pub flash_sale: Option<Money>,
    /// Taken off the line as a whole (not per unit); at most the line's amount counts.
    pub line_discount: Money,
    /// Grams per unit, for weight-based freight.
    pub unit_weight_g: u32,
    /// Which of [`Shipping::templates`] charges the line's freight; `None`: the line ships free.
    pub freight_template: Option<usize>,
}

/// The order-level discounts, as the marketing rules decided them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct OrderDiscounts {
    pub coupon: Money,
    /// The value of the points the buyer spends.
    pub points: Money,
}

/// Where the freight comes from: the freight templates of the lines and the destination.
#[derive(Debug, Clone, Copy)]
pub struct Shipping<'a> {
    pub templates: &'a [FreightRules],
    /// GB/T 2260 code of the destination's city (or province).
    pub region_code: &'a str,
}

/// Which price a line's unit price is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UnitPriceSource {
    /// A running flash sale's price, lower than the entitled one.
    FlashSale,
    Retail,
    MemberTier,
    DistributorTier,
    DistributorTierDiscount,
}

impl From<PriceSource> for UnitPriceSource {
    fn from(source: PriceSource) -> Self {
        match source {
            PriceSource::Retail => UnitPriceSource::Retail,
            PriceSource::MemberTier => UnitPriceSource::MemberTier,
            PriceSource::DistributorTier => UnitPriceSource::DistributorTier,
            PriceSource::DistributorTierDiscount => UnitPriceSource::DistributorTierDiscount,
        }
    }
}

/// One priced line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PricedLine {
    pub quantity: i64,
    pub unit_price: Money,
    pub unit_price_source: UnitPriceSource,
    /// The tier whose price applies, for tier prices.
    pub tier_id: Option<i64>,
    /// Unit price × quantity.
    pub amount: Money,
    /// The line's own discount, as applied.
    pub line_discount: Money,
    /// The line's share of the coupon.
    pub coupon_share: Money,
    /// The line's share of the points deduction.
    pub points_share: Money,
    /// What the buyer pays for the line, freight excluded: the base of its commission.
    pub commission_base: Money,
}

/// A priced order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct PricedOrder {
    pub lines: Vec<PricedLine>,
    /// The lines' amounts before any discount.
    pub goods_amount: Money,
    pub line_discounts: Money,
    /// The coupon as applied (at most the goods left after line discounts).
    pub coupon: Money,
    /// The points deduction as applied (at most the goods left after the coupon).
    pub points: Money,
    /// What the buyer pays for the goods: the sum of the commission bases.
    pub paid_goods: Money,
    pub freight: Money,
    /// Paid goods plus freight.
    pub total: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PricingError {
    #[error("line {0}: the quantity must be at least 1")]
    Quantity(usize),
    #[error("the order amounts to more than the largest amount")]
    TooLarge,
    #[error(transparent)]
    Freight(#[from] FreightError),
}

impl From<PricingError> for AppError {
    fn from(e: PricingError) -> Self {
        match e {
            PricingError::Quantity(i) => {
                AppError::field(format!("items.{i}.quantity"), ErrorCode::MustBePositive)
            }
            PricingError::TooLarge => AppError::unprocessable(ErrorCode::OrderTooLarge),
            PricingError::Freight(e) => e.into(),
        }
    }
}

fn money(fen: i128) -> Result<Money, PricingError> {
    i64::try_from(fen)
        .ok()
        .and_then(|fen| Money::from_fen(fen).ok())
        .ok_or(PricingError::TooLarge)
}

fn sum(lines: &[PricedLine], of: impl Fn(&PricedLine) -> Money) -> Result<Money, PricingError> {
    money(lines.iter().map(|l| i128::from(of(l).fen())).sum())
}

/// Splits `amount` over `weights` in proportion, in whole fen, so that the shares add up to
/// `amount` exactly: each share is the floor of its exact part, and the fen left over go one
/// each to the largest remainders, the earlier line first on a tie. With `amount` at most the
/// sum of the weights no share exceeds its weight; a zero weight gets nothing. All weights zero:
/// all shares zero (there is nothing to take a discount from).
pub fn allocate(amount: i64, weights: &[i64]) -> Vec<i64> {
    let total: i128 = weights.iter().map(|&w| i128::from(w.max(0))).sum();
    if total == 0 || amount <= 0 {
        return vec![0; weights.len()];
    }
    let amount = i128::from(amount);
    let mut shares: Vec<i128> = Vec::with_capacity(weights.len());
    let mut remainders: Vec<(i128, usize)> = Vec::with_capacity(weights.len());
    for (i, &w) in weights.iter().enumerate() {
        let exact = amount * i128::from(w.max(0));
        shares.push(exact / total);
        remainders.push((exact % total, i));
    }
    let left = amount - shares.iter().sum::<i128>();
    // Largest remainder first; on equal remainders the earlier line.
    remainders.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    for &(_, i) in remainders.iter().take(usize::try_from(left).unwrap_or(0)) {
        shares[i] += 1;
    }
    // Every share lies between 0 and `amount`, which came from an i64.
    shares
        .into_iter()
        .map(|s| i64::try_from(s).unwrap_or(i64::MAX))
        .collect()
}

/// Prices the lines; see the module documentation for the order of the steps. `shipping`:
/// `None` for goods that are not sent (virtual goods, pickup), which cost no freight.
pub fn price(
    lines: &[LineInput],
    discounts: OrderDiscounts,
    shipping: Option<Shipping<'_>>,
) -> Result<PricedOrder, PricingError> {
    let mut priced = Vec::with_capacity(lines.len());
    for (i, line) in lines.iter().enumerate() {
        if line.quantity < 1 {
            return Err(PricingError::Quantity(i));
        }
        let (unit_price, unit_price_source, tier_id) = match line.flash_sale {
            Some(flash) if flash < line.entitled.unit_price => {
                (flash, UnitPriceSource::FlashSale, None)
            }
            _ => (
                line.entitled.unit_price,
                line.entitled.source.into(),
                line.entitled.tier_id,
            ),
        };
        let amount = money(i128::from(unit_price.fen()) * i128::from(line.quantity))?;
        let line_discount = line.line_discount.min(amount);
        priced.push(PricedLine {
            quantity: line.quantity,
            unit_price,
            unit_price_source,
            tier_id,
            amount,
            line_discount,
            coupon_share: Money::ZERO,
            points_share: Money::ZERO,
            commission_base: Money::ZERO,
        });
    }
    let goods_amount = sum(&priced, |l| l.amount)?;
    let line_discounts = sum(&priced, |l| l.line_discount)?;

    // The coupon, then the points, each over what is left of every line.
    let mut left: Vec<i64> = priced
        .iter()
        .map(|l| l.amount.fen() - l.line_discount.fen())
        .collect();
    let coupon = discounts.coupon.fen().min(left.iter().sum());
    for (line, share) in priced.iter_mut().zip(allocate(coupon, &left)) {
        line.coupon_share = money(i128::from(share))?;
    }
    for (rest, line) in left.iter_mut().zip(&priced) {
        *rest -= line.coupon_share.fen();
    }
    let points = discounts.points.fen().min(left.iter().sum());
    for (line, share) in priced.iter_mut().zip(allocate(points, &left)) {
        line.points_share = money(i128::from(share))?;
    }
    for (rest, line) in left.iter().zip(priced.iter_mut()) {
        line.commission_base = money(i128::from(*rest - line.points_share.fen()))?;
    }
    let paid_goods = sum(&priced, |l| l.commission_base)?;

    let mut freight = 0i128;
    if let Some(to) = shipping {
        for (t, rules) in to.templates.iter().enumerate() {
            let charged: Vec<(&LineInput, &PricedLine)> = lines
                .iter()
                .zip(&priced)
                .filter(|(l, _)| l.freight_template == Some(t))
                .collect();
            if charged.is_empty() {
                continue;
            }
            let items: Vec<(u32, u32)> = charged
                .iter()
                .map(|(l, _)| {
                    (
                        u32::try_from(l.quantity).unwrap_or(u32::MAX),
                        l.unit_weight_g,
                    )
                })
                .collect();
            let paid = money(
                charged
                    .iter()
                    .map(|(_, p)| i128::from(p.commission_base.fen()))
                    .sum(),
            )?;
            freight += i128::from(freight::quote(rules, to.region_code, &items, paid)?.fen());
        }
    }
    let freight = money(freight)?;
    let total = money(i128::from(paid_goods.fen()) + i128::from(freight.fen()))?;
    Ok(PricedOrder {
        lines: priced,
        goods_amount,
        line_discounts,
        coupon: money(i128::from(coupon))?,
        points: money(i128::from(points))?,
        paid_goods,
        freight,
        total,
    })
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;
    use crate::logistics::freight::FreightMode;
    use crate::money::MAX_FEN;

    fn fen(n: i64) -> Money {
        Money::from_fen(n).unwrap()
    }

    fn retail(unit: i64, quantity: i64) -> LineInput {
        LineInput {
            quantity,
            entitled: PriceQuote {
                unit_price: fen(unit),
                source: PriceSource::Retail,
                tier_id: None,
                discount: None,
            },
            flash_sale: None,
            line_discount: Money::ZERO,
            unit_weight_g: 500,
            freight_template: Some(0),
        }
    }

    fn by_piece(first: i64, additional: i64, free_from: Option<i64>) -> FreightRules {
        FreightRules {
            mode: FreightMode::Piece,
            first_units: 1,
            first_price: fen(first),
            additional_units: 1,
            additional_price: fen(additional),
            region_overrides: vec![],
            free_shipping_threshold: free_from.map(fen),
            restricted_regions: vec!["650000".into()],
        }
    }

    #[test]
    fn largest_remainder_gives_the_odd_fen_to_the_largest_parts() {
        // 100 over 1:1:1 is 33.33… each; the one fen left goes to the first line.
        assert_eq!(allocate(100, &[1, 1, 1]), vec![34, 33, 33]);
        // 10 over 3:3:4: exact parts 3, 3, 4.
        assert_eq!(allocate(10, &[3, 3, 4]), vec![3, 3, 4]);
        // 5 over 1:2:3 is 0.83, 1.67, 2.5: floors 0, 1, 2; two fen go to .83 and .67.
        assert_eq!(allocate(5, &[1, 2, 3]), vec![1, 2, 2]);
        assert_eq!(allocate(7, &[0, 0]), vec![0, 0]);
        assert_eq!(allocate(3, &[0, 5, 0]), vec![0, 3, 0]);
        assert_eq!(allocate(0, &[4, 5]), vec![0, 0]);
    }

    #[test]
    fn a_coupon_is_shared_in_proportion_and_the_bases_add_up() {
        // 128.50 × 2 and 9.90 × 1, a coupon of 20.00 and points worth 3.33.
        let order = price(
            &[retail(12_850, 2), retail(990, 1)],
            OrderDiscounts {
                coupon: fen(2_000),
                points: fen(333),
            },
            None,
        )
        .unwrap();
        assert_eq!(order.goods_amount, fen(26_690));
        // 2000 × 25700 / 26690 = 1925.82…, 2000 × 990 / 26690 = 74.18…: 1926 and 74.
        let shares: Vec<_> = order.lines.iter().map(|l| l.coupon_share.fen()).collect();
        assert_eq!(shares, vec![1_926, 74]);
        let points: Vec<_> = order.lines.iter().map(|l| l.points_share.fen()).collect();
        assert_eq!(points.iter().sum::<i64>(), 333);
        let bases: Vec<_> = order
            .lines
            .iter()
            .map(|l| l.commission_base.fen())
            .collect();
        assert_eq!(bases.iter().sum::<i64>(), 26_690 - 2_000 - 333);
        assert_eq!(order.paid_goods, fen(24_357));
        assert_eq!(order.total, order.paid_goods);
    }

    #[test]
    fn the_flash_sale_price_applies_only_when_lower() {
        let mut line = retail(10_000, 1);
        line.flash_sale = Some(fen(8_800));
        let order = price(std::slice::from_ref(&line), OrderDiscounts::default(), None).unwrap();
        assert_eq!(order.lines[0].unit_price, fen(8_800));
        assert_eq!(order.lines[0].unit_price_source, UnitPriceSource::FlashSale);
        line.flash_sale = Some(fen(12_000));
        let order = price(&[line], OrderDiscounts::default(), None).unwrap();
        assert_eq!(order.lines[0].unit_price_source, UnitPriceSource::Retail);
    }

    #[test]
    fn discounts_beyond_the_goods_take_them_to_zero_and_no_further() {
        let mut line = retail(500, 2);
        line.line_discount = fen(600);
        let order = price(
            &[line, retail(300, 1)],
            OrderDiscounts {
                coupon: fen(10_000),
                points: fen(50),
            },
            None,
        )
        .unwrap();
        assert_eq!(order.line_discounts, fen(600));
        assert_eq!(order.coupon, fen(700), "capped at what was left");
        assert_eq!(
            order.points,
            Money::ZERO,
            "nothing left to deduct points from"
        );
        assert_eq!(order.paid_goods, Money::ZERO);
    }

    #[test]
    fn freight_is_quoted_on_the_paid_goods_and_kept_out_of_the_bases() {
        let rules = [by_piece(1_000, 500, Some(20_000))];
        let to = Shipping {
            templates: &rules,
            region_code: "330100",
        };
        // 3 pieces: 10.00 + 2 × 5.00.
        let order = price(&[retail(5_000, 3)], OrderDiscounts::default(), Some(to)).unwrap();
        assert_eq!(order.freight, fen(2_000));
        assert_eq!(order.total, fen(17_000));
        assert_eq!(order.lines[0].commission_base, fen(15_000));
        // 250.00 of goods, but a coupon brings what is paid under the 200.00 threshold.
        let coupon = OrderDiscounts {
            coupon: fen(6_000),
            points: Money::ZERO,
        };
        let order = price(&[retail(25_000, 1)], coupon, Some(to)).unwrap();
        assert_eq!(order.freight, fen(1_000));
        let order = price(&[retail(25_000, 1)], OrderDiscounts::default(), Some(to)).unwrap();
        assert_eq!(order.freight, Money::ZERO, "free from 200.00");
    }

    #[test]
    fn each_template_charges_its_own_lines_and_free_lines_cost_nothing() {
        let rules = [by_piece(1_000, 500, None), by_piece(800, 0, Some(5_000))];
        let to = Shipping {
            templates: &rules,
            region_code: "330100",
        };
        let mut second = retail(2_000, 2);
        second.freight_template = Some(1);
        let mut free = retail(100, 9);
        free.freight_template = None;
        // First template: 2 pieces, 10.00 + 5.00; second: 40.00 of goods, under its 50.00
        // threshold, 8.00 whatever the count; the free line adds nothing.
        let order = price(
            &[retail(1_000, 2), second.clone(), free],
            OrderDiscounts::default(),
            Some(to),
        )
        .unwrap();
        assert_eq!(order.freight, fen(1_500 + 800));
        second.quantity = 3;
        let order = price(&[second], OrderDiscounts::default(), Some(to)).unwrap();
        assert_eq!(order.freight, Money::ZERO, "60.00 reaches its threshold");
    }

    #[test]
    fn bad_lines_and_regions_are_refused() {
        assert_eq!(
            price(
                &[retail(100, 1), retail(100, 0)],
                OrderDiscounts::default(),
                None
            ),
            Err(PricingError::Quantity(1))
        );
        assert_eq!(
            price(&[retail(MAX_FEN, 2)], OrderDiscounts::default(), None),
            Err(PricingError::TooLarge)
        );
        let rules = [by_piece(1_000, 500, None)];
        let to = Shipping {
            templates: &rules,
            region_code: "650100",
        };
        assert!(matches!(
            price(&[retail(100, 1)], OrderDiscounts::default(), Some(to)),
            Err(PricingError::Freight(FreightError::RestrictedRegion(_)))
        ));
    }

    fn line_strategy() -> impl Strategy<Value = LineInput> {
        (
            0..2_000_000i64,
            1..50i64,
            0..3_000_000i64,
            proptest::option::of(0..2_000_000i64),
        )
            .prop_map(|(unit, quantity, discount, flash)| {
                let mut line = retail(unit, quantity);
                line.line_discount = fen(discount);
                line.flash_sale = flash.map(fen);
                line
            })
    }

    proptest! {
        #[test]
        fn bases_add_up_to_the_paid_goods_and_nothing_goes_negative(
            lines in proptest::collection::vec(line_strategy(), 1..12),
            coupon in 0..50_000_000i64,
            points in 0..50_000_000i64,
        ) {
            let order = price(
                &lines,
                OrderDiscounts { coupon: fen(coupon), points: fen(points) },
                None,
            ).unwrap();
            let bases: i64 = order.lines.iter().map(|l| l.commission_base.fen()).sum();
            prop_assert_eq!(bases, order.paid_goods.fen());
            prop_assert_eq!(
                order.goods_amount.fen() - order.line_discounts.fen()
                    - order.coupon.fen() - order.points.fen(),
                order.paid_goods.fen()
            );
            prop_assert_eq!(
                order.lines.iter().map(|l| l.coupon_share.fen()).sum::<i64>(),
                order.coupon.fen()
            );
            prop_assert_eq!(
                order.lines.iter().map(|l| l.points_share.fen()).sum::<i64>(),
                order.points.fen()
            );
            prop_assert!(order.coupon <= fen(coupon) && order.points <= fen(points));
            for line in &order.lines {
                prop_assert_eq!(
                    line.amount.fen() - line.line_discount.fen()
                        - line.coupon_share.fen() - line.points_share.fen(),
                    line.commission_base.fen()
                );
            }
            prop_assert!(order.total >= order.paid_goods);
        }

        #[test]
        fn allocation_is_exact_and_never_exceeds_a_weight(
            weights in proptest::collection::vec(0..10_000_000i64, 1..20),
            per_mille in 0..=1_000i64,
        ) {
            let total: i64 = weights.iter().sum();
            // The amount to split: from nothing to the whole.
            let amount = total / 1_000 * per_mille + total % 1_000 * per_mille / 1_000;
            let shares = allocate(amount, &weights);
            prop_assert_eq!(shares.iter().sum::<i64>(), if total == 0 { 0 } else { amount });
            for (s, w) in shares.iter().zip(&weights) {
                prop_assert!(*s >= 0 && s <= w);
            }
        }
    }
}
