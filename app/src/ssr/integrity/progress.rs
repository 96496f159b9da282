//! How far a validation run is: digest and log files checked of those found so far, counted by the chain
//! walks as they go and read by the Integrity page while the run lasts.
use std::sync::atomic::{AtomicUsize, Ordering};

/// Counters a run updates (shared with whoever shows its progress).
#[derive(Debug, Default)]
pub struct Progress {
    digests_total: AtomicUsize,
    digests_done: AtomicUsize,
    logs_total: AtomicUsize,
    logs_done: AtomicUsize,
}

/// A reading of [`Progress`]: `(digests done, digests total, logs done, logs total)`, each done ≤ its total.
pub type Counts = (usize, usize, usize, usize);

impl Progress {
    /// `n` more digest files listed.
    pub fn add_digests(&self, n: usize) {
        self.digests_total.fetch_add(n, Ordering::Relaxed);
    }

    /// `n` more digest files checked (or passed over by the walk).
    pub fn digests_done(&self, n: usize) {
        self.digests_done.fetch_add(n, Ordering::Relaxed);
    }

    /// `n` more log files to check.
    pub fn add_logs(&self, n: usize) {
        self.logs_total.fetch_add(n, Ordering::Relaxed);
    }

    /// One more log file checked.
    pub fn log_done(&self) {
        self.logs_done.fetch_add(1, Ordering::Relaxed);
    }

    /// The counts now.
    pub fn read(&self) -> Counts {
        let digests_total = self.digests_total.load(Ordering::Relaxed);
        let logs_total = self.logs_total.load(Ordering::Relaxed);
        (
            self.digests_done.load(Ordering::Relaxed).min(digests_total),
            digests_total,
            self.logs_done.load(Ordering::Relaxed).min(logs_total),
            logs_total,
        )
    }
}
