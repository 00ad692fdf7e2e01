//! The platform: operators who run the installation.

pub mod merchants;
pub mod operators;
pub mod routes;
