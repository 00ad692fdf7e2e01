//! The background thread that runs the periodic promotion sweep while the server runs, every
//! `FENXIAO_PROMOTION_INTERVAL_SECS`. A plain thread like the email delivery worker: the sweep is
//! blocking database work that must stay off the HTTP workers.

use std::cell::Cell;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::time::Duration;

use super::promotion::{self, PeriodicReport};
use crate::clock;
use crate::db::DbPool;
use crate::error::AppResult;

/// How long `stop` waits for the sweep to reach the end of its batch.
const STOP_GRACE: Duration = Duration::from_secs(10);

/// The running worker. Dropping it also stops the thread, at its next check.
pub struct PromotionWorker {
    stop: Sender<()>,
    done: Receiver<()>,
}

/// Starts the thread: a sweep right away, then one every `interval`.
pub fn spawn(pool: DbPool, interval: Duration, batch: i64) -> std::io::Result<PromotionWorker> {
    let (stop_tx, stop_rx) = mpsc::channel();
    let (done_tx, done_rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("promotion".into())
        .spawn(move || {
            run(&pool, &stop_rx, interval, batch);
            // The receiver may be gone (`stop` gave up waiting); nothing to do then.
            let _ = done_tx.send(());
        })?;
    Ok(PromotionWorker {
        stop: stop_tx,
        done: done_rx,
    })
}

impl PromotionWorker {
    /// Asks the thread to stop (a sweep in progress ends after its current batch) and waits
    /// briefly for it.
    pub fn stop(self) {
        // An error means the thread has already ended.
        let _ = self.stop.send(());
        if self.done.recv_timeout(STOP_GRACE).is_err() {
            tracing::warn!("promotion sweep still busy at shutdown; the next run continues it");
        }
    }
}

fn run(pool: &DbPool, stop: &Receiver<()>, interval: Duration, batch: i64) {
    tracing::info!(every_secs = interval.as_secs(), "promotion sweep started");
    let stopping = Cell::new(false);
    let keep_going = || {
        if !stopping.get() && matches!(stop.try_recv(), Ok(()) | Err(TryRecvError::Disconnected)) {
            stopping.set(true);
        }
        !stopping.get()
    };
    loop {
        match sweep(pool, batch, keep_going) {
            Ok(report) if report.promoted > 0 || report.failed > 0 => tracing::info!(
                evaluated = report.evaluated,
                promoted = report.promoted,
                failed = report.failed,
                "promotion sweep done"
            ),
            Ok(_) => {}
            Err(err) => tracing::error!(error = %err, "promotion sweep failed"),
        }
        if stopping.get() || !matches!(stop.recv_timeout(interval), Err(RecvTimeoutError::Timeout))
        {
            break;
        }
    }
    tracing::info!("promotion sweep stopped");
}

fn sweep(pool: &DbPool, batch: i64, keep_going: impl FnMut() -> bool) -> AppResult<PeriodicReport> {
    let mut conn = pool.get()?;
    promotion::run_periodic(&mut conn, clock::now(), batch, keep_going)
}
