//! Findings: what the detection rules (Sigma, `logsource: product: aws, service: cloudtrail`) found in the stored
//! events, one per rule, with the evidence one step away. Shared by the server, the `/api/findings` endpoint and
//! the terminal's `trailscope findings`. The page's URL form is [`query`], an admin's decision [`triage`], the
//! sparkline's days [`daily`].
pub mod daily;
pub mod query;
pub mod summary;
pub mod triage;

use crate::model::events::{EventCategory, EventQuery, EventSummary};
use daily::DailyMatches;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;
use triage::{Reopened, Triage, TriageState};

/// A rule's severity: Sigma's `level`, least to most severe (so `Ord` compares severities).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// `informational`: worth knowing, not worth acting on alone.
    Informational,
    /// `low`.
    Low,
    /// `medium`.
    Medium,
    /// `high`.
    High,
    /// `critical`.
    Critical,
}

impl Severity {
    /// Every severity, least severe first.
    pub const ALL: [Severity; 5] = [
        Severity::Informational,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    /// Sigma's name of the level (`informational` … `critical`).
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Informational => "informational",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;

    /// Parses Sigma's level names (case-insensitive); the error says which names are accepted.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|level| level.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                format!("unknown severity {s:?}: use informational, low, medium, high or critical")
            })
    }
}

/// One rule's findings over the stored events: every match of the rule, summed up.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// The rule's Sigma `id` (a UUID for the built-in rules).
    pub rule_id: String,
    /// The rule's `title`.
    pub title: String,
    /// The rule's `level`.
    pub severity: Severity,
    /// The MITRE ATT&CK technique from the rule's `attack.tNNNN[.NNN]` tag (`T1562.008`), if it has one.
    pub technique: Option<String>,
    /// The earliest matching event's `eventTime` (epoch seconds, UTC).
    pub first_seen_secs: i64,
    /// The latest matching event's `eventTime` (epoch seconds, UTC).
    pub last_seen_secs: i64,
    /// How many times the rule matched (an event for a detection, a firing window for a correlation).
    pub count: u64,
    /// The `recipientAccountId`s of the matching events, sorted.
    pub accounts: Vec<String>,
    /// The identities (`userIdentity.arn`, or its type when it has none) of the matching events, sorted.
    pub identities: Vec<String>,
    /// `eventID`s of the matching events, newest first, at most [`EVIDENCE_LIMIT`].
    pub evidence_event_ids: Vec<String>,
    /// Matches per day over the days before the newest match in the store (the sparkline).
    pub daily_matches: DailyMatches,
    /// An admin's decision about it; `None` while nobody has triaged it (it is open).
    pub triage: Option<Triage>,
    /// Matches the triage did not cover: found after the decision (0 when untriaged). Any reopen a finding
    /// marked acknowledged, resolved or false positive ([`Finding::reopened`]).
    #[serde(default)]
    pub new_matches_since_triage: u64,
}

/// Where a finding stands given the admins' `triage` of it and whether its rule `matched_since` that decision:
/// the triage's state, or open when untriaged or when it matched again after being acknowledged, resolved or
/// called a false positive (a reopened finding).
pub fn standing(triage: Option<&Triage>, matched_since: bool) -> TriageState {
    match triage {
        Some(t) if t.state == TriageState::Open || !matched_since => t.state,
        _ => TriageState::Open,
    }
}

impl Finding {
    /// Where it stands: the triage's state, or open (untriaged, or [`Finding::reopened`]).
    pub fn state(&self) -> TriageState {
        standing(self.triage.as_ref(), self.new_matches_since_triage > 0)
    }

    /// Set when the rule matched again after an admin marked it acknowledged, resolved or false positive: the
    /// finding is open again, and the decision stays shown.
    pub fn reopened(&self) -> Option<Reopened> {
        let was = self.triage.as_ref()?.state;
        (was != TriageState::Open && self.new_matches_since_triage > 0).then_some(Reopened {
            was,
            new_matches: self.new_matches_since_triage,
        })
    }
}

/// At most this many evidence event IDs come with a finding; the Events page finds the rest.
pub const EVIDENCE_LIMIT: usize = 50;

/// Which findings to list: every filter set must hold.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingsFilter {
    /// Only rules at this severity or above.
    pub severity: Option<Severity>,
    /// Only findings in this triage state (untriaged ones are open).
    pub state: Option<TriageState>,
    /// Only this rule (its Sigma `id`).
    pub rule: Option<String>,
    /// Only matches in this account (`recipientAccountId`).
    pub account: Option<String>,
}

/// A rule file that could not be used, and why; the other rules still run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleProblem {
    /// The file, as configured (or `builtin:NAME` for a shipped rule).
    pub file: String,
    /// What is wrong with it.
    pub reason: String,
}

