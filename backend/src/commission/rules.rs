//! The commission rules of SPEC §6, as pure functions.
//!
//! - **Who**: the chain above the buyer — the distributor who brought the order (the binding
//!   snapshot), then their parent and grandparent as the tree stood at payment — is paid level 1,
//!   2, 3 up to the merchant's depth. A buyer who is a distributor heads the chain when
//!   self-purchase commission is on; when it is off they earn nothing and their parent earns level 1,
//!   as if the buyer were a customer bound to them. A frozen or ended distributor is skipped at
//!   their level and the levels never compress: the next one up still earns its own level's rate.
//! - **Which rule**, most specific first: the SKU's override, else the product's (disabled, a
//!   percent per level, or a fixed amount per unit per level) → the beneficiary's tier rates →
//!   the merchant's default. A line whose activity (a flash sale, a group buy) does not allow
//!   commission earns nothing.
//! - **How much**: a percent is stored exactly in millionths (12.5 % = 125 000) and pays
//!   `round_half_up(base × rate)` (`money::round_half_up`, the one rounding); a fixed amount is per unit, so it pays `amount × quantity`.
//! - **Refunds**: a record loses the refunded share of its line's base, computed on the line's
//!   cumulative refunds and rounded half up, so the last refund of a line reverses exactly what
//!   remains and reversed + kept always equals the original ([`reversal`]).

use serde::{Deserialize, Serialize};

use crate::db::ids::DistributorId;
use crate::money::round_half_up;

/// Levels paid at most (the merchant's depth is 1–3).
pub const MAX_LEVELS: usize = 3;

/// A rate at one level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
pub enum Rate {
    /// Millionths of the line's base (125 000 = 12.5 %).
    Percent(i64),
    /// Fen per unit sold.
    FixedPerUnit(i64),
}

/// Rates for levels 1, 2 and 3, all of one kind (as tiers, defaults and overrides keep them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LevelRates {
    pub fixed: bool,
    pub values: [i64; MAX_LEVELS],
}

impl LevelRates {
    pub fn percent(values: [i64; MAX_LEVELS]) -> LevelRates {
        LevelRates {
            fixed: false,
            values,
        }
    }

    pub fn fixed(values: [i64; MAX_LEVELS]) -> LevelRates {
        LevelRates {
            fixed: true,
            values,
        }
    }

    /// The rate at `level` (1-based).
    pub fn at(&self, level: u8) -> Rate {
        let value = self.values[usize::from(level.clamp(1, 3)) - 1];
        if self.fixed {
            Rate::FixedPerUnit(value)
        } else {
            Rate::Percent(value)
        }
    }
}

/// A product's or SKU's own rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Override {
    /// The product earns no commission.
    Disabled,
    Rates(LevelRates),
}

/// Where a record's rate came from (snapshotted with it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleSource {
    SkuOverride,
    ProductOverride,
    Tier,
    MerchantDefault,
}

/// A distributor of the chain as it stood at payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Upline {
    pub distributor_id: DistributorId,
    /// Frozen or ended: earns nothing at their level.
    pub earns: bool,
    pub tier: Option<TierRates>,
}

/// A tier's rates, with the tier they belong to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TierRates {
    pub tier_id: i64,
    pub rates: LevelRates,
}

/// Who is paid at which level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Beneficiary {
    pub level: u8,
    pub upline: Upline,
}

/// The beneficiaries of an order. `chain`: the distributor who brought the order, then each
/// ancestor nearest first, as the tree stood at payment (when the buyer is a distributor, the
/// chain starts at the buyer). `buyer_is_head`: the buyer is `chain[0]` (a distributor buying for
/// themselves). Levels are given by position and never compress over a distributor who earns
/// nothing.
pub fn beneficiaries(
    chain: &[Upline],
    buyer_is_head: bool,
    self_purchase: bool,
    depth: u8,
) -> Vec<Beneficiary> {
    let skip = usize::from(buyer_is_head && !self_purchase);
    chain
        .iter()
        .skip(skip)
        .take(usize::from(depth.clamp(1, 3)))
        .enumerate()
        .filter(|(_, upline)| upline.earns)
        .map(|(i, upline)| Beneficiary {
            level: u8::try_from(i + 1).unwrap_or(3),
            upline: *upline,
        })
        .collect()
}

/// A line as commission sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line {
    pub line_no: i32,
    pub quantity: i64,
    /// What the buyer paid for the line, freight excluded (its commission base).
    pub base_fen: i64,
    pub sku_override: Option<Override>,
    pub product_override: Option<Override>,
    /// False for a flash-sale or group-buy line whose activity does not allow commission.
    pub eligible: bool,
}

/// One record to create: a line, a beneficiary, and what they earn on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Earned {
    pub line_no: i32,
    pub level: u8,
    pub distributor_id: DistributorId,
    pub base_fen: i64,
    pub quantity: i64,
    pub rate: Rate,
    pub source: RuleSource,
    pub tier_id: Option<i64>,
    pub amount_fen: i64,
}

