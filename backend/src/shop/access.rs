//! Who may use the member-facing paths `/api/v1/shops/{slug}/…`: the shop the path names, and
//! the signed-in member of that shop. Every handler of the namespace takes one of these instead
//! of checking the path itself, so no handler can forget the check.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};

use crate::app::AppState;
use crate::auth::principal::{MemberCaller, Principal};
use crate::db::ids::{MemberId, MerchantId};
use crate::error::{AppError, AppResult};
use crate::tenancy::merchant;

/// The name of the path segment that holds the shop's address.
const SLUG: &str = "slug";

fn slug_of(req: &HttpRequest) -> AppResult<String> {
    req.match_info()
        .get(SLUG)
        .map(str::to_owned)
        .ok_or_else(|| AppError::internal("a shop route without its {slug}"))
}

/// The open shop the path names: its merchant's id. An unknown address, or the shop of a merchant
/// that is not active, is 404.
#[derive(Debug, Clone, Copy)]
pub struct OpenShop(pub MerchantId);

impl FromRequest for OpenShop {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = AppResult<Self>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            let slug = slug_of(&req)?;
            let state = req
                .app_data::<web::Data<AppState>>()
                .ok_or_else(|| AppError::internal("application state missing"))?
                .clone();
            let id = state
                .db(move |conn| merchant::open_shop_id(conn, &slug))
                .await?;
            Ok(OpenShop(id))
        })
    }
}

/// The signed-in member of the shop the path names. A member's token carries its shop (the
/// principal is read afresh on each request, with its merchant's current address and only while
/// that merchant is active), so this needs no query of its own and is decided before the body is
/// read. Staff, operators and keys are refused as for any member path (403
/// `wrong_account_kind`); a member of another shop finds nobody here, exactly as at an address
/// that does not exist (404), so the answer tells nothing about either shop.
#[derive(Debug, Clone)]
pub struct ShopMember {
    /// The shop's merchant, the member's own.
    pub merchant_id: MerchantId,
    pub principal: Principal,
}

impl ShopMember {
    pub fn member_id(&self) -> MemberId {
        MemberId(self.principal.id)
    }

    fn check(principal: Principal, slug: &str) -> AppResult<Self> {
        let own = principal
            .shop
            .as_deref()
            .is_some_and(|shop| shop.eq_ignore_ascii_case(slug));
        match principal.merchant_id {
            Some(merchant_id) if own => Ok(ShopMember {
                merchant_id,
                principal,
            }),
            _ => Err(AppError::NotFound),
        }
    }
}

impl FromRequest for ShopMember {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = AppResult<Self>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let member = MemberCaller::from_request(req, payload);
        let slug = slug_of(req);
        Box::pin(async move {
            let MemberCaller(principal) = member.await?;
            ShopMember::check(principal, &slug?)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::principal::Caller;

    fn member_of(merchant_id: MerchantId, shop: &str) -> Principal {
        Principal {
            caller: Caller::Member,
            id: 7,
            merchant_id: Some(merchant_id),
            shop: Some(shop.to_owned()),
            session_id: Some(1),
            label: "13800000000".into(),
            permissions: Default::default(),
            mfa_enrolment_required: false,
            client: Default::default(),
        }
    }

    #[test]
    fn the_member_of_the_named_shop_is_let_in_whatever_the_case_of_the_address() {
        let member = ShopMember::check(member_of(MerchantId(3), "haowu-tea"), "HaoWu-Tea").unwrap();
        assert_eq!(
            (member.merchant_id, member.member_id()),
            (MerchantId(3), MemberId(7))
        );
    }

    #[test]
    fn a_member_of_another_shop_finds_nobody() {
        let refused =
            ShopMember::check(member_of(MerchantId(3), "haowu-tea"), "shop-4").unwrap_err();
        assert!(matches!(refused, AppError::NotFound), "{refused:?}");
        let mut without = member_of(MerchantId(3), "haowu-tea");
        without.shop = None;
        assert!(matches!(
            ShopMember::check(without, "haowu-tea"),
            Err(AppError::NotFound)
        ));
    }
}
