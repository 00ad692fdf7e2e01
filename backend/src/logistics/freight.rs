//! What a shipment costs under a freight template: pure arithmetic in integer fen, no database.
//!
//! - **Units**: a `piece` template counts items (the sum of quantities); a `weight` template
//!   weighs them in grams (the sum of quantity × unit weight).
//! - **Price**: the first `first_units` cost `first_price`; every further `additional_units`, or
//!   any part of them, costs `additional_price`. Additional units are rounded **up** to whole
//!   steps: with steps of 500 g, 1 g over the first unit costs one full step. A non-empty
//!   shipment below the first unit (even 0 g) pays the first price; an empty one costs nothing.
//! - **Region**: the prices of the override naming the most specific region of the address win
//!   (a city beats its province); otherwise the template's own prices apply.
//! - **Restricted regions**: an address covered by one (a province covers its cities) is refused
//!   with [`FreightError::RestrictedRegion`], whatever the goods total.
//! - **Free shipping**: a goods total at or above the threshold ships for nothing.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::enums::db_enum;
use crate::error::{AppError, ErrorCode};
use crate::money::{Money, MAX_FEN};
use crate::regions::{self, RegionLevel};

db_enum! {
    #[derive(Serialize, Deserialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum FreightMode {
        /// Units are pieces.
        Piece,
        /// Units are grams.
        Weight,
    }
}

/// Own prices for some regions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct RegionPrice {
    /// GB/T 2260 province or city codes.
    pub region_codes: Vec<String>,
    pub first_price: Money,
    pub additional_price: Money,
}

/// The rules of a freight template, as [`quote`] needs them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FreightRules {
    pub mode: FreightMode,
    /// Pieces or grams covered by the first price; at least 1.
    pub first_units: i64,
    pub first_price: Money,
    /// Pieces or grams per additional step; at least 1.
    pub additional_units: i64,
    pub additional_price: Money,
    pub region_overrides: Vec<RegionPrice>,
    pub free_shipping_threshold: Option<Money>,
    pub restricted_regions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FreightError {
    #[error("unknown region code {0}")]
    UnknownRegion(String),
    #[error("the template does not deliver to {0}")]
    RestrictedRegion(String),
    #[error("the freight is too large")]
    TooLarge,
}

impl From<FreightError> for AppError {
    fn from(e: FreightError) -> Self {
        match e {
            FreightError::UnknownRegion(code) => {
                AppError::field("region_code", ErrorCode::UnknownRegion.arg("code", &code))
            }
            FreightError::RestrictedRegion(code) => {
                let name = regions::lookup(&code).map(|r| r.name).unwrap_or("");
                AppError::unprocessable(
                    ErrorCode::RegionNotDelivered
                        .arg("code", &code)
                        .arg("name", name),
                )
            }
            FreightError::TooLarge => AppError::field("items", ErrorCode::FreightTooLarge),
        }
    }
}

/// A quote with its reasons, for the preview.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FreightQuote {
    pub freight: Money,
    /// True when the goods total reached the free-shipping threshold.
    pub free_shipping: bool,
    /// Pieces or grams counted.
    pub chargeable_units: i64,
    /// The region of the override whose prices applied, if any.
    pub override_region: Option<String>,
}

/// The freight of `items` (quantity, unit weight in grams) sent to `region_code` with goods
/// worth `goods_total`.
pub fn quote(
    rules: &FreightRules,
    region_code: &str,
    items: &[(u32, u32)],
    goods_total: Money,
) -> Result<Money, FreightError> {
    quote_detail(rules, region_code, items, goods_total).map(|q| q.freight)
}

/// Steps of `step` units needed for `units` beyond the `first`, rounded up.
pub fn additional_steps(units: i64, first: i64, step: i64) -> i64 {
    let beyond = units.saturating_sub(first).max(0);
    let step = step.max(1);
    beyond / step + i64::from(beyond % step != 0)
}

