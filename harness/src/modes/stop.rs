//! A stop signal shared by the tasks of a run: raised by Ctrl-C or by a control request
//! (`/stopServer`), awaited by schedulers and accept loops.

use tokio::sync::watch;

/// Why a run stops early.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// SIGINT (Ctrl-C).
    Interrupted,
    /// A client asked (`/stopServer`, `shutdownOnComplete`, `--stop-after-agents`).
    Requested,
}

/// The sending side; cheap to clone.
#[derive(Debug, Clone)]
pub struct Stop {
    tx: watch::Sender<Option<StopReason>>,
}

impl Default for Stop {
    fn default() -> Self {
        Self::new()
    }
}

impl Stop {
    /// A signal not raised yet.
    pub fn new() -> Self {
        Self {
            tx: watch::Sender::new(None),
        }
    }

    /// A signal raised by Ctrl-C as well as by [`Stop::raise`]. On Unix the SIGINT handler
    /// is installed before this returns, so an early Ctrl-C is not lost. Must be called
    /// within a tokio runtime.
    pub fn with_ctrl_c() -> Self {
        let stop = Self::new();
        let on_signal = stop.clone();
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            match signal(SignalKind::interrupt()) {
                Ok(mut sigint) => {
                    tokio::spawn(async move {
                        if sigint.recv().await.is_some() {
                            on_signal.raise(StopReason::Interrupted);
                        }
                    });
                }
                Err(e) => super::warn(&format!("cannot handle Ctrl-C: {e}")),
            }
        }
        #[cfg(not(unix))]
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                on_signal.raise(StopReason::Interrupted);
            }
        });
        stop
    }

    /// Raises the signal; the first reason wins.
    pub fn raise(&self, reason: StopReason) {
        self.tx.send_if_modified(|current| {
            if current.is_none() {
                *current = Some(reason);
                true
            } else {
                false
            }
        });
    }

    /// The reason, once raised.
    pub fn reason(&self) -> Option<StopReason> {
        *self.tx.borrow()
    }

    /// Resolves when the signal is raised (at once if it already is).
    pub async fn raised(&self) -> StopReason {
        let mut rx = self.tx.subscribe();
        loop {
            if let Some(reason) = *rx.borrow_and_update() {
                return reason;
            }
            // The sender lives in `self`, so this cannot fail while we wait.
            if rx.changed().await.is_err() {
                return StopReason::Requested;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn first_reason_wins_and_waiters_wake() {
        let stop = Stop::new();
        assert_eq!(stop.reason(), None);
        let waiter = {
            let stop = stop.clone();
            tokio::spawn(async move { stop.raised().await })
        };
        stop.raise(StopReason::Requested);
        stop.raise(StopReason::Interrupted);
        assert_eq!(waiter.await.unwrap(), StopReason::Requested);
        assert_eq!(stop.raised().await, StopReason::Requested);
    }
}
