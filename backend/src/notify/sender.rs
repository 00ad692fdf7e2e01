//! The interface between the outbox and whatever delivers its messages. Delivery
//! (`notify::delivery`) only knows this trait, so tests and future providers plug in without
//! touching the retry rules.

use super::outbox::Channel;

/// One message as it leaves the outbox: an email, or an SMS for a sender that takes them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    /// The outbox row, for logs and message ids.
    pub outbox_id: i64,
    pub channel: Channel,
    /// Stable name of the template that produced the message.
    pub template: String,
    pub recipient: String,
    /// Empty for SMS.
    pub subject: String,
    /// Plain text.
    pub body: String,
}

/// Why a message was not delivered. The text is stored in `outbox_messages.last_error` and
/// logged, so it must never carry credentials.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SendError {
    pub message: String,
    /// The message itself can never be sent (e.g. the recipient is not a valid address), so
    /// retrying is pointless. Refusals by the server are not permanent in this sense: a 5xx can
    /// come from a misconfigured relay that is fixed an hour later.
    pub permanent: bool,
}

impl SendError {
    pub fn retryable(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            permanent: false,
        }
    }

    pub fn permanent(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            permanent: true,
        }
    }
}

/// Delivers one message, synchronously: delivery runs on its own thread, never on an HTTP
/// worker.
pub trait EmailSender: Send + Sync {
    fn send(&self, email: &Email) -> Result<(), SendError>;

    /// The channels this sender delivers; messages of other channels stay pending for another.
    fn channels(&self) -> &'static [Channel] {
        &[Channel::Email]
    }
}
