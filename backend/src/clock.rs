//! The one source of "now" for stored timestamps.

use chrono::{DateTime, NaiveDateTime, SubsecRound, Utc};

/// The current UTC time at microsecond precision: what PostgreSQL stores, so a value read back
/// equals the value written on both backends.
pub fn now() -> NaiveDateTime {
    Utc::now().naive_utc().trunc_subsecs(6)
}

/// A stored UTC timestamp as the API shows it (RFC 3339 with `Z`).
pub fn to_utc(value: NaiveDateTime) -> DateTime<Utc> {
    value.and_utc()
}
