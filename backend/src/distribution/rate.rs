//! Rates: a percentage as people write it ("12.5" means 12.5 %), with at most four decimals and
//! between 0 and 100, stored as an integer number of millionths of the whole (12.5 % = 125 000).
//! Like money, a rate travels as a string and never passes through a float.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::ErrorCode;

/// A rate between 0 % and 100 %, exact to 0.0001 %.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Rate(i64);

/// Millionths in the whole: 100 %.
pub const WHOLE: i64 = 1_000_000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RateError {
    #[error("not a decimal percentage")]
    NotANumber,
    #[error("more than four decimal places")]
    TooPrecise,
    #[error("outside 0–100")]
    OutOfRange,
}

impl RateError {
    pub fn code(&self) -> ErrorCode {
        match self {
            RateError::NotANumber => ErrorCode::InvalidPercent,
            RateError::TooPrecise => ErrorCode::PercentPrecision,
            RateError::OutOfRange => ErrorCode::PercentRange,
        }
    }
}

impl Rate {
    pub const ZERO: Rate = Rate(0);

    /// A stored value; anything outside 0..=1 000 000 is refused.
    pub fn from_millionths(millionths: i64) -> Result<Self, RateError> {
        if (0..=WHOLE).contains(&millionths) {
            Ok(Rate(millionths))
        } else {
            Err(RateError::OutOfRange)
        }
    }

    pub fn millionths(self) -> i64 {
        self.0
    }

    /// This rate of `fen`, rounded half up on the fen (12.5 % of 0.99 is 0.12; of 1.00, 0.13).
    pub fn of(self, fen: i64) -> i64 {
        crate::money::round_half_up(i128::from(fen) * i128::from(self.0), i128::from(WHOLE))
    }

    /// Parses a percentage: "12.5", "12.50", "0", "100", "0.0001".
    pub fn parse_percent(text: &str) -> Result<Self, RateError> {
        let text = text.trim();
        let plain = !text.is_empty()
            && text
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
            && text.bytes().filter(|b| *b == b'.').count() <= 1
            && !text.starts_with('.')
            && !text.ends_with('.');
        if !plain {
            return Err(RateError::NotANumber);
        }
        let value = Decimal::from_str(text).map_err(|_| RateError::NotANumber)?;
        if value.is_sign_negative() && !value.is_zero() {
            return Err(RateError::OutOfRange);
        }
        if value.normalize().scale() > 4 {
            return Err(RateError::TooPrecise);
        }
        if value > Decimal::ONE_HUNDRED {
            return Err(RateError::OutOfRange);
        }
        // 0.0001 % is one millionth; ≤ 100 with ≤ 4 decimals gives a whole number ≤ 1 000 000.
        let millionths = (value * Decimal::from(10_000)).normalize().mantissa();
        Rate::from_millionths(i64::try_from(millionths).map_err(|_| RateError::OutOfRange)?)
    }

    /// The rate in percent, exact: 12.5 for 12.5 %.
    pub fn percent(self) -> Decimal {
        Decimal::new(self.0, 4).normalize()
    }

    /// The rate as a fraction of the whole, exact: 0.125 for 12.5 %. `base × fraction` is the
    /// unrounded share of a base.
    pub fn fraction(self) -> Decimal {
        Decimal::new(self.0, 6).normalize()
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.percent())
    }
}

impl Serialize for Rate {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Rate {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Strings only, as for money: a JSON number may already have been through a float.
        let text = String::deserialize(deserializer)?;
        Rate::parse_percent(&text).map_err(|e| serde::de::Error::custom(e.code()))
    }
}

impl utoipa::PartialSchema for Rate {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some(r"^\d+(\.\d{1,4})?$"))
            .description(Some(
                "A percentage between 0 and 100 with at most four decimals, as a string: \"12.5\" means 12.5 %.",
            ))
            .examples([serde_json::json!("12.5")])
            .into()
    }
}

impl utoipa::ToSchema for Rate {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_exact_percentages() {
        assert_eq!(Rate::parse_percent("12.5").unwrap().millionths(), 125_000);
        assert_eq!(Rate::parse_percent("12.50").unwrap().millionths(), 125_000);
        assert_eq!(Rate::parse_percent("0").unwrap().millionths(), 0);
        assert_eq!(Rate::parse_percent("100").unwrap().millionths(), WHOLE);
        assert_eq!(Rate::parse_percent("100.0000").unwrap().millionths(), WHOLE);
        assert_eq!(Rate::parse_percent("0.0001").unwrap().millionths(), 1);
        assert_eq!(
            Rate::parse_percent("33.3333").unwrap().millionths(),
            333_333
        );
    }

    #[test]
    fn refuses_what_is_not_a_percentage() {
        assert_eq!(Rate::parse_percent("0.00001"), Err(RateError::TooPrecise));
        assert_eq!(Rate::parse_percent("100.0001"), Err(RateError::OutOfRange));
        assert_eq!(Rate::parse_percent("101"), Err(RateError::OutOfRange));
        assert_eq!(Rate::parse_percent("-1"), Err(RateError::OutOfRange));
        assert_eq!(Rate::parse_percent("1e2"), Err(RateError::NotANumber));
        assert_eq!(Rate::parse_percent("12.5%"), Err(RateError::NotANumber));
        assert_eq!(Rate::parse_percent(""), Err(RateError::NotANumber));
        assert_eq!(Rate::parse_percent(".5"), Err(RateError::NotANumber));
        assert_eq!(
            Rate::parse_percent("99999999999999999999999999"),
            Err(RateError::OutOfRange)
        );
    }

    #[test]
    fn shows_exact_decimals_and_round_trips() {
        let rate = Rate::from_millionths(125_000).unwrap();
        assert_eq!(rate.to_string(), "12.5");
        assert_eq!(rate.fraction().to_string(), "0.125");
        assert_eq!(Rate::from_millionths(WHOLE).unwrap().to_string(), "100");
        assert_eq!(Rate::ZERO.to_string(), "0");
        assert_eq!(Rate::from_millionths(1).unwrap().to_string(), "0.0001");
        assert_eq!(Rate::from_millionths(100).unwrap().to_string(), "0.01");
        let json = serde_json::to_string(&Rate::from_millionths(333_333).unwrap()).unwrap();
        assert_eq!(json, "\"33.3333\"");
        let back: Rate = serde_json::from_str(&json).unwrap();
        assert_eq!(back.millionths(), 333_333);
        assert!(
            serde_json::from_str::<Rate>("12.5").is_err(),
            "numbers are refused"
        );
        assert!(Rate::from_millionths(WHOLE + 1).is_err());
        assert!(Rate::from_millionths(-1).is_err());
    }
}
