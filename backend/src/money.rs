//! Money: integer fen inside (every column is `*_fen BIGINT`), an exact decimal string of yuan
//! at the API edge ("128.50"). Parsing refuses negatives where they make no sense, more than two
//! decimals ("1.001"), exponents and anything that is not a plain decimal; there is no float
//! anywhere on the way.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::ErrorCode;

/// `numerator / denominator` rounded half up on the fen, for non-negative numbers: the one
/// rounding of a share of money (a rate of a price, a commission, a refund's share of it).
pub fn round_half_up(numerator: i128, denominator: i128) -> i64 {
    if denominator <= 0 {
        return 0;
    }
    i64::try_from((2 * numerator + denominator) / (2 * denominator)).unwrap_or(i64::MAX)
}

/// A non-negative amount of money in fen (分), e.g. a price.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Money(i64);

/// Upper bound for one amount: 100 billion yuan, far beyond any price, far below `i64::MAX`, so
/// sums of many amounts cannot overflow.
pub const MAX_FEN: i64 = 10_000_000_000_000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("not a decimal amount")]
    NotANumber,
    #[error("more than two decimal places")]
    TooPrecise,
    #[error("negative amount")]
    Negative,
    #[error("amount too large")]
    TooLarge,
}

impl MoneyError {
    pub fn code(&self) -> ErrorCode {
        match self {
            MoneyError::NotANumber => ErrorCode::InvalidMoney,
            MoneyError::TooPrecise => ErrorCode::MoneyPrecision,
            MoneyError::Negative => ErrorCode::MoneyNegative,
            MoneyError::TooLarge => ErrorCode::MoneyTooLarge,
        }
    }
}

impl Money {
    pub const ZERO: Money = Money(0);

    pub fn from_fen(fen: i64) -> Result<Self, MoneyError> {
        if fen < 0 {
            Err(MoneyError::Negative)
        } else if fen > MAX_FEN {
            Err(MoneyError::TooLarge)
        } else {
            Ok(Money(fen))
        }
    }

    pub fn fen(self) -> i64 {
        self.0
    }

    /// Parses yuan as written by people and clients: "128", "128.5", "128.50".
    pub fn parse_yuan(text: &str) -> Result<Self, MoneyError> {
        let text = text.trim();
        let plain = !text.is_empty()
            && text
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
            && text.bytes().filter(|b| *b == b'.').count() <= 1
            && !text.starts_with('.')
            && !text.ends_with('.');
        if !plain {
            return Err(MoneyError::NotANumber);
        }
        let value = Decimal::from_str(text).map_err(|_| MoneyError::NotANumber)?;
        if value.is_sign_negative() && !value.is_zero() {
            return Err(MoneyError::Negative);
        }
        if value.normalize().scale() > 2 {
            return Err(MoneyError::TooPrecise);
        }
        let fen = (value * Decimal::ONE_HUNDRED).normalize().mantissa();
        let fen = i64::try_from(fen).map_err(|_| MoneyError::TooLarge)?;
        Money::from_fen(fen)
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02}", self.0 / 100, self.0 % 100)
    }
}

impl Serialize for Money {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Money {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Strings only: a JSON number would already have passed through a float in many clients.
        let text = String::deserialize(deserializer)?;
        Money::parse_yuan(&text).map_err(|e| serde::de::Error::custom(e.code()))
    }
}

impl utoipa::PartialSchema for Money {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some(r"^\d+(\.\d{1,2})?$"))
            .description(Some(
                "An amount in yuan (CNY) with at most two decimals, as a string.",
            ))
            .examples([serde_json::json!("128.50")])
            .into()
    }
}

impl utoipa::ToSchema for Money {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_round_half_up_on_the_fen() {
        assert_eq!(round_half_up(5, 10), 1, "exactly half a fen rounds up");
        assert_eq!(round_half_up(4, 10), 0);
        assert_eq!(round_half_up(15, 10), 2);
        assert_eq!(round_half_up(7, 0), 0, "no denominator, no share");
    }

    #[test]
    fn parses_exact_amounts() {
        assert_eq!(Money::parse_yuan("128.50").unwrap().fen(), 12_850);
        assert_eq!(Money::parse_yuan("128.5").unwrap().fen(), 12_850);
        assert_eq!(Money::parse_yuan("128").unwrap().fen(), 12_800);
        assert_eq!(Money::parse_yuan("0.01").unwrap().fen(), 1);
        assert_eq!(Money::parse_yuan("0").unwrap().fen(), 0);
        assert_eq!(Money::parse_yuan(" 7.10 ").unwrap().fen(), 710);
        assert_eq!(
            Money::parse_yuan("1.000").unwrap().fen(),
            100,
            "trailing zeros are not precision"
        );
    }

    #[test]
    fn refuses_what_is_not_money() {
        assert_eq!(Money::parse_yuan("1.001"), Err(MoneyError::TooPrecise));
        assert_eq!(Money::parse_yuan("-1"), Err(MoneyError::Negative));
        assert_eq!(Money::parse_yuan("1e3"), Err(MoneyError::NotANumber));
        assert_eq!(Money::parse_yuan("abc"), Err(MoneyError::NotANumber));
        assert_eq!(Money::parse_yuan(""), Err(MoneyError::NotANumber));
        assert_eq!(Money::parse_yuan("1."), Err(MoneyError::NotANumber));
        assert_eq!(Money::parse_yuan(".5"), Err(MoneyError::NotANumber));
        assert_eq!(Money::parse_yuan("1,000"), Err(MoneyError::NotANumber));
        assert_eq!(
            Money::parse_yuan("99999999999999"),
            Err(MoneyError::TooLarge)
        );
    }

    #[test]
    fn displays_two_decimals_and_round_trips_through_json() {
        assert_eq!(Money::from_fen(12_850).unwrap().to_string(), "128.50");
        assert_eq!(Money::from_fen(5).unwrap().to_string(), "0.05");
        let json = serde_json::to_string(&Money::from_fen(100_001).unwrap()).unwrap();
        assert_eq!(json, "\"1000.01\"");
        let back: Money = serde_json::from_str(&json).unwrap();
        assert_eq!(back.fen(), 100_001);
        assert!(
            serde_json::from_str::<Money>("12.5").is_err(),
            "numbers are refused"
        );
        let err = serde_json::from_str::<Money>("\"1.001\"")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("money_precision"), "{err}");
    }
}
