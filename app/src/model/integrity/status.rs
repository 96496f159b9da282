//! What the server keeps of its validations, per archive and per account × Region × trail: each digest hour's
//! [`HourState`] and the [`Problem`]s found, each naming its key and a typed [`Finding`]. Built from a run's
//! [`ChainReport`] ([`ChainStatus::from_report`]) and merged with the results of later runs over new digests
//! ([`ArchiveStatus::merge`]). The Integrity page, its JSON API and the Activity summary read this.
use super::{ChainReport, DigestKind, DigestVerdict, Gap, LogVerdict};
use crate::model::time::{HOUR, format_rfc3339};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

mod archive;
pub use archive::{
    ArchiveOutcome, ArchiveStatus, IntegrityStatus, RunProgress, RunVerdict, ValidationStarted,
};

/// The state of one digest hour, from best to worst: when an hour has several findings, the worst one
/// ([`Ord::max`]) is shown.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HourState {
    /// After the newest validated digest: its digest has not been validated yet.
    NotValidated,
    /// Its digest is valid and so is every log file it lists.
    Valid,
    /// No digest, because CloudTrail delivered nothing (logging or validation was off): not an error.
    Gap,
    /// Log files delivered in this hour that no digest lists.
    UnlistedLogs,
    /// A log file its digest lists is not where the digest says.
    LogMissing,
    /// Its digest is missing.
    DigestMissing,
    /// Its digest or a log file it lists is not what CloudTrail signed (modified, moved, badly signed).
    Invalid,
}

impl HourState {
    /// Every state, in legend order.
    pub const ALL: [HourState; 7] = [
        Self::Valid,
        Self::Invalid,
        Self::DigestMissing,
        Self::LogMissing,
        Self::Gap,
        Self::UnlistedLogs,
        Self::NotValidated,
    ];

    /// The state in words, as the legend and cell titles say it.
    pub fn label(self) -> &'static str {
        match self {
            Self::NotValidated => "not yet validated",
            Self::Valid => "valid",
            Self::Gap => "gap in delivery",
            Self::UnlistedLogs => "unlisted log files",
            Self::LogMissing => "log file missing",
            Self::DigestMissing => "digest missing",
            Self::Invalid => "invalid",
        }
    }

    /// The one-character mark a timeline cell shows beside its colour (the legend explains it).
    pub fn mark(self) -> &'static str {
        match self {
            Self::NotValidated => "?",
            Self::Valid => "✓",
            Self::Gap => "–",
            Self::UnlistedLogs => "U",
            Self::LogMissing => "L",
            Self::DigestMissing => "D",
            Self::Invalid => "✗",
        }
    }

    /// A CSS-safe name, e.g. `digest-missing`.
    pub fn slug(self) -> &'static str {
        match self {
            Self::NotValidated => "not-validated",
            Self::Valid => "valid",
            Self::Gap => "gap",
            Self::UnlistedLogs => "unlisted",
            Self::LogMissing => "log-missing",
            Self::DigestMissing => "digest-missing",
            Self::Invalid => "invalid",
        }
    }

    /// Whether the hour holds a problem to look at (a gap or an unchecked hour is information).
    pub fn is_problem(self) -> bool {
        matches!(
            self,
            Self::UnlistedLogs | Self::LogMissing | Self::DigestMissing | Self::Invalid
        )
    }
}

/// What was found, as typed facts; [`Finding::reason`] words it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "finding", rename_all = "snake_case")]
pub enum Finding {
    /// A digest file is not valid (or missing).
    Digest {
        /// Standard or backfill digest.
        kind: DigestKind,
        /// Why.
        verdict: DigestVerdict,
        /// Its name is deduced from the hourly cadence (see [`super::DigestEntry::inferred`]).
        #[serde(default)]
        inferred: bool,
    },
    /// A log file a valid digest lists is not valid (or missing).
    Log {
        /// Why.
        verdict: LogVerdict,
        /// The digest that lists it.
        digest: String,
    },
    /// No digest between two times: CloudTrail delivered nothing (not an error).
    Gap {
        /// The older digest's end (epoch seconds).
        from_secs: i64,
        /// The newer, starting digest's start (epoch seconds).
        to_secs: i64,
        /// The kind of chain the gap is in.
        kind: DigestKind,
    },
    /// A log file no digest lists (beyond `aws cloudtrail validate-logs`).
    Unlisted {
        /// Its delivery time from its name (epoch seconds).
        delivered_secs: i64,
    },
    /// The chain could not be validated at all (no public keys, no access, …).
    Chain {
        /// Why.
        reason: String,
    },
}

