//! Where the time comes from: one [`Clock`], injected where sign-in is built.
//!
//! Every timestamp the crate takes (a challenge's expiry, the SRP
//! `TIMESTAMP`, a saved challenge's age) is read from a [`Clock`]. The
//! default is [`SystemClock`]; tests hand the same
//! [`ManualClock`](crate::testing::ManualClock) to the sign-in and to the
//! in-memory pool, so both sides of a flow see one time and a test steps past
//! an expiry without sleeping. This module is the only place that reads the
//! system time (clippy's `disallowed-methods` keeps it so).

use std::fmt;
use std::sync::Arc;
use std::time::SystemTime;

/// A source of the current time.
pub trait Clock: Send + Sync + fmt::Debug {
    /// The current time.
    fn now(&self) -> SystemTime;
}

impl<C: Clock + ?Sized> Clock for Arc<C> {
    fn now(&self) -> SystemTime {
        (**self).now()
    }
}

impl<C: Clock + ?Sized> Clock for &C {
    fn now(&self) -> SystemTime {
        (**self).now()
    }
}

/// The real time, [`SystemTime::now`].
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // the one place that may read it
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// The shared handle the crate keeps.
pub(crate) type SharedClock = Arc<dyn Clock>;

pub(crate) fn system() -> SharedClock {
    Arc::new(SystemClock)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_clock_is_real_time() {
        #[allow(clippy::disallowed_methods)]
        let before = SystemTime::now();
        assert!(SystemClock.now() >= before);
        let shared: SharedClock = system();
        assert!(shared.now() >= before);
    }
}
