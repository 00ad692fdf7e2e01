//! Fenxiao: a multi-tenant distribution (分销) platform.
//!
//! The library holds everything the `fenxiao` binary, the jobs and the tests share: configuration,
//! the database layer, the HTTP application and the domain services.

pub mod aftersales;
pub mod api;
pub mod app;
pub mod audit;
pub mod auth;
pub mod binding;
pub mod catalog;
pub mod cli;
pub mod clock;
pub mod commission;
pub mod config;
pub mod contests;
pub mod crypto;
/// The database layer lives in its own crate (`backend/db`), so that a change to a service does
/// not re-expand the schema; the app names it `crate::db` as before.
pub use fenxiao_db as db;
pub mod distribution;
pub mod error;
pub mod events;
pub mod http;
pub mod integrations;
pub mod inventory;
pub mod leases;
pub mod logistics;
pub mod media;
pub mod members;
pub mod money;
pub mod network;
pub mod notify;
pub mod orders;
pub mod payments;
pub mod periodic;
pub mod platform;
pub mod recruitment;
pub mod regions;
pub mod secrets;
pub mod server;
pub mod shop;
#[cfg(test)]
mod stored_enums;
pub mod telemetry;
pub mod tenancy;
pub mod tracking;
pub mod validate;

pub use error::{AppError, AppResult};
