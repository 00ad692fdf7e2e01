//! Recruit links: the address of the shop's join page, with the recruiting distributor's code
//! (`/shop/{slug}/join?ref=K7Q2M9XD`) or without one for the merchant's own link. The shop's
//! address needs its slug, and the links leave the system (posters, chats), so they are built on
//! the public base URL (`FENXIAO_PUBLIC_URL`).

use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::ids::{MemberId, MerchantId};
use crate::db::schema::{distributors, merchants};
use crate::db::DbConnection;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::network::DistributorStatus;

/// A recruit link and what it is made of.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct RecruitLink {
    /// The address to share; the QR codes encode exactly this text.
    #[schema(example = "https://shop.example.com/shop/tea-garden/join?ref=K7Q2M9XD")]
    pub url: String,
    /// The recruiting distributor's code; absent in the merchant's own link.
    pub code: Option<String>,
    /// The shop's address (slug) the link points to.
    pub shop_slug: String,
}

/// The link for `slug`'s join page on `base` (no trailing slash), naming `code` when given.
/// Slugs and codes are plain lower-case letters, digits and dashes, or upper-case letters and
/// digits, so nothing needs escaping.
pub fn recruit_url(base: &str, slug: &str, code: Option<&str>) -> String {
    match code {
        Some(code) => format!("{base}/shop/{slug}/join?ref={code}"),
        None => format!("{base}/shop/{slug}/join"),
    }
}

fn shop_slug(conn: &mut DbConnection, merchant_id: MerchantId) -> AppResult<String> {
    let slug: Option<String> = merchants::table
        .find(merchant_id)
        .select(merchants::slug)
        .first(conn)?;
    slug.filter(|s| !s.is_empty())
        .ok_or(AppError::conflict(ErrorCode::ShopAddressRequired))
}

/// The merchant's own recruit link: applicants come without a recruiter, so approved ones join
/// under the default sponsor (or as roots).
pub fn merchant_link(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    base: &str,
) -> AppResult<RecruitLink> {
    let slug = shop_slug(conn, merchant_id)?;
    Ok(RecruitLink {
        url: recruit_url(base, &slug, None),
        code: None,
        shop_slug: slug,
    })
}

/// The recruit link of the member's own distributor profile. 404 when the member is not a
/// distributor; a frozen or ended distributor cannot recruit, so has no link (409).
pub fn distributor_link(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: MemberId,
    base: &str,
) -> AppResult<RecruitLink> {
    let (code, status): (String, DistributorStatus) = distributors::table
        .filter(distributors::merchant_id.eq(merchant_id))
        .filter(distributors::member_id.eq(member_id))
        .select((distributors::code, distributors::status))
        .first(conn)?;
    if status != DistributorStatus::Active {
        return Err(AppError::conflict(
            ErrorCode::DistributorNotActive.form("recruit"),
        ));
    }
    let slug = shop_slug(conn, merchant_id)?;
    Ok(RecruitLink {
        url: recruit_url(base, &slug, Some(&code)),
        code: Some(code),
        shop_slug: slug,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links() {
        assert_eq!(
            recruit_url("https://a.example", "tea", Some("K7Q2M9XD")),
            "https://a.example/shop/tea/join?ref=K7Q2M9XD"
        );
        assert_eq!(
            recruit_url("http://127.0.0.1:8080", "tea", None),
            "http://127.0.0.1:8080/shop/tea/join"
        );
    }
}
