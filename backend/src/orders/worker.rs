//! The thread that cancels unpaid orders once their payment timeout has passed, while the server
//! runs. Each order is cancelled by a conditional update, so every instance may run one.

use std::time::Duration;

use super::lifecycle;
use crate::clock;
use crate::db::DbPool;
use crate::error::AppError;
use crate::periodic::{self, Periodic};

/// Pause between rounds: an unpaid order is cancelled within this of its `pay_by`.
pub const POLL_INTERVAL: Duration = Duration::from_secs(30);

pub fn spawn(pool: DbPool, interval: Duration) -> std::io::Result<Periodic> {
    periodic::spawn("order-expiry", interval, move || {
        let expired = pool
            .get()
            .map_err(AppError::from)
            .and_then(|mut conn| lifecycle::expire_all(&mut conn, clock::now()));
        match expired {
            Ok(report) if report.cancelled > 0 => {
                tracing::info!(cancelled = report.cancelled, "unpaid orders cancelled");
            }
            Ok(_) => {}
            Err(err) => tracing::error!(error = %err, "expiring orders failed"),
        }
    })
}
