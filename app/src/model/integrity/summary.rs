//! The one-line integrity summary (Activity shows it): typed counts of what the stored validations found,
//! worded in one place ([`IntegritySummary::line`]).
use super::status::{Finding, IntegrityStatus, RunVerdict};
use super::{DigestVerdict, LogVerdict};
use serde::{Deserialize, Serialize};

/// How many of each kind of finding the stored validations hold.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// Log files whose bytes are not what their digest hashed (modified, trailing data, unreadable).
    pub logs_modified: usize,
    /// Log files a digest lists that are gone.
    pub logs_missing: usize,
    /// Digest files that do not verify (modified, moved, signed by an unknown key, …).
    pub digests_invalid: usize,
    /// Digest files that are gone.
    pub digests_missing: usize,
    /// Stretches without digests (logging or validation was off): information.
    pub gaps: usize,
    /// Log files no digest lists.
    pub unlisted_logs: usize,
    /// Chains or archives that could not be validated at all.
    pub failures: usize,
}

impl Tally {
    /// Counts `finding`.
    pub fn add(&mut self, finding: &Finding) {
        let count = match finding {
            Finding::Digest {
                verdict: DigestVerdict::NotFound,
                ..
            } => &mut self.digests_missing,
            Finding::Digest { .. } => &mut self.digests_invalid,
            Finding::Log {
                verdict: LogVerdict::NotFound,
                ..
            } => &mut self.logs_missing,
            Finding::Log { .. } => &mut self.logs_modified,
            Finding::Gap { .. } => &mut self.gaps,
            Finding::Unlisted { .. } => &mut self.unlisted_logs,
            Finding::Chain { .. } => &mut self.failures,
        };
        *count += 1;
    }

    /// Nothing found but gaps (which are information, as `aws cloudtrail validate-logs` treats them).
    pub fn is_clean(&self) -> bool {
        *self
            == Self {
                gaps: self.gaps,
                ..Self::default()
            }
    }

    /// Each non-zero count in words, worst first: `1 log file modified`, `2 gaps`.
    pub fn parts(&self) -> Vec<String> {
        [
            (
                self.failures,
                "archive or chain not validated",
                "archives or chains not validated",
            ),
            (
                self.digests_invalid,
                "digest file invalid",
                "digest files invalid",
            ),
            (
                self.logs_modified,
                "log file modified",
                "log files modified",
            ),
            (
                self.digests_missing,
                "digest file missing",
                "digest files missing",
            ),
            (self.logs_missing, "log file missing", "log files missing"),
            (
                self.unlisted_logs,
                "log file no digest lists",
                "log files no digest lists",
            ),
            (self.gaps, "gap", "gaps"),
        ]
        .into_iter()
        .filter(|(n, _, _)| *n > 0)
        .map(|(n, one, many)| format!("{n} {}", if n == 1 { one } else { many }))
        .collect()
    }
}

/// The Activity page's integrity line, as typed facts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegritySummary {
    /// The server's clock when it answered (epoch seconds).
    pub now_secs: i64,
    /// Whether the server validates any archive.
    pub configured: bool,
    /// When the newest stored validation ended (epoch seconds); `None`: never validated.
    pub validated_at_secs: Option<i64>,
    /// Archives whose last run validated no digest file (none found, or none in its window).
    pub archives_without_digests: usize,
    /// What the stored validations found.
    pub tally: Tally,
    /// Whether a validation is running now.
    pub running: bool,
}

impl IntegritySummary {
    /// The summary of a stored status.
    pub fn of(status: &IntegrityStatus) -> Self {
        let mut tally = Tally::default();
        let mut without_digests = 0;
        for archive in &status.archives {
            match archive.verdict() {
                RunVerdict::Validated { .. } => {}
                RunVerdict::NoDigests => without_digests += 1,
                RunVerdict::Failed { .. } => tally.failures += 1,
            }
            for problem in archive.chains.iter().flat_map(|c| &c.problems) {
                tally.add(&problem.finding);
            }
        }
        Self {
            now_secs: status.now_secs,
            configured: !status.sources.is_empty(),
            validated_at_secs: status.archives.iter().map(|a| a.validated_at_secs).max(),
            archives_without_digests: without_digests,
            tally,
            running: status.run.is_some(),
        }
    }

    /// `Integrity: 1 log file modified, 1 gap · validated 3 min ago`; `None` when no archive is validated here.
    pub fn line(&self) -> Option<String> {
        if !self.configured {
            return None;
        }
        let Some(at) = self.validated_at_secs else {
            return Some(if self.running {
                "Integrity: the first validation is running".to_owned()
            } else {
                "Integrity: not validated yet".to_owned()
            });
        };
        let mut parts = self.tally.parts();
        if self.archives_without_digests > 0 {
            parts.insert(0, "no digest files found".to_owned());
        }
        let found = if parts.is_empty() {
            "every digest and log file valid".to_owned()
        } else {
            parts.join(", ")
        };
        let running = if self.running {
            " · validating now"
        } else {
            ""
        };
        Some(format!(
            "Integrity: {found} · validated {}{running}",
            ago(self.now_secs - at)
        ))
    }
}

/// `just now`, `3 min ago`, `2 h ago`, `5 days ago`.
pub fn ago(secs: i64) -> String {
    match secs.max(0) {
        s if s < 60 => "just now".to_owned(),
        s if s < 3_600 => format!("{} min ago", s / 60),
        s if s < 86_400 => format!("{} h ago", s / 3_600),
        s if s < 2 * 86_400 => "1 day ago".to_owned(),
        s => format!("{} days ago", s / 86_400),
    }
}