/// What a rate pays on a line of `quantity` units whose base is `base_fen`: a percent is the
/// rate of the base ([`crate::distribution::rate::Rate::of`], rounded half up on the fen).
pub fn amount(rate: Rate, base_fen: i64, quantity: i64) -> i64 {
    match rate {
        Rate::Percent(millionths) => crate::distribution::rate::Rate::from_millionths(millionths)
            .map(|r| r.of(base_fen))
            .unwrap_or(0),
        Rate::FixedPerUnit(fen) => fen.saturating_mul(quantity),
    }
}

/// The rule of a line at a level for a beneficiary: `None` when the line earns nothing.
pub fn rule_for(
    line: &Line,
    level: u8,
    upline: &Upline,
    default: &LevelRates,
) -> Option<(Rate, RuleSource, Option<i64>)> {
    if !line.eligible {
        return None;
    }
    let overridden = match (line.sku_override, line.product_override) {
        (Some(o), _) => Some((o, RuleSource::SkuOverride)),
        (None, Some(o)) => Some((o, RuleSource::ProductOverride)),
        (None, None) => None,
    };
    match overridden {
        Some((Override::Disabled, _)) => None,
        Some((Override::Rates(rates), source)) => Some((rates.at(level), source, None)),
        None => Some(match upline.tier {
            Some(tier) => (tier.rates.at(level), RuleSource::Tier, Some(tier.tier_id)),
            None => (default.at(level), RuleSource::MerchantDefault, None),
        }),
    }
}

/// The records an order's lines give its beneficiaries: one per line per beneficiary with
/// something to earn, each line by its own rule.
pub fn earned(lines: &[Line], beneficiaries: &[Beneficiary], default: &LevelRates) -> Vec<Earned> {
    let mut out = Vec::new();
    for line in lines {
        for b in beneficiaries {
            let Some((rate, source, tier_id)) = rule_for(line, b.level, &b.upline, default) else {
                continue;
            };
            let amount_fen = amount(rate, line.base_fen, line.quantity);
            if amount_fen > 0 {
                out.push(Earned {
                    line_no: line.line_no,
                    level: b.level,
                    distributor_id: b.upline.distributor_id,
                    base_fen: line.base_fen,
                    quantity: line.quantity,
                    rate,
                    source,
                    tier_id,
                    amount_fen,
                });
            }
        }
    }
    out
}

