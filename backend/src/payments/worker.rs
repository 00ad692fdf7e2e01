//! The thread that submits refunds left pending (the request that created one crashed before it
//! submitted it, or the provider did not answer: it is asked again under the same refund number), while the server runs. Each refund is claimed
//! by a lease on its row, so every instance may run one.

use std::time::Duration;

use super::gateway::Providers;
use super::refunds;
use crate::clock;
use crate::db::DbPool;
use crate::error::AppError;
use crate::periodic::{self, Periodic};

/// Pause between rounds.
pub const POLL_INTERVAL: Duration = Duration::from_secs(30);
/// Refunds submitted per round.
pub const BATCH: i64 = 100;

pub fn spawn(pool: DbPool, providers: Providers, interval: Duration) -> std::io::Result<Periodic> {
    periodic::spawn("refund-submitter", interval, move || {
        let submitted = pool
            .get()
            .map_err(AppError::from)
            .and_then(|mut conn| refunds::submit_due(&mut conn, &providers, clock::now(), BATCH));
        match submitted {
            Ok(report) if report.submitted + report.checked + report.failed > 0 => {
                tracing::info!(
                    submitted = report.submitted,
                    checked = report.checked,
                    failed = report.failed,
                    "pending refunds submitted"
                );
            }
            Ok(_) => {}
            Err(err) => tracing::error!(error = %err, "submitting refunds failed"),
        }
    })
}
