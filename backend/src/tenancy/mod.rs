//! Tenancy: merchants (the tenants) and their staff.

pub mod lifecycle;
pub mod merchant;
pub mod merchant_routes;
pub mod models;
pub mod routes;
pub mod signup;
pub mod staff;
pub mod staff_routes;