/// The answer of `GET /api/findings`: the findings, newest activity first, and the rule files that were skipped.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct FindingsReport {
    /// One per rule that matched something, most severe first, then by latest match.
    pub findings: Vec<Finding>,
    /// Rule files that could not be loaded.
    pub rule_problems: Vec<RuleProblem>,
    /// How many rules are evaluated.
    pub rules: usize,
    /// Rules that cannot find anything in this store, because it holds none of the events they read.
    pub unevaluable: Vec<Unevaluable>,
    /// Stored records the rules could not read, so nothing was evaluated on them.
    #[serde(default)]
    pub unreadable: UnreadableRecords,
}

/// At most this many unreadable records are named with their count.
pub const UNREADABLE_EXAMPLES: usize = 10;

/// The stored records the findings evaluation skipped because the rules cannot read them (e.g. JSON nested past
/// the parser's limit): none of their fields was matched, so a finding they would make is missing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnreadableRecords {
    /// How many (of the events still stored).
    pub count: u64,
    /// The first few, oldest stored first (at most [`UNREADABLE_EXAMPLES`]).
    pub examples: Vec<UnreadableRecord>,
}

impl UnreadableRecords {
    /// `2 records could not be evaluated: the rules cannot read them.`, or `None` when there are none.
    pub fn heading(&self) -> Option<String> {
        (self.count > 0).then(|| {
            format!(
                "{} {} could not be evaluated: the rules cannot read {}, so a finding {} would make is missing.",
                self.count,
                if self.count == 1 { "record" } else { "records" },
                if self.count == 1 { "it" } else { "them" },
                if self.count == 1 { "it" } else { "they" },
            )
        })
    }
}

/// One record the rules could not read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnreadableRecord {
    /// Its `eventID`.
    pub event_id: String,
    /// Why, as the JSON parser says it (e.g. `recursion limit exceeded at line 1 column 129`).
    pub reason: String,
}

/// A rule whose input the store lacks (e.g. a rule over data events when no data event was ever stored): it
/// cannot find anything, and says so rather than finding nothing silently.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Unevaluable {
    /// The rule's Sigma `id`.
    pub rule_id: String,
    /// The rule's `title`.
    pub title: String,
    /// The rule's `level`.
    pub severity: Severity,
    /// The `eventCategory` it reads, of which the store holds no event.
    pub missing: EventCategory,
    /// `cannot evaluate: no data events` (from [`Unevaluable::reason_for`]).
    pub reason: String,
}

impl Unevaluable {
    /// What the page says of a rule that needs `missing` events: `cannot evaluate: no data events`.
    pub fn reason_for(missing: EventCategory) -> String {
        format!(
            "cannot evaluate: no {} events",
            missing.label().to_lowercase()
        )
    }
}

/// One finding opened: its rule's description and fix, and its evidence events, each with the Events search
/// that shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FindingDetail {
    /// The finding (with its triage).
    pub finding: Finding,
    /// The rule's `description`.
    pub description: Option<String>,
    /// How to respond (the rule's `fix`).
    pub fix: Option<String>,
    /// Where the rule comes from: `builtin:NAME` or the file's path.
    pub file: String,
    /// The evidence events still in the store, newest first.
    pub events: Vec<EvidenceEvent>,
    /// The newest of the rule's matches this view shows (its event's `events.id`; 0: none): a triage saved from
    /// it covers the matches up to this one, so one stored after the view was read reopens the finding.
    #[serde(default)]
    pub covered_through: i64,
}

/// One evidence event and the Events search that shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EvidenceEvent {
    /// The event.
    pub event: EventSummary,
    /// The Events page's filters that show it (its event ID, around its time), validated.
    pub in_events: EventQuery,
}

/// The ATT&CK technique named by Sigma tags (`attack.t1562.008` → `T1562.008`), the first one if several.
pub fn technique_of<'a>(tags: impl IntoIterator<Item = &'a str>) -> Option<String> {
    tags.into_iter().find_map(|tag| {
        let id = tag.strip_prefix("attack.")?;
        let digits = id.strip_prefix('t').or_else(|| id.strip_prefix('T'))?;
        let (main, sub) = digits.split_once('.').unwrap_or((digits, ""));
        let numeric = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        (numeric(main) && (sub.is_empty() || numeric(sub))).then(|| id.to_ascii_uppercase())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_order_and_parse() {
        assert!(Severity::Critical > Severity::High && Severity::Low > Severity::Informational);
        assert_eq!("HIGH".parse::<Severity>(), Ok(Severity::High));
        assert!("severe".parse::<Severity>().is_err());
    }

    #[test]
    fn technique_comes_from_attack_tags_only() {
        assert_eq!(
            technique_of(["attack.defense-evasion", "attack.t1562.008"]),
            Some("T1562.008".to_owned())
        );
        assert_eq!(technique_of(["attack.t1078"]), Some("T1078".to_owned()));
        assert_eq!(technique_of(["attack.ta0005", "cis.4.5"]), None);
    }
}