/// The override of the most specific region covering `region_code`: a city's own entry beats
/// its province's.
fn matching_override<'a>(
    rules: &'a FreightRules,
    region_code: &str,
) -> Option<(&'a RegionPrice, &'a str)> {
    let mut best: Option<(&RegionPrice, &str, RegionLevel)> = None;
    for entry in &rules.region_overrides {
        for area in &entry.region_codes {
            if !regions::covers(area, region_code) {
                continue;
            }
            let level = regions::lookup(area).map_or(RegionLevel::Province, |r| r.level);
            let better = match best {
                None => true,
                Some((_, _, RegionLevel::Province)) => level == RegionLevel::City,
                Some((_, _, RegionLevel::City)) => false,
            };
            if better {
                best = Some((entry, area, level));
            }
        }
    }
    best.map(|(entry, area, _)| (entry, area))
}

pub fn quote_detail(
    rules: &FreightRules,
    region_code: &str,
    items: &[(u32, u32)],
    goods_total: Money,
) -> Result<FreightQuote, FreightError> {
    if regions::lookup(region_code).is_none() {
        return Err(FreightError::UnknownRegion(region_code.to_owned()));
    }
    if rules
        .restricted_regions
        .iter()
        .any(|area| regions::covers(area, region_code))
    {
        return Err(FreightError::RestrictedRegion(region_code.to_owned()));
    }
    let pieces: u128 = items.iter().map(|(q, _)| u128::from(*q)).sum();
    let units: u128 = match rules.mode {
        FreightMode::Piece => pieces,
        FreightMode::Weight => items
            .iter()
            .map(|(q, w)| u128::from(*q) * u128::from(*w))
            .sum(),
    };
    let units = i64::try_from(units).map_err(|_| FreightError::TooLarge)?;
    let applied = matching_override(rules, region_code);
    let override_region = applied.map(|(_, area)| area.to_owned());
    let free = |freight: Money, free_shipping: bool| FreightQuote {
        freight,
        free_shipping,
        chargeable_units: units,
        override_region: override_region.clone(),
    };
    if pieces == 0 {
        return Ok(free(Money::ZERO, false));
    }
    if rules
        .free_shipping_threshold
        .is_some_and(|threshold| goods_total >= threshold)
    {
        return Ok(free(Money::ZERO, true));
    }
    let (first_price, additional_price) = match applied {
        Some((entry, _)) => (entry.first_price, entry.additional_price),
        None => (rules.first_price, rules.additional_price),
    };
    let steps = additional_steps(units, rules.first_units, rules.additional_units);
    let fen =
        i128::from(first_price.fen()) + i128::from(steps) * i128::from(additional_price.fen());
    if fen > i128::from(MAX_FEN) {
        return Err(FreightError::TooLarge);
    }
    let fen = i64::try_from(fen).map_err(|_| FreightError::TooLarge)?;
    let freight = Money::from_fen(fen).map_err(|_| FreightError::TooLarge)?;
    Ok(free(freight, false))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn yuan(text: &str) -> Money {
        Money::parse_yuan(text).unwrap()
    }

    /// By weight: first 1 kg ¥10, each further 500 g ¥4; Zhejiang ¥8/¥2, Hangzhou ¥6/¥1;
    /// Xinjiang and Lhasa not served; free from ¥99.
    fn rules() -> FreightRules {
        FreightRules {
            mode: FreightMode::Weight,
            first_units: 1000,
            first_price: yuan("10"),
            additional_units: 500,
            additional_price: yuan("4"),
            region_overrides: vec![
                RegionPrice {
                    region_codes: vec!["330000".into()],
                    first_price: yuan("8"),
                    additional_price: yuan("2"),
                },
                RegionPrice {
                    region_codes: vec!["310000".into(), "330100".into()],
                    first_price: yuan("6"),
                    additional_price: yuan("1"),
                },
            ],
            free_shipping_threshold: Some(yuan("99")),
            restricted_regions: vec!["650000".into(), "540100".into()],
        }
    }

    #[test]
    fn additional_units_are_rounded_up_to_whole_steps() {
        assert_eq!(additional_steps(0, 1000, 500), 0);
        assert_eq!(additional_steps(1000, 1000, 500), 0);
        assert_eq!(additional_steps(1001, 1000, 500), 1);
        assert_eq!(additional_steps(1500, 1000, 500), 1);
        assert_eq!(additional_steps(1501, 1000, 500), 2);
        assert_eq!(additional_steps(3, 1, 1), 2);
        assert_eq!(additional_steps(10, 1, 0), 9, "a zero step counts as one");
    }

    #[test]
    fn weight_is_priced_by_first_and_additional_steps() {
        let r = rules();
        let cheap = yuan("50");
        // Beijing: no override. 2 × 400 g = 800 g → first price only.
        assert_eq!(quote(&r, "110100", &[(2, 400)], cheap), Ok(yuan("10")));
        // 3 × 400 g = 1200 g → one step of 500 g.
        assert_eq!(quote(&r, "110100", &[(3, 400)], cheap), Ok(yuan("14")));
        // 1000 g + 1 g → one step.
        assert_eq!(
            quote(&r, "110100", &[(1, 1000), (1, 1)], cheap),
            Ok(yuan("14"))
        );
        // 2501 g → 1501 g beyond → 4 steps.
        assert_eq!(quote(&r, "110100", &[(1, 2501)], cheap), Ok(yuan("26")));
        // Weightless goods still pay the first price; nothing to ship costs nothing.
        assert_eq!(quote(&r, "110100", &[(1, 0)], cheap), Ok(yuan("10")));
        assert_eq!(quote(&r, "110100", &[], cheap), Ok(Money::ZERO));
        assert_eq!(quote(&r, "110100", &[(0, 900)], cheap), Ok(Money::ZERO));
    }

    #[test]
    fn pieces_count_quantities() {
        let r = FreightRules {
            mode: FreightMode::Piece,
            first_units: 2,
            first_price: yuan("12.50"),
            additional_units: 3,
            additional_price: yuan("0.99"),
            ..rules()
        };
        let cheap = yuan("1");
        assert_eq!(quote(&r, "110000", &[(2, 5000)], cheap), Ok(yuan("12.50")));
        assert_eq!(
            quote(&r, "110000", &[(1, 0), (2, 0)], cheap),
            Ok(yuan("13.49"))
        );
        assert_eq!(quote(&r, "110000", &[(5, 0)], cheap), Ok(yuan("13.49")));
        assert_eq!(quote(&r, "110000", &[(6, 0)], cheap), Ok(yuan("14.48")));
    }

    #[test]
    fn the_most_specific_override_wins() {
        let r = rules();
        let cheap = yuan("1");
        let detail = quote_detail(&r, "330200", &[(1, 1600)], cheap).unwrap();
        assert_eq!(
            detail.freight,
            yuan("12"),
            "Ningbo: the Zhejiang prices, 8 + 2 × 2"
        );
        assert_eq!(detail.override_region.as_deref(), Some("330000"));
        let detail = quote_detail(&r, "330100", &[(1, 1600)], cheap).unwrap();
        assert_eq!(
            detail.freight,
            yuan("8"),
            "Hangzhou beats Zhejiang: 6 + 1 × 2"
        );
        assert_eq!(detail.override_region.as_deref(), Some("330100"));
        assert_eq!(
            quote(&r, "310100", &[(1, 1600)], cheap),
            Ok(yuan("8")),
            "Shanghai's city through its province"
        );
        assert_eq!(
            quote(&r, "330000", &[(1, 1600)], cheap),
            Ok(yuan("12")),
            "a bare province code matches province entries only"
        );
    }

    #[test]
    fn free_shipping_starts_at_the_threshold() {
        let r = rules();
        assert_eq!(
            quote(&r, "110100", &[(1, 800)], yuan("98.99")),
            Ok(yuan("10"))
        );
        let at = quote_detail(&r, "110100", &[(1, 800)], yuan("99")).unwrap();
        assert_eq!(at.freight, Money::ZERO);
        assert!(at.free_shipping);
        assert_eq!(
            quote(&r, "110100", &[(1, 800)], yuan("500")),
            Ok(Money::ZERO)
        );
        let never = FreightRules {
            free_shipping_threshold: None,
            ..rules()
        };
        assert_eq!(
            quote(&never, "110100", &[(1, 800)], yuan("100000")),
            Ok(yuan("10"))
        );
    }

    #[test]
    fn restricted_regions_are_refused_even_when_shipping_is_free() {
        let r = rules();
        for code in ["650000", "650100", "540100"] {
            assert_eq!(
                quote(&r, code, &[(1, 800)], yuan("1000")),
                Err(FreightError::RestrictedRegion(code.into())),
                "{code}"
            );
        }
        assert_eq!(
            quote(&r, "540000", &[(1, 800)], yuan("1")),
            Ok(yuan("10")),
            "Tibet as a whole is served; only Lhasa is not"
        );
        assert_eq!(
            quote(&r, "123456", &[(1, 800)], yuan("1")),
            Err(FreightError::UnknownRegion("123456".into()))
        );
        let e: AppError = FreightError::RestrictedRegion("650100".into()).into();
        assert_eq!(e.problem().code, "region_not_delivered");
        assert_eq!(e.status().as_u16(), 422);
    }

    #[test]
    fn huge_shipments_are_refused_not_wrapped() {
        let r = FreightRules {
            mode: FreightMode::Weight,
            first_units: 1,
            first_price: yuan("1"),
            additional_units: 1,
            additional_price: Money::from_fen(MAX_FEN).unwrap(),
            ..rules()
        };
        assert_eq!(
            quote(&r, "110100", &[(u32::MAX, u32::MAX)], yuan("1")),
            Err(FreightError::TooLarge)
        );
    }

    fn region() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec![
            "110100", "330000", "330100", "330200", "310100", "440300", "540000",
        ])
    }

    fn items() -> impl Strategy<Value = Vec<(u32, u32)>> {
        prop::collection::vec((0u32..50, 0u32..5000), 0..8)
    }

    proptest! {
        #[test]
        fn more_items_never_cost_less(
            base in items(),
            extra in (1u32..20, 0u32..5000),
            code in region(),
            goods in 0i64..20_000,
            weight_mode in any::<bool>(),
        ) {
            let mut r = rules();
            if !weight_mode {
                r.mode = FreightMode::Piece;
                r.first_units = 2;
                r.additional_units = 3;
            }
            let goods = Money::from_fen(goods).unwrap();
            let before = quote(&r, code, &base, goods).unwrap();
            let mut more = base.clone();
            more.push(extra);
            let after = quote(&r, code, &more, goods).unwrap();
            prop_assert!(after >= before, "{before} then {after}");
        }

        #[test]
        fn freight_is_zero_or_within_the_step_prices(
            its in items(),
            code in region(),
        ) {
            let r = rules();
            let q = quote_detail(&r, code, &its, Money::ZERO).unwrap();
            let (first, add) = match matching_override(&r, code) {
                Some((e, _)) => (e.first_price.fen(), e.additional_price.fen()),
                None => (r.first_price.fen(), r.additional_price.fen()),
            };
            if its.iter().all(|(qty, _)| *qty == 0) {
                prop_assert_eq!(q.freight, Money::ZERO);
            } else {
                let steps = additional_steps(q.chargeable_units, r.first_units, r.additional_units);
                prop_assert_eq!(q.freight.fen(), first + steps * add);
                // Rounding up never charges a whole step too many.
                prop_assert!(steps * r.additional_units < (q.chargeable_units - r.first_units).max(0) + r.additional_units);
            }
        }

        #[test]
        fn reaching_the_threshold_is_free(its in items(), code in region(), over in 0i64..10_000) {
            let r = rules();
            let goods = Money::from_fen(9_900 + over).unwrap();
            prop_assert_eq!(quote(&r, code, &its, goods), Ok(Money::ZERO));
        }
    }
}
