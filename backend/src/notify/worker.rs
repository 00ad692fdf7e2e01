//! The background thread that delivers outbox messages while the server runs.
//!
//! A plain thread rather than an actix task: sending is blocking I/O (sync SMTP) and database
//! work, which must stay off the HTTP workers, and the thread needs no runtime to sleep on.

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender, TryRecvError};
use std::sync::Arc;
use std::time::Duration;

use super::delivery::{self, DeliveryReport};
use super::sender::EmailSender;
use crate::clock;
use crate::db::DbPool;
use crate::error::AppResult;

/// Pause between rounds when there is nothing (more) to send.
pub const POLL_INTERVAL: Duration = Duration::from_secs(5);

/// Messages per round; a full round is followed by another at once, so a backlog drains quickly.
pub const BATCH: u32 = 20;

/// How long `stop` waits for a send in progress, so its outcome is recorded rather than left to
/// the lease to expire (which would send the message again).
const STOP_GRACE: Duration = Duration::from_secs(5);

/// The running worker. Dropping it also stops the thread, at its next check.
pub struct DeliveryWorker {
    stop: Sender<()>,
    done: Receiver<()>,
}

/// Starts the thread: a round of deliveries right away, then every `interval`.
pub fn spawn(
    pool: DbPool,
    sender: Arc<dyn EmailSender>,
    interval: Duration,
) -> std::io::Result<DeliveryWorker> {
    let (stop_tx, stop_rx) = mpsc::channel();
    let (done_tx, done_rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("outbox-delivery".into())
        .spawn(move || {
            run(&pool, sender.as_ref(), &stop_rx, interval);
            // The receiver may be gone (`stop` gave up waiting); nothing to do then.
            let _ = done_tx.send(());
        })?;
    Ok(DeliveryWorker {
        stop: stop_tx,
        done: done_rx,
    })
}

impl DeliveryWorker {
    /// Asks the thread to stop and waits briefly for it, never long enough to hold up shutdown.
    pub fn stop(self) {
        // An error means the thread has already ended.
        let _ = self.stop.send(());
        if self.done.recv_timeout(STOP_GRACE).is_err() {
            tracing::warn!("message delivery still busy at shutdown; its message will be retried");
        }
    }
}

fn run(pool: &DbPool, sender: &dyn EmailSender, stop: &Receiver<()>, interval: Duration) {
    tracing::info!("message delivery started");
    while drain(pool, sender, stop) && sleep(stop, interval) {}
    tracing::info!("message delivery stopped");
}

/// Rounds back to back while they come back full; false when asked to stop meanwhile.
fn drain(pool: &DbPool, sender: &dyn EmailSender, stop: &Receiver<()>) -> bool {
    loop {
        let full = match round(pool, sender) {
            Ok(report) => report.attempted() >= BATCH,
            Err(err) => {
                tracing::error!(error = %err, "message delivery round failed");
                false
            }
        };
        match stop.try_recv() {
            Err(TryRecvError::Empty) if full => {}
            Err(TryRecvError::Empty) => return true,
            Ok(()) | Err(TryRecvError::Disconnected) => return false,
        }
    }
}

/// Waits for the next round; false when asked to stop (or the handle was dropped).
fn sleep(stop: &Receiver<()>, interval: Duration) -> bool {
    matches!(stop.recv_timeout(interval), Err(RecvTimeoutError::Timeout))
}

fn round(pool: &DbPool, sender: &dyn EmailSender) -> AppResult<DeliveryReport> {
    let mut conn = pool.get()?;
    delivery::deliver_due(&mut conn, sender, clock::now(), BATCH)
}
