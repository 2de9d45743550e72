//! A call in flight: its progressive results, its final result, and canceling it.

use ampel_wamp::Id;
use ampel_wamp::client::CancelMode;
use tokio::sync::{mpsc, oneshot};

use super::{CallReply, Command, ask};
use crate::wamp::Error;

/// A CALL sent with [`super::Client::start_call`]. Read progressive results with
/// [`CallHandle::progress`] (when the call asked for `receive_progress`), then the final
/// result with [`CallHandle::result`]; [`CallHandle::cancel`] asks the dealer to cancel it.
#[derive(Debug)]
pub struct CallHandle {
    pub(super) request: Id,
    pub(super) progress: mpsc::UnboundedReceiver<CallReply>,
    pub(super) result: oneshot::Receiver<Result<CallReply, Error>>,
    pub(super) commands: mpsc::UnboundedSender<Command>,
}

impl CallHandle {
    /// The CALL's request ID.
    pub fn request(&self) -> Id {
        self.request
    }

    /// The next progressive result, in order; `None` once the call has ended (its final
    /// result or error is then waiting in [`CallHandle::result`]).
    pub async fn progress(&mut self) -> Option<CallReply> {
        self.progress.recv().await
    }

    /// Sends CANCEL with `mode`. The call still ends through [`CallHandle::result`]: with
    /// ERROR `wamp.error.canceled` from the dealer, or under [`CancelMode::Kill`] with
    /// whatever the callee answers. Fails if the call has already ended.
    pub async fn cancel(&self, mode: CancelMode) -> Result<(), Error> {
        let request = self.request;
        ask(&self.commands, |reply| Command::Cancel {
            request,
            mode,
            reply,
        })
        .await
    }

    /// The final RESULT, or the ERROR as [`Error::Application`].
    pub async fn result(self) -> Result<CallReply, Error> {
        self.result.await.unwrap_or(Err(Error::ConnectionClosed))
    }
}
