//! The background thread that feeds the asynchronous consumers while the server runs: every
//! consumer drained once a second. Each consumer is claimed by lease, so every instance may run
//! one. A plain thread like the email delivery worker: the work is blocking database access.

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

use super::consumers;
use crate::clock;
use crate::db::DbPool;

/// Pause between rounds.
pub const POLL_INTERVAL: Duration = Duration::from_secs(1);

/// How long `stop` waits for a round in progress.
const STOP_GRACE: Duration = Duration::from_secs(5);

/// The running worker. Dropping it also stops the thread, at its next check.
pub struct EventWorker {
    stop: Sender<()>,
    done: Receiver<()>,
}

/// Starts the thread: a round right away, then one every `interval`.
pub fn spawn(pool: DbPool, interval: Duration) -> std::io::Result<EventWorker> {
    let (stop_tx, stop_rx) = mpsc::channel();
    let (done_tx, done_rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("domain-events".into())
        .spawn(move || {
            run(&pool, &stop_rx, interval);
            // The receiver may be gone (`stop` gave up waiting); nothing to do then.
            let _ = done_tx.send(());
        })?;
    Ok(EventWorker {
        stop: stop_tx,
        done: done_rx,
    })
}

impl EventWorker {
    /// Asks the thread to stop and waits briefly for it. An event being handled when the wait
    /// ends is rolled back with its receipt and handled again by the next dispatcher.
    pub fn stop(self) {
        // An error means the thread has already ended.
        let _ = self.stop.send(());
        if self.done.recv_timeout(STOP_GRACE).is_err() {
            tracing::warn!("domain event dispatch still busy at shutdown");
        }
    }
}

fn run(pool: &DbPool, stop: &Receiver<()>, interval: Duration) {
    tracing::info!("domain event dispatch started");
    loop {
        round(pool);
        match stop.recv_timeout(interval) {
            Err(RecvTimeoutError::Timeout) => {}
            Ok(()) | Err(RecvTimeoutError::Disconnected) => break,
        }
    }
    tracing::info!("domain event dispatch stopped");
}

fn round(pool: &DbPool) {
    let mut conn = match pool.get() {
        Ok(conn) => conn,
        Err(err) => {
            tracing::error!(error = %err, "domain event dispatch: no database connection");
            return;
        }
    };
    for result in consumers::drain_all(&mut conn, clock::now()) {
        match result {
            Ok(drained) if drained.handled > 0 => tracing::debug!(
                consumer = %drained.consumer,
                handled = drained.handled,
                position = drained.last.position,
                "domain events handled"
            ),
            Ok(_) => {}
            Err(err) => tracing::error!(error = %err, "domain event dispatch failed"),
        }
    }
}