/// What a refund of `refunded_now_fen` of a line whose base is `base_fen`, after
/// `refunded_before_fen` refunded earlier, reverses of a record that earned `original_fen`: the
/// difference of the record's refunded share before and after, each rounded half up. The shares
/// of all refunds add up to exactly `original_fen` when the whole base is refunded, and never to
/// more.
pub fn reversal(
    original_fen: i64,
    base_fen: i64,
    refunded_before_fen: i64,
    refunded_now_fen: i64,
) -> i64 {
    if base_fen <= 0 {
        return 0;
    }
    let share = |refunded: i64| {
        round_half_up(
            i128::from(original_fen) * i128::from(refunded.clamp(0, base_fen)),
            i128::from(base_fen),
        )
    };
    share(refunded_before_fen + refunded_now_fen) - share(refunded_before_fen)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn upline(id: i64, earns: bool, tier: Option<TierRates>) -> Upline {
        Upline {
            distributor_id: DistributorId(id),
            earns,
            tier,
        }
    }

    fn line(line_no: i32, quantity: i64, base_fen: i64) -> Line {
        Line {
            line_no,
            quantity,
            base_fen,
            sku_override: None,
            product_override: None,
            eligible: true,
        }
    }

    const DEFAULT: LevelRates = LevelRates {
        fixed: false,
        values: [100_000, 50_000, 20_000],
    };

    #[test]
    fn percent_rounds_half_up_and_fixed_is_per_unit() {
        // 12.5 % of 0.99 is 12.375 fen: 12; of 1.00 is 12.5 fen: 13.
        assert_eq!(amount(Rate::Percent(125_000), 99, 1), 12);
        assert_eq!(amount(Rate::Percent(125_000), 100, 1), 13);
        // A fixed 5.00 at level 1 on three units pays 15.00, whatever the base.
        assert_eq!(amount(Rate::FixedPerUnit(500), 1, 3), 1_500);
        // A percent outside 0–100 % pays nothing rather than more than the base.
        assert_eq!(amount(Rate::Percent(1_000_001), 100, 1), 0);
    }

    #[test]
    fn levels_never_compress_over_a_frozen_distributor() {
        let chain = [
            upline(1, false, None),
            upline(2, true, None),
            upline(3, true, None),
        ];
        let paid = beneficiaries(&chain, false, false, 2);
        assert_eq!(paid.len(), 1);
        assert_eq!(
            (paid[0].level, paid[0].upline.distributor_id),
            (2, DistributorId(2))
        );
    }

    #[test]
    fn self_purchase_decides_whether_the_buyer_heads_the_chain() {
        let chain = [
            upline(7, true, None),
            upline(8, true, None),
            upline(9, true, None),
        ];
        let off = beneficiaries(&chain, true, false, 2);
        assert_eq!(
            off.iter()
                .map(|b| (b.level, b.upline.distributor_id.get()))
                .collect::<Vec<_>>(),
            [(1, 8), (2, 9)],
            "off: the parent earns level 1 as if the buyer were their customer"
        );
        let on = beneficiaries(&chain, true, true, 2);
        assert_eq!(
            on.iter()
                .map(|b| (b.level, b.upline.distributor_id.get()))
                .collect::<Vec<_>>(),
            [(1, 7), (2, 8)]
        );
        // A customer's order: the bound distributor heads it either way.
        assert_eq!(beneficiaries(&chain, false, false, 3).len(), 3);
    }

    #[test]
    fn each_line_of_an_order_is_priced_by_its_own_rule() {
        let tier = TierRates {
            tier_id: 5,
            rates: LevelRates::percent([200_000, 0, 0]),
        };
        let b = [Beneficiary {
            level: 1,
            upline: upline(1, true, Some(tier)),
        }];
        let mut fixed = line(1, 3, 30_000);
        fixed.product_override = Some(Override::Rates(LevelRates::fixed([500, 200, 0])));
        let by_tier = line(2, 1, 10_000);
        let mut sku = line(3, 2, 8_000);
        sku.product_override = Some(Override::Disabled);
        sku.sku_override = Some(Override::Rates(LevelRates::percent([50_000, 0, 0])));
        let mut off = line(4, 1, 9_900);
        off.product_override = Some(Override::Disabled);
        let mut flash = line(5, 1, 5_000);
        flash.eligible = false;
        let records = earned(&[fixed, by_tier, sku, off, flash], &b, &DEFAULT);
        let got: Vec<(i32, i64, RuleSource, Option<i64>)> = records
            .iter()
            .map(|r| (r.line_no, r.amount_fen, r.source, r.tier_id))
            .collect();
        assert_eq!(
            got,
            [
                (1, 1_500, RuleSource::ProductOverride, None),
                (2, 2_000, RuleSource::Tier, Some(5)),
                (3, 400, RuleSource::SkuOverride, None),
            ]
        );
    }

    #[test]
    fn the_merchant_default_applies_without_override_or_tier() {
        let b = beneficiaries(
            &[upline(1, true, None), upline(2, true, None)],
            false,
            false,
            2,
        );
        let records = earned(&[line(1, 1, 10_000)], &b, &DEFAULT);
        assert_eq!(
            records
                .iter()
                .map(|r| (r.level, r.amount_fen, r.source))
                .collect::<Vec<_>>(),
            [
                (1, 1_000, RuleSource::MerchantDefault),
                (2, 500, RuleSource::MerchantDefault)
            ]
        );
    }

    #[test]
    fn the_last_refund_of_a_line_reverses_exactly_what_remains() {
        // 3.33 earned on a base of 100.00, refunded 33.33 + 33.33 + 33.34.
        let parts = [3_333, 3_333, 3_334];
        let mut before = 0;
        let mut reversed = 0;
        for part in parts {
            reversed += reversal(333, 10_000, before, part);
            before += part;
        }
        assert_eq!(reversed, 333);
    }

    proptest! {
        #[test]
        fn reversed_and_kept_always_make_the_original(
            original in 0i64..10_000_000,
            base in 1i64..100_000_000,
            cuts in proptest::collection::vec(0i64..1_000_000, 0..12),
        ) {
            let mut refunded = 0;
            let mut reversed = 0;
            for cut in cuts {
                let now = cut.min(base - refunded);
                let r = reversal(original, base, refunded, now);
                prop_assert!(r >= 0);
                reversed += r;
                refunded += now;
                let kept = original - reversed;
                prop_assert!(kept >= 0);
                prop_assert!(reversed <= original);
            }
            // Refund what is left: everything is reversed, not a fen more or less.
            reversed += reversal(original, base, refunded, base - refunded);
            prop_assert_eq!(reversed, original);
        }

        #[test]
        fn a_percent_never_pays_more_than_its_share_plus_half_a_fen(
            base in 0i64..100_000_000,
            millionths in 0i64..=1_000_000,
        ) {
            let paid = amount(Rate::Percent(millionths), base, 1);
            let exact = i128::from(base) * i128::from(millionths);
            prop_assert!(i128::from(paid) * 1_000_000 * 2 <= exact * 2 + 1_000_000);
            prop_assert!(i128::from(paid) * 1_000_000 * 2 + 1_000_000 > exact * 2);
        }
    }
}
