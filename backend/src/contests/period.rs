//! Periods of whole days in the merchant's time zone, and the UTC instants that bound them.
//! A day of a merchant in Asia/Shanghai starts at 16:00 UTC of the day before; leaderboards and
//! contests count facts from the first instant of the first day (included) to the first instant
//! of the day after the last (excluded).

use chrono::{
    Datelike, Duration, LocalResult, Months, NaiveDate, NaiveDateTime, NaiveTime, TimeZone,
};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{AppError, ErrorCode, FieldError};

/// The longest period a leaderboard or a contest may cover, in days.
pub const MAX_DAYS: i64 = 366;

/// Dates outside these years are refused: nothing meaningful happens there, and the arithmetic
/// on them stays far from chrono's limits.
const FIRST_YEAR: i32 = 2000;
const LAST_YEAR: i32 = 2199;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PeriodKind {
    /// One day.
    Day,
    /// Monday to Sunday.
    Week,
    /// A calendar month.
    Month,
    /// From one date to another, both included.
    Custom,
}

/// A run of whole local days (`from` to `to`, both included) and the UTC instants bounding it
/// (`starts_at` included, `ends_at` excluded).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
}

/// The first instant (UTC) of a local day. Where midnight does not exist (a daylight-saving
/// jump at 00:00), the day starts at the first local time that does; where it exists twice, at
/// the first of them.
pub fn day_start(tz: Tz, date: NaiveDate) -> NaiveDateTime {
    let midnight = date.and_time(NaiveTime::MIN);
    for minutes in 0..=24 * 60 {
        let local = midnight + Duration::minutes(minutes);
        match tz.from_local_datetime(&local) {
            LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => return t.naive_utc(),
            LocalResult::None => {}
        }
    }
    // No zone skips a whole day at midnight; fall back to midnight at UTC+0.
    midnight
}

/// The local date at a UTC instant.
pub fn local_date(tz: Tz, at: NaiveDateTime) -> NaiveDate {
    tz.from_utc_datetime(&at).date_naive()
}

/// The period of whole local days from `from` to `to` (both included; `from <= to`).
pub fn days(tz: Tz, from: NaiveDate, to: NaiveDate) -> Period {
    let next = to.succ_opt().unwrap_or(to);
    Period {
        from,
        to,
        starts_at: day_start(tz, from),
        ends_at: day_start(tz, next),
    }
}

fn out_of_range(field: &str) -> FieldError {
    FieldError::new(
        field,
        ErrorCode::DateOutOfRange
            .arg("first_year", FIRST_YEAR)
            .arg("last_year", LAST_YEAR),
    )
}

fn in_range(date: NaiveDate) -> bool {
    (FIRST_YEAR..=LAST_YEAR).contains(&date.year())
}