impl Finding {
    /// The state of the hour this finding is in.
    pub fn state(&self) -> HourState {
        match self {
            Self::Digest {
                verdict: DigestVerdict::NotFound,
                ..
            } => HourState::DigestMissing,
            Self::Digest { .. } | Self::Chain { .. } => HourState::Invalid,
            Self::Log {
                verdict: LogVerdict::NotFound,
                ..
            } => HourState::LogMissing,
            Self::Log { .. } => HourState::Invalid,
            Self::Gap { .. } => HourState::Gap,
            Self::Unlisted { .. } => HourState::UnlistedLogs,
        }
    }

    /// The reason in words, as `aws cloudtrail validate-logs` says it where it says it.
    pub fn reason(&self) -> String {
        match self {
            Self::Digest {
                kind,
                verdict,
                inferred,
            } => {
                let backfill = if *kind == DigestKind::Backfill {
                    "(backfill) "
                } else {
                    ""
                };
                let named = if *inferred {
                    " (name inferred from the hourly cadence)"
                } else {
                    ""
                };
                format!("{backfill}digest file {}{named}", verdict.text())
            }
            Self::Log { verdict, digest } => {
                format!("log file {} (listed by {digest})", verdict.text())
            }
            Self::Gap {
                from_secs,
                to_secs,
                kind,
            } => Gap {
                from_secs: *from_secs,
                to_secs: *to_secs,
                kind: *kind,
            }
            .text(),
            Self::Unlisted { delivered_secs } => format!(
                "log file UNLISTED: no digest lists it (delivered {})",
                format_rfc3339(*delivered_secs)
            ),
            Self::Chain { reason } => format!("the chain could not be validated: {reason}"),
        }
    }
}

/// One finding of a chain: where, and what.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// The digest hour it belongs to (the hour's start, epoch seconds; see [`digest_hour`]); `None` for a chain
    /// that could not be validated.
    pub hour_secs: Option<i64>,
    /// The key it names: the digest or log file (`s3://bucket/key`, or the file), for a gap the starting digest
    /// after it.
    pub location: String,
    /// What was found.
    #[serde(flatten)]
    pub finding: Finding,
}

/// The digest hour of a digest ending at `end_secs`: the start of the UTC hour it mostly covers (a digest
/// ending 10:05:12 covers 09:05:12 to 10:05:12, hour 09:00).
pub fn digest_hour(end_secs: i64) -> i64 {
    end_secs.div_euclid(HOUR) * HOUR - HOUR
}

/// One account × Region × trail as validated so far.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainStatus {
    /// The 12-digit account ID.
    pub account_id: String,
    /// The AWS Organizations ID (`o-…`) of an organization trail's folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    /// The Region whose digests these are.
    pub region: String,
    /// The trail's name.
    pub trail_name: String,
    /// The trail's home Region.
    pub home_region: String,
    /// When its digests were last validated (epoch seconds).
    pub validated_at_secs: i64,
    /// Each digest hour (its start, epoch seconds) with its state.
    pub hours: BTreeMap<i64, HourState>,
    /// What was found, oldest hour first.
    pub problems: Vec<Problem>,
}

impl ChainStatus {
    /// `ACCOUNT REGION TRAIL`, as headings name the chain (and as the page's `chain` parameter names it).
    pub fn label(&self) -> String {
        format!("{} {} {}", self.account_id, self.region, self.trail_name)
    }

    /// Whether `other` is the same account × Region × trail.
    pub fn same_chain(&self, other: &ChainStatus) -> bool {
        (
            &self.account_id,
            &self.organization_id,
            &self.region,
            &self.trail_name,
        ) == (
            &other.account_id,
            &other.organization_id,
            &other.region,
            &other.trail_name,
        )
    }

    /// The start of the newest digest hour validated.
    pub fn newest_hour(&self) -> Option<i64> {
        self.hours.keys().next_back().copied()
    }

