//! The threads that move orders on by themselves while the server runs: cancelling unpaid orders
//! once their payment timeout has passed, and completing shipped orders once `complete_by` has
//! passed. Each order changes by a conditional update, so every instance may run both; each
//! round is also claimed by a lease, so only one instance does the work at a time.

use std::time::Duration;

use super::{completion, lifecycle};
use crate::clock;
use crate::db::DbPool;
use crate::error::AppError;
use crate::leases;
use crate::periodic::{self, Periodic};

/// Pause between expiry rounds: an unpaid order is cancelled within this of its `pay_by`.
pub const POLL_INTERVAL: Duration = Duration::from_secs(30);
/// Pause between completion rounds: a shipped order completes within this of its `complete_by`.
pub const COMPLETION_INTERVAL: Duration = Duration::from_secs(60);
/// The lease of the completion job.
pub const COMPLETION_JOB: &str = "order-completion";
/// The lease of the expiry job.
pub const EXPIRY_JOB: &str = "order-expiry";

/// Runs one expiry round if this instance holds (or takes) the job's lease.
pub fn expiry_round(
    pool: &DbPool,
    lease_for: Duration,
) -> Result<Option<lifecycle::ExpiryReport>, AppError> {
    let mut conn = pool.get().map_err(AppError::from)?;
    let now = clock::now();
    let ttl = chrono::Duration::from_std(lease_for).unwrap_or(chrono::Duration::minutes(2));
    if !leases::acquire(&mut conn, EXPIRY_JOB, leases::holder(), ttl, now)? {
        return Ok(None);
    }
    lifecycle::expire_all(&mut conn, now).map(Some)
}

pub fn spawn(pool: DbPool, interval: Duration) -> std::io::Result<Periodic> {
    periodic::spawn("order-expiry", interval, move || {
        // Held for two rounds, so the holder keeps it while it runs and a dead one lets go soon.
        match expiry_round(&pool, interval * 2) {
            Ok(Some(report)) if report.cancelled > 0 => {
                tracing::info!(cancelled = report.cancelled, "unpaid orders cancelled");
            }
            Ok(_) => {}
            Err(err) => tracing::error!(error = %err, "expiring orders failed"),
        }
    })
}

/// Runs one completion round if this instance holds (or takes) the job's lease.
pub fn completion_round(
    pool: &DbPool,
    lease_for: Duration,
) -> Result<Option<completion::CompletionReport>, AppError> {
    let mut conn = pool.get().map_err(AppError::from)?;
    let now = clock::now();
    let ttl = chrono::Duration::from_std(lease_for).unwrap_or(chrono::Duration::minutes(5));
    if !leases::acquire(&mut conn, COMPLETION_JOB, leases::holder(), ttl, now)? {
        return Ok(None);
    }
    completion::complete_all(&mut conn, now).map(Some)
}

pub fn spawn_completion(pool: DbPool, interval: Duration) -> std::io::Result<Periodic> {
    periodic::spawn("order-completion", interval, move || {
        // Held for two rounds, so the holder keeps it while it runs and a dead one lets go soon.
        match completion_round(&pool, interval * 2) {
            Ok(Some(report)) if report.completed > 0 => {
                tracing::info!(completed = report.completed, "shipped orders completed");
            }
            Ok(_) => {}
            Err(err) => tracing::error!(error = %err, "completing orders failed"),
        }
    })
}
