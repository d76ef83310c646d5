//! The messages the pool "sends": every SMS and email code, readable by
//! tests instead of a phone or a mailbox.

use super::challenges::SessionStep;
use super::locks::{lock, read};
use super::{InMemoryPool, Inner};
use crate::backend::MfaFactor;
use crate::secret::OneTimeCode;
use std::time::SystemTime;

/// The most messages kept: the oldest go first.
const KEPT: usize = 1024;

/// One code the pool sent.
#[non_exhaustive]
#[derive(Debug, Clone)]
pub struct SentMessage {
    /// The canonical user name it was for.
    pub username: String,
    /// By email or by text message ([`MfaFactor::Email`], [`MfaFactor::Sms`]).
    pub medium: MfaFactor,
    /// Where it went, unmasked (the user's `email` or `phone_number`).
    pub destination: String,
    /// The code.
    pub code: OneTimeCode,
    /// Whether it stands for the password (USER_AUTH's EMAIL_OTP / SMS_OTP
    /// first factor) rather than a second factor.
    pub first_factor: bool,
    /// When it was sent, by the pool's clock.
    pub sent_at: SystemTime,
}

impl InMemoryPool {
    /// Every code sent so far, oldest first (up to the last 1,024).
    pub fn outbox(&self) -> Vec<SentMessage> {
        lock(&self.inner.outbox).iter().cloned().collect()
    }

    /// The last code sent to `username`, if any.
    pub fn last_message_to(&self, username: &str) -> Option<SentMessage> {
        lock(&self.inner.outbox)
            .iter()
            .rev()
            .find(|m| m.username == username)
            .cloned()
    }
}

impl Inner {
    /// Files the code `step` carries, if any, as sent to `username`.
    pub(super) fn outbox_send(&self, username: &str, step: &SessionStep, now: SystemTime) {
        let Some((medium, code, first_factor)) = step.sent_code() else {
            return;
        };
        let attribute = if medium == MfaFactor::Email {
            "email"
        } else {
            "phone_number"
        };
        let destination = read(&self.users)
            .get(username)
            .and_then(|u| lock(u).attributes.get(attribute).cloned())
            .unwrap_or_default();
        let mut outbox = lock(&self.outbox);
        if outbox.len() == KEPT {
            outbox.pop_front();
        }
        outbox.push_back(SentMessage {
            username: username.to_owned(),
            medium,
            destination,
            code: OneTimeCode::new(code),
            first_factor,
            sent_at: now,
        });
    }
}