/// Checks a range of dates given by a person: both in range, in order, at most [`MAX_DAYS`].
/// Errors name the fields as given.
pub fn check_range(
    from: NaiveDate,
    to: NaiveDate,
    from_field: &str,
    to_field: &str,
) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    if !in_range(from) {
        errors.push(out_of_range(from_field));
    }
    if !in_range(to) {
        errors.push(out_of_range(to_field));
    }
    if errors.is_empty() {
        if to < from {
            errors.push(FieldError::new(
                to_field,
                ErrorCode::RangeReversed.arg("from_field", from_field),
            ));
        } else if (to - from).num_days() + 1 > MAX_DAYS {
            errors.push(FieldError::new(
                to_field,
                ErrorCode::RangeTooLong.arg("max_days", MAX_DAYS),
            ));
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// What a leaderboard request asks for: a kind of period, and a date inside it (day, week,
/// month; default today) or both ends (custom).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PeriodRequest {
    pub kind: PeriodKind,
    pub date: Option<NaiveDate>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

fn not_with(field: &str, kind: &str) -> FieldError {
    FieldError::new(field, ErrorCode::NotAllowed.arg("kind", kind))
}

fn required(field: &str) -> FieldError {
    FieldError::new(field, ErrorCode::Required.form("custom_period"))
}

/// The period a request means, in the merchant's zone, `today` being the merchant's date now.
pub fn resolve(request: PeriodRequest, tz: Tz, today: NaiveDate) -> Result<Period, AppError> {
    let PeriodRequest {
        kind,
        date,
        from,
        to,
    } = request;
    if kind == PeriodKind::Custom {
        let mut errors = Vec::new();
        if date.is_some() {
            errors.push(not_with("date", "custom"));
        }
        if from.is_none() {
            errors.push(required("from"));
        }
        if to.is_none() {
            errors.push(required("to"));
        }
        let (Some(from), Some(to), true) = (from, to, errors.is_empty()) else {
            return Err(AppError::Validation(errors));
        };
        check_range(from, to, "from", "to").map_err(AppError::Validation)?;
        return Ok(days(tz, from, to));
    }
    let name = match kind {
        PeriodKind::Day => "day",
        PeriodKind::Week => "week",
        _ => "month",
    };
    let mut errors = Vec::new();
    if from.is_some() {
        errors.push(not_with("from", name));
    }
    if to.is_some() {
        errors.push(not_with("to", name));
    }
    let date = date.unwrap_or(today);
    if !in_range(date) {
        errors.push(out_of_range("date"));
    }
    if !errors.is_empty() {
        return Err(AppError::Validation(errors));
    }
    let (first, last) = match kind {
        PeriodKind::Day => (date, date),
        PeriodKind::Week => {
            let monday = date - Duration::days(i64::from(date.weekday().num_days_from_monday()));
            (monday, monday + Duration::days(6))
        }
        _ => {
            // In range by the year check above, so these cannot fail.
            let first = date.with_day(1).unwrap_or(date);
            let last = first
                .checked_add_months(Months::new(1))
                .and_then(|d| d.pred_opt())
                .unwrap_or(first);
            (first, last)
        }
    };
    Ok(days(tz, first, last))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn at(text: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S").unwrap()
    }

    fn req(kind: PeriodKind, date: Option<NaiveDate>) -> PeriodRequest {
        PeriodRequest {
            kind,
            date,
            from: None,
            to: None,
        }
    }

    #[test]
    fn a_shanghai_day_starts_at_sixteen_utc_the_day_before() {
        let p = resolve(
            req(PeriodKind::Day, None),
            chrono_tz::Asia::Shanghai,
            d(2026, 3, 1),
        )
        .unwrap();
        assert_eq!(p.starts_at, at("2026-02-28 16:00:00"));
        assert_eq!(p.ends_at, at("2026-03-01 16:00:00"));
    }

    #[test]
    fn weeks_run_monday_to_sunday_and_months_whole() {
        let tz = chrono_tz::UTC;
        // 2026-03-04 is a Wednesday.
        let w = resolve(
            req(PeriodKind::Week, Some(d(2026, 3, 4))),
            tz,
            d(2000, 1, 1),
        )
        .unwrap();
        assert_eq!((w.from, w.to), (d(2026, 3, 2), d(2026, 3, 8)));
        assert_eq!(w.ends_at, at("2026-03-09 00:00:00"));
        let m = resolve(
            req(PeriodKind::Month, Some(d(2028, 2, 10))),
            tz,
            d(2000, 1, 1),
        )
        .unwrap();
        assert_eq!((m.from, m.to), (d(2028, 2, 1), d(2028, 2, 29)));
        let dec = resolve(
            req(PeriodKind::Month, Some(d(2026, 12, 31))),
            tz,
            d(2000, 1, 1),
        )
        .unwrap();
        assert_eq!(dec.ends_at, at("2027-01-01 00:00:00"));
    }

    #[test]
    fn daylight_saving_days_have_their_real_length() {
        // New York springs forward at 02:00 on 2026-03-08: that day has 23 hours.
        let p = days(chrono_tz::America::New_York, d(2026, 3, 8), d(2026, 3, 8));
        assert_eq!(p.ends_at - p.starts_at, Duration::hours(23));
        // Santiago skips midnight (00:00 → 01:00) on 2026-09-06: the day starts at 01:00 local.
        let s = day_start(chrono_tz::America::Santiago, d(2026, 9, 6));
        assert_eq!(s, at("2026-09-06 04:00:00"));
    }

    #[test]
    fn custom_ranges_are_checked() {
        let tz = chrono_tz::UTC;
        let custom = |from, to| PeriodRequest {
            kind: PeriodKind::Custom,
            date: None,
            from,
            to,
        };
        let ok = resolve(
            custom(Some(d(2026, 1, 1)), Some(d(2026, 1, 31))),
            tz,
            d(2026, 1, 1),
        )
        .unwrap();
        assert_eq!(ok.ends_at - ok.starts_at, Duration::days(31));
        let codes = |r: Result<Period, AppError>| match r {
            Err(AppError::Validation(errors)) => errors
                .into_iter()
                .map(|e| format!("{}:{}", e.field, e.code()))
                .collect::<Vec<_>>(),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            codes(resolve(custom(None, None), tz, d(2026, 1, 1))),
            ["from:required", "to:required"]
        );
        assert_eq!(
            codes(resolve(
                custom(Some(d(2026, 2, 1)), Some(d(2026, 1, 1))),
                tz,
                d(2026, 1, 1)
            )),
            ["to:range_reversed"]
        );
        assert_eq!(
            codes(resolve(
                custom(Some(d(2026, 1, 1)), Some(d(2027, 1, 2))),
                tz,
                d(2026, 1, 1)
            )),
            ["to:range_too_long"]
        );
        assert_eq!(
            codes(resolve(
                custom(Some(d(1999, 12, 31)), Some(d(2026, 1, 1))),
                tz,
                d(2026, 1, 1)
            )),
            ["from:date_out_of_range"]
        );
        let mut day = req(PeriodKind::Day, None);
        day.from = Some(d(2026, 1, 1));
        assert_eq!(codes(resolve(day, tz, d(2026, 1, 1))), ["from:not_allowed"]);
    }
}
