//! A background thread that runs one round of a job, waits, and runs again until stopped: the
//! shape every periodic job of the server shares. Each job claims its work in the database, so
//! every instance may run one.

use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::time::Duration;

/// The running thread. Dropping it also stops the thread, at its next wait.
pub struct Periodic {
    stop: Sender<()>,
}

/// Starts the thread `name`, running `round` at once and then every `interval`.
pub fn spawn(
    name: &str,
    interval: Duration,
    mut round: impl FnMut() + Send + 'static,
) -> std::io::Result<Periodic> {
    let (stop_tx, stop_rx) = mpsc::channel::<()>();
    std::thread::Builder::new()
        .name(name.to_owned())
        .spawn(move || loop {
            round();
            match stop_rx.recv_timeout(interval) {
                Err(RecvTimeoutError::Timeout) => {}
                Ok(()) | Err(RecvTimeoutError::Disconnected) => return,
            }
        })?;
    Ok(Periodic { stop: stop_tx })
}

impl Periodic {
    pub fn stop(self) {
        // An error means the thread has already ended.
        let _ = self.stop.send(());
    }
}
