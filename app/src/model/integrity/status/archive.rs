//! An archive as validated so far ([`ArchiveStatus`]: its chains, merged run after run), the run in progress,
//! and what the Integrity page and `GET /api/integrity/report` answer ([`IntegrityStatus`]).
use super::{ChainStatus, HourState};
use crate::model::time::HOUR;
use serde::{Deserialize, Serialize};

/// How an archive's last validation ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum ArchiveOutcome {
    /// Its chains were validated (each may still hold problems).
    Validated,
    /// No CloudTrail digest file is in the archive: log file validation is off on its trails.
    NoDigests,
    /// It could not be validated at all (listing refused, key folder unreadable).
    Failed {
        /// Why.
        reason: String,
    },
}

/// What may be said of an archive's last run, decided on typed facts (its [`ArchiveOutcome`] and its counts),
/// so that "no problem" is said only of a run that validated at least one digest and found nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunVerdict {
    /// The last run failed: nothing is known of the archive from it.
    Failed {
        /// Why.
        reason: String,
    },
    /// The last run validated no digest file: there is none (log file validation is off on the trails) or
    /// none in the window validated.
    NoDigests,
    /// Digest files were validated.
    Validated {
        /// Digest hours validated (valid or not; gaps and hours not yet validated are not counted).
        digest_hours: usize,
        /// Findings to look at (gaps included, as the page lists them).
        findings: usize,
    },
}

/// One archive (an S3 bucket and prefix, or a folder) as validated so far.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArchiveStatus {
    /// `s3://bucket[/prefix]`, or the folder.
    pub source: String,
    /// When the last validation (of everything, or of new digests) ended (epoch seconds).
    pub validated_at_secs: i64,
    /// When the last validation of every digest ended (epoch seconds); `None` when only new digests were.
    #[serde(default)]
    pub full_validated_at_secs: Option<i64>,
    /// How the last validation ended.
    #[serde(flatten)]
    pub outcome: ArchiveOutcome,
    /// One per account × Region × trail found.
    pub chains: Vec<ChainStatus>,
}

impl ArchiveStatus {
    /// The status of `source` after a run that validated `chains` (built with [`ChainStatus::from_report`]) at
    /// `at_secs`: a `full` run (every digest) replaces what was known; a run over new digests is merged in.
    pub fn after_run(
        previous: Option<ArchiveStatus>,
        source: String,
        chains: Vec<ChainStatus>,
        full: bool,
        at_secs: i64,
    ) -> Self {
        let previous = previous.filter(|p| !full && p.outcome == ArchiveOutcome::Validated);
        let Some(mut status) = previous else {
            return Self {
                source,
                validated_at_secs: at_secs,
                full_validated_at_secs: Some(at_secs),
                outcome: ArchiveOutcome::Validated,
                chains,
            };
        };
        status.validated_at_secs = at_secs;
        for chain in chains {
            match status.chains.iter_mut().find(|c| c.same_chain(&chain)) {
                Some(known) => known.merge(chain),
                None => status.chains.push(chain),
            }
        }
        status.chains.sort_by_key(ChainStatus::label);
        status
    }

    /// What may be said of the last run ([`RunVerdict`]).
    pub fn verdict(&self) -> RunVerdict {
        match &self.outcome {
            ArchiveOutcome::Failed { reason } => RunVerdict::Failed {
                reason: reason.clone(),
            },
            ArchiveOutcome::NoDigests => RunVerdict::NoDigests,
            ArchiveOutcome::Validated => {
                let digest_hours = self
                    .chains
                    .iter()
                    .flat_map(|c| c.hours.values())
                    .filter(|state| !matches!(state, HourState::NotValidated | HourState::Gap))
                    .count();
                let findings = self.chains.iter().map(|c| c.problems.len()).sum();
                if digest_hours == 0 && findings == 0 {
                    RunVerdict::NoDigests
                } else {
                    RunVerdict::Validated {
                        digest_hours,
                        findings,
                    }
                }
            }
        }
    }

    /// Where new-digest validation starts: the end of the oldest of the chains' newest validated hours (so
    /// each chain's newest digest is read again, with the link a new digest makes to it). `None`: validate
    /// everything.
    pub fn new_digests_from(&self) -> Option<i64> {
        if self.outcome != ArchiveOutcome::Validated {
            return None;
        }
        self.chains
            .iter()
            .map(|c| c.newest_hour().map(|hour| hour + HOUR))
            .collect::<Option<Vec<_>>>()?
            .into_iter()
            .min()
    }
}

/// A validation in progress: what it covers and how far it is.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunProgress {
    /// Every digest (an admin's run), or only new ones (after an ingest).
    pub full: bool,
    /// When it started (epoch seconds).
    pub started_at_secs: i64,
    /// Who started it (`None`: the server, after an ingest).
    pub started_by: Option<String>,
    /// The archive being validated now.
    pub source: String,
    /// Digest files checked so far.
    pub digests_done: usize,
    /// Digest files listed so far.
    pub digests_total: usize,
    /// Log files checked so far.
    pub logs_done: usize,
    /// Log files to check found so far (it grows as digests are read).
    pub logs_total: usize,
}

/// What an admin's request to validate every digest gave.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidationStarted {
    /// `false`: a validation was already running (`run` is that one) and nothing new started.
    pub started: bool,
    /// The run going on now.
    pub run: Option<RunProgress>,
}

/// Everything the Integrity page and `GET /api/integrity/report` show.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegrityStatus {
    /// The server's clock when it answered (epoch seconds), for "3 min ago".
    pub now_secs: i64,
    /// The archives the server validates: each configured S3 archive, and the demo's folder.
    pub sources: Vec<String>,
    /// What is known of them (an archive never validated has none).
    pub archives: Vec<ArchiveStatus>,
    /// The validation running now, if any.
    pub run: Option<RunProgress>,
}
