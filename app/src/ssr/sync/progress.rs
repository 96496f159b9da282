//! How far an Event History sync is: the seconds of history its Regions have read back of those they have to
//! read, and the events stored, counted by the Region runs as each page commits and read by whoever shows the
//! run's progress (`trailscope sync`'s progress line).
use std::sync::atomic::{AtomicU64, Ordering};

/// Counters a sync updates as it goes.
#[derive(Debug, Default)]
pub struct SyncProgress {
    span_total_secs: AtomicU64,
    span_done_secs: AtomicU64,
    events: AtomicU64,
}

impl SyncProgress {
    /// A Region run starts and has `[from, until]` to read (epoch seconds; LookupEvents reads newest first).
    pub fn begin_window(&self, from: i64, until: i64) {
        self.span_total_secs
            .fetch_add(seconds(until - from), Ordering::Relaxed);
    }

    /// A page committed `events` new events and reached back `secs` further (from the previous page's oldest
    /// event, or the window's end, to this page's oldest).
    pub fn page(&self, secs: i64, events: u64) {
        self.span_done_secs
            .fetch_add(seconds(secs), Ordering::Relaxed);
        self.events.fetch_add(events, Ordering::Relaxed);
    }

    /// A Region run ended (caught up, failed or not enabled): whatever of its window was not read is no longer
    /// to be read.
    pub fn end_window(&self, unread_secs: i64) {
        let unread = seconds(unread_secs);
        // Never below zero, whatever a Region reports.
        let _ = self
            .span_total_secs
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |total| {
                Some(total.saturating_sub(unread))
            });
    }

    /// `(seconds read, seconds to read, events stored)` now; read ≤ to read.
    pub fn read(&self) -> (u64, u64, u64) {
        let total = self.span_total_secs.load(Ordering::Relaxed);
        let done = self.span_done_secs.load(Ordering::Relaxed).min(total);
        (done, total, self.events.load(Ordering::Relaxed))
    }
}

fn seconds(secs: i64) -> u64 {
    u64::try_from(secs).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_region_that_ends_early_no_longer_counts_its_unread_history() {
        let progress = SyncProgress::default();
        progress.begin_window(0, 1_000);
        progress.begin_window(0, 1_000);
        progress.page(400, 50);
        progress.page(600, 20);
        assert_eq!(progress.read(), (1_000, 2_000, 70));
        // The second Region read nothing and stopped: the run is then complete.
        progress.end_window(1_000);
        assert_eq!(progress.read(), (1_000, 1_000, 70));
    }
}
