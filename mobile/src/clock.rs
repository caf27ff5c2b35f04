//! The time a snapshot is judged at: the system clock, or one the app (or a test) injects.

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

/// A clock: milliseconds since the Unix epoch. Inject one in tests to step time; the default
/// is the system clock.
#[uniffi::export(with_foreign)]
pub trait Clock: Send + Sync {
    /// The current time in milliseconds since the Unix epoch.
    fn now_millis(&self) -> i64;
}

/// Whole seconds at `clock` (the system clock when `None`); times before 1970 read as 0.
pub(crate) fn now_secs(clock: Option<&Arc<dyn Clock>>) -> u64 {
    match clock {
        Some(c) => u64::try_from(c.now_millis()).map_or(0, |ms| ms / 1000),
        None => SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
    }
}
