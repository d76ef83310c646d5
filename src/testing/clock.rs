//! [`ManualClock`]: a [`Clock`] that moves only when told to, so tests step
//! past a Session's expiry or into the next TOTP step without sleeping.

use crate::clock::Clock;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A clock that moves only when told to.
///
/// A cheap handle: clones share the same time, so a test keeps one clone and
/// hands another to the pool.
///
/// The time is kept as nanoseconds since the Unix epoch (lock-free, so
/// thousands of concurrent flows reading it don't contend); times before the
/// epoch or after the year 2554 are clamped to those bounds.
///
/// ```
/// use cognito_mfa::clock::Clock;
/// use cognito_mfa::testing::ManualClock;
/// use std::time::{Duration, UNIX_EPOCH};
///
/// let clock = ManualClock::new(UNIX_EPOCH + Duration::from_secs(1_700_000_000));
/// let handle = clock.clone();
/// clock.advance(Duration::from_secs(30));
/// assert_eq!(handle.now(), UNIX_EPOCH + Duration::from_secs(1_700_000_030));
/// ```
#[derive(Clone)]
pub struct ManualClock {
    nanos: Arc<AtomicU64>,
}

fn to_nanos(at: SystemTime) -> u64 {
    at.duration_since(UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
        .unwrap_or(0)
}

impl ManualClock {
    /// A clock showing `start`.
    pub fn new(start: SystemTime) -> Self {
        Self {
            nanos: Arc::new(AtomicU64::new(to_nanos(start))),
        }
    }

    /// A clock showing the real time now, from then on moved by hand.
    pub fn starting_now() -> Self {
        Self::new(crate::clock::SystemClock.now())
    }

    /// Sets the time.
    pub fn set(&self, at: SystemTime) {
        self.nanos.store(to_nanos(at), Ordering::SeqCst);
    }

    /// Moves the time forward by `by`.
    pub fn advance(&self, by: Duration) {
        let by = u64::try_from(by.as_nanos()).unwrap_or(u64::MAX);
        // fetch_update retries on a concurrent change; the closure never
        // refuses, so the result is always Ok.
        let _ = self
            .nanos
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
                Some(n.saturating_add(by))
            });
    }
}

impl Clock for ManualClock {
    fn now(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_nanos(self.nanos.load(Ordering::SeqCst))
    }
}

impl fmt::Debug for ManualClock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ManualClock")
            .field("now", &self.now())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let start = UNIX_EPOCH + Duration::from_secs(1_000);
        let clock = ManualClock::new(start);
        let shared = clock.clone();
        assert_eq!(clock.now(), start);
        clock.advance(Duration::from_millis(1_500));
        assert_eq!(shared.now(), start + Duration::from_millis(1_500));
        shared.set(start);
        assert_eq!(clock.now(), start);
        let dynamic: Arc<dyn Clock> = Arc::new(clock);
        assert_eq!(dynamic.now(), start);
    }

    #[test]
    fn before_epoch_clamps() {
        let clock = ManualClock::new(UNIX_EPOCH - Duration::from_secs(5));
        assert_eq!(clock.now(), UNIX_EPOCH);
    }
}
