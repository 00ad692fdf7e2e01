//! The thread that freezes the final ranking of ended contests while the server runs. Freezing
//! is claimed per contest in the database, so every instance may run one.

use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::time::Duration;

use super::standings;
use crate::clock;
use crate::db::DbPool;

/// Pause between rounds. A contest is frozen within this (plus the close delay) of its end;
/// until then its standings are live.
pub const POLL_INTERVAL: Duration = Duration::from_secs(60);

/// The running thread. Dropping it also stops the thread, at its next check.
pub struct ContestCloser {
    stop: Sender<()>,
}

pub fn spawn(pool: DbPool, interval: Duration) -> std::io::Result<ContestCloser> {
    let (stop_tx, stop_rx) = mpsc::channel();
    std::thread::Builder::new()
        .name("contest-closer".into())
        .spawn(move || run(&pool, &stop_rx, interval))?;
    Ok(ContestCloser { stop: stop_tx })
}

impl ContestCloser {
    pub fn stop(self) {
        // An error means the thread has already ended.
        let _ = self.stop.send(());
    }
}

fn run(pool: &DbPool, stop: &Receiver<()>, interval: Duration) {
    loop {
        round(pool);
        match stop.recv_timeout(interval) {
            Err(RecvTimeoutError::Timeout) => {}
            Ok(()) | Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

fn round(pool: &DbPool) {
    let closed = pool
        .get()
        .map_err(crate::error::AppError::from)
        .and_then(|mut conn| standings::close_due(&mut conn, clock::now()));
    match closed {
        Ok(ids) if !ids.is_empty() => tracing::info!(contests = ?ids, "contest rankings frozen"),
        Ok(_) => {}
        Err(err) => tracing::error!(error = %err, "closing contests failed"),
    }
}
