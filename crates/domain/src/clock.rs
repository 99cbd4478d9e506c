//! Time is an input (STYLE habit 3): code that needs "now" takes a [`Clock`].

use std::sync::Mutex;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, TimeZone, Utc};

/// The source of the current instant.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;

    /// Milliseconds since the Unix epoch, the form every timestamp is stored in.
    fn now_ms(&self) -> i64 {
        self.now().timestamp_millis()
    }

    /// Today's date in Beijing time (the date of every statutory period).
    fn today(&self) -> NaiveDate {
        self.now().with_timezone(&beijing()).date_naive()
    }
}

/// Beijing time (UTC+8, no daylight saving), in which dates and times are shown and entered.
pub fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| FixedOffset::east_opt(0).expect("UTC offset"))
}

/// Unix ms of 00:00 Beijing time on `date`.
pub fn beijing_midnight_ms(date: NaiveDate) -> Option<i64> {
    beijing()
        .from_local_datetime(&date.and_hms_opt(0, 0, 0)?)
        .single()
        .map(|t| t.timestamp_millis())
}

/// The wall clock. The only place the platform reads it.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    #[allow(clippy::disallowed_methods)] // the one sanctioned wall-clock read
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stands still until told to move; for tests and reproducible demos.
#[derive(Debug)]
pub struct FixedClock(Mutex<DateTime<Utc>>);

impl FixedClock {
    pub fn new(at: DateTime<Utc>) -> Self {
        Self(Mutex::new(at))
    }

    /// Moves the clock forward (or back, with a negative duration).
    pub fn advance(&self, by: Duration) {
        let mut t = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *t += by;
    }

    pub fn set(&self, at: DateTime<Utc>) {
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = at;
    }
}

impl Clock for FixedClock {
    fn now(&self) -> DateTime<Utc> {
        *self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beijing_dates() {
        // 2026-01-01T16:30Z is already 2 January in Beijing.
        let c = FixedClock::new(
            Utc.with_ymd_and_hms(2026, 1, 1, 16, 30, 0)
                .single()
                .unwrap(),
        );
        assert_eq!(c.today(), NaiveDate::from_ymd_opt(2026, 1, 2).unwrap());
        assert_eq!(
            beijing_midnight_ms(NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()),
            Some(1_767_196_800_000)
        );
    }
}
