//! Named permissions and the roles that grant them. Handlers ask for a permission, never for a
//! role, so custom roles can be added later without touching them. API key scopes are
//! permission names.

use serde::{Deserialize, Serialize};

use crate::tenancy::models::StaffRole;

macro_rules! permissions {
    ($($variant:ident => $name:literal),+ $(,)?) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum Permission {
            $(#[serde(rename = $name)] $variant,)+
        }

        /// One type per permission, for `Allowed<need::X>` extractors.
        pub mod need {
            $(
                #[derive(Debug)]
                pub struct $variant;

                impl super::Need for $variant {
                    const PERMISSION: super::Permission = super::Permission::$variant;
                }
            )+
        }

        impl Permission {
            pub const ALL: &'static [Permission] = &[$(Permission::$variant,)+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Permission::$variant => $name,)+
                }
            }
        }
    };
}

permissions! {
    MerchantRead => "merchant.read",
    MerchantManage => "merchant.manage",
    StaffRead => "staff.read",
    StaffManage => "staff.manage",
    AuditRead => "audit.read",
    ApiKeysManage => "api_keys.manage",
    CatalogRead => "catalog.read",
    CatalogWrite => "catalog.write",
    CatalogReview => "catalog.review",
    InventoryWrite => "inventory.write",
    OrdersRead => "orders.read",
    OrdersWrite => "orders.write",
    AfterSalesManage => "after_sales.manage",
    DistributorsRead => "distributors.read",
    DistributorsManage => "distributors.manage",
    CommissionsRead => "commissions.read",
    CommissionsSettle => "commissions.settle",
    WithdrawalsManage => "withdrawals.manage",
    ReportsRead => "reports.read",
    MarketingManage => "marketing.manage",
    SupportManage => "support.manage",
    WebhooksManage => "webhooks.manage",
}

// Written by hand: the derive cannot see the serde names inside the macro above, and the API
// must document `staff.read`, not `StaffRead`.
impl utoipa::PartialSchema for Permission {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .enum_values(Some(Permission::ALL.iter().map(|p| p.as_str())))
            .description(Some(
                "A permission: what a role grants and an API key scope names.",
            ))
            .into()
    }
}

impl utoipa::ToSchema for Permission {}

/// A permission known at compile time, so a handler can demand it in its signature.
pub trait Need {
    const PERMISSION: Permission;
}

impl Permission {
    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|p| p.as_str() == value)
    }
}

/// What each built-in role may do.
pub fn for_role(role: StaffRole) -> &'static [Permission] {
    use Permission::*;
    match role {
        StaffRole::Owner | StaffRole::Admin => Permission::ALL,
        StaffRole::Operator => &[
            MerchantRead,
            StaffRead,
            CatalogRead,
            CatalogWrite,
            CatalogReview,
            InventoryWrite,
            OrdersRead,
            OrdersWrite,
            AfterSalesManage,
            DistributorsRead,
            DistributorsManage,
            MarketingManage,
        ],
        StaffRole::Finance => &[
            MerchantRead,
            StaffRead,
            OrdersRead,
            DistributorsRead,
            CommissionsRead,
            CommissionsSettle,
            WithdrawalsManage,
            ReportsRead,
        ],
        StaffRole::Support => &[
            MerchantRead,
            StaffRead,
            OrdersRead,
            AfterSalesManage,
            DistributorsRead,
            SupportManage,
        ],
        StaffRole::Viewer => &[
            MerchantRead,
            StaffRead,
            CatalogRead,
            OrdersRead,
            DistributorsRead,
            CommissionsRead,
            ReportsRead,
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        let mut names: Vec<&str> = Permission::ALL.iter().map(|p| p.as_str()).collect();
        for p in Permission::ALL {
            assert_eq!(Permission::parse(p.as_str()), Some(*p));
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Permission::ALL.len());
    }

    #[test]
    fn only_owners_and_admins_manage_staff_and_keys() {
        for &role in StaffRole::VARIANTS {
            let manages = for_role(role).contains(&Permission::StaffManage);
            assert_eq!(
                manages,
                matches!(role, StaffRole::Owner | StaffRole::Admin),
                "{role:?}"
            );
            let keys = for_role(role).contains(&Permission::ApiKeysManage);
            assert_eq!(
                keys,
                matches!(role, StaffRole::Owner | StaffRole::Admin),
                "{role:?}"
            );
        }
        assert!(!for_role(StaffRole::Viewer)
            .iter()
            .any(|p| p.as_str().ends_with(".write")));
    }
}