    fn mark(&mut self, hour: i64, state: HourState) {
        let entry = self.hours.entry(hour).or_insert(state);
        *entry = (*entry).max(state);
    }

    fn add(&mut self, hour: Option<i64>, location: String, finding: Finding) {
        if let Some(hour) = hour {
            self.mark(hour, finding.state());
        }
        self.problems.push(Problem {
            hour_secs: hour,
            location,
            finding,
        });
    }

    /// The hours and problems of one run's report on a chain, validated at `validated_at_secs`.
    pub fn from_report(chain: &ChainReport, validated_at_secs: i64) -> Self {
        let mut status = Self {
            account_id: chain.account_id.clone(),
            organization_id: chain.organization_id.clone(),
            region: chain.region.clone(),
            trail_name: chain.trail_name.clone(),
            home_region: chain.home_region.clone(),
            validated_at_secs,
            ..Self::default()
        };
        let mut hour_of_digest: HashMap<&str, i64> = HashMap::new();
        let mut spans = Vec::new();
        for digest in &chain.digests {
            let Some(end) = digest.end_secs else { continue };
            let hour = digest_hour(end);
            hour_of_digest.insert(&digest.location, hour);
            if digest.verdict.is_valid() {
                status.mark(hour, HourState::Valid);
                if let Some(start) = digest.start_secs {
                    spans.push((start, end, hour));
                }
            } else {
                let finding = Finding::Digest {
                    kind: digest.kind,
                    verdict: digest.verdict.clone(),
                    inferred: digest.inferred,
                };
                status.add(Some(hour), digest.location.clone(), finding);
            }
        }
        for log in chain.logs.iter().filter(|l| !l.verdict.is_valid()) {
            let hour = hour_of_digest.get(log.digest.as_str()).copied();
            let finding = Finding::Log {
                verdict: log.verdict,
                digest: log.digest.clone(),
            };
            status.add(hour, log.location.clone(), finding);
        }
        for gap in &chain.gaps {
            // Between the older digest's hour and the hour of the starting digest that begins at `to_secs`.
            let (after, before) = (digest_hour(gap.from_secs), digest_hour(gap.to_secs + HOUR));
            for hour in (after + HOUR..before).step_by(HOUR as usize) {
                status.mark(hour, HourState::Gap);
            }
            let starting = chain
                .digests
                .iter()
                .find(|d| d.kind == gap.kind && d.start_secs == Some(gap.to_secs))
                .map_or_else(String::new, |d| d.location.clone());
            let finding = Finding::Gap {
                from_secs: gap.from_secs,
                to_secs: gap.to_secs,
                kind: gap.kind,
            };
            status.add(Some((after + HOUR).min(before)), starting, finding);
        }
        for log in &chain.unlisted_logs {
            let at = log.delivered_secs;
            let hour = spans
                .iter()
                .find(|(start, end, _)| (*start..*end).contains(&at))
                .map_or(at.div_euclid(HOUR) * HOUR, |s| s.2);
            let finding = Finding::Unlisted { delivered_secs: at };
            status.add(Some(hour), log.location.clone(), finding);
        }
        if let Some(reason) = &chain.error {
            let finding = Finding::Chain {
                reason: reason.clone(),
            };
            status.add(None, String::new(), finding);
        }
        status.sort();
        status
    }

    fn sort(&mut self) {
        self.problems
            .sort_by(|a, b| (a.hour_secs, &a.location).cmp(&(b.hour_secs, &b.location)));
    }

    /// Takes in a later run over this chain's newer digests: its hours (from its oldest on) and their problems
    /// replace what was known of them; older hours stay as they were.
    pub fn merge(&mut self, newer: ChainStatus) {
        self.validated_at_secs = newer.validated_at_secs;
        self.home_region = newer.home_region;
        let from = newer.hours.keys().next().copied().unwrap_or(i64::MAX);
        self.hours.retain(|hour, _| *hour < from);
        self.hours.extend(newer.hours);
        self.problems
            .retain(|p| p.hour_secs.is_some_and(|hour| hour < from));
        self.problems.extend(newer.problems);
        self.sort();
    }
}

#[cfg(test)]
mod tests;
