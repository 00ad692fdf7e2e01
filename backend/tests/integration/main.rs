//! The integration tests, as one test binary (linking the application once): a module per area,
//! each test driving the real application over real HTTP on a fresh database of its own (see
//! `harness`). Run one area with e.g. `cargo test --test integration catalog::`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod harness;

/// The API as a whole: health, the error contract, the OpenAPI document, tenant isolation.
mod api {
    mod error_contract;
    mod openapi;
    mod openapi_schema_names;
    mod system;
    mod tenant_walk;
}

/// Merchants and their accounts: sign-up, sign-in, MFA, password reset, staff, API keys, shop
/// members, platform operators.
mod identity {
    mod api_keys;
    mod auth;
    mod members;
    mod mfa;
    mod password_reset;
    mod platform;
    mod signup;
    mod staff;
}

/// Products and SKUs: the catalog, editing, batches, import and export, freight templates,
/// stock, media, presale and virtual SKUs, tier prices, the platform's review.
mod catalog {
    mod batch;
    mod editing;
    mod freight;
    mod import;
    mod inventory;
    mod media;
    mod presale_virtual;
    mod products;
    mod review;
    mod tier_prices;
}

/// The distribution network: distributors and their tree, customer binding, recruitment,
/// distribution settings and tiers, contests.
mod network {
    mod binding;
    mod contests;
    mod distribution;
    mod distributors;
    mod events;
    mod recruitment;
    mod tree;
}

/// The shop: the storefront and store profile, the member namespace keyed by its address,
/// payment methods, logistics.
mod shop {
    mod logistics;
    mod namespace;
    mod payments;
    mod storefront;
}

/// Orders: the cart, addresses, checkout, cancelling and expiry, payments, fulfilment and
/// tracking, after-sales and refunds.
mod orders {
    mod after_sales;
    mod alipay_refunds;
    mod batch;
    mod checkout;
    mod crash;
    pub mod fixtures;
    mod fulfilment;
    mod payments;
    mod pickup;
    mod tracking;
    mod wechat;
}

/// Messages: the staff inbox and email delivery.
mod notify {
    mod email_delivery;
    mod inbox;
}
