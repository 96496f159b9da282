//! Triage: what an admin decided about a finding (one per rule), with a note, who and when.
use crate::error::AppError;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// Where a finding stands. A finding nobody triaged is [`TriageState::Open`].
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum TriageState {
    /// Not looked at yet, or reopened.
    #[default]
    Open,
    /// Someone is on it.
    Acknowledged,
    /// Dealt with.
    Resolved,
    /// The rule matched something harmless.
    FalsePositive,
}

impl TriageState {
    /// Every state, in the order choosers offer them.
    pub const ALL: [TriageState; 4] = [
        TriageState::Open,
        TriageState::Acknowledged,
        TriageState::Resolved,
        TriageState::FalsePositive,
    ];

    /// The word in the store, the URL (`state=`) and on the wire: `open`, `acknowledged`, `resolved`,
    /// `false_positive`.
    pub fn as_str(self) -> &'static str {
        match self {
            TriageState::Open => "open",
            TriageState::Acknowledged => "acknowledged",
            TriageState::Resolved => "resolved",
            TriageState::FalsePositive => "false_positive",
        }
    }

    /// What the pages show: `Open`, `Acknowledged`, `Resolved`, `False positive`.
    pub fn label(self) -> &'static str {
        match self {
            TriageState::Open => "Open",
            TriageState::Acknowledged => "Acknowledged",
            TriageState::Resolved => "Resolved",
            TriageState::FalsePositive => "False positive",
        }
    }
}

impl fmt::Display for TriageState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TriageState {
    type Err = String;

    /// Parses [`TriageState::as_str`]'s words; the error lists them.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TriageState::ALL
            .into_iter()
            .find(|state| state.as_str() == s.trim())
            .ok_or_else(|| {
                format!("unknown state {s:?}: use open, acknowledged, resolved or false_positive")
            })
    }
}

/// Longest triage note kept (characters).
pub const NOTE_MAX_CHARS: usize = 2_000;

/// An admin's decision about one rule's finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Triage {
    /// The decision.
    pub state: TriageState,
    /// Why, in the admin's words.
    pub note: String,
    /// Who decided (the audit log's actor name).
    pub by: String,
    /// When (epoch seconds, UTC).
    pub at_secs: i64,
}

/// A triaged finding whose rule matched again after the decision ([`crate::model::findings::Finding::reopened`]):
/// it counts as open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reopened {
    /// What an admin had marked it: acknowledged, resolved or false positive.
    pub was: TriageState,
    /// How many matches came after the decision.
    pub new_matches: u64,
}

impl fmt::Display for Reopened {
    /// `reopened: 2 new matches since it was marked false positive`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let matches = if self.new_matches == 1 {
            "match"
        } else {
            "matches"
        };
        write!(
            f,
            "reopened: {} new {matches} since it was marked {}",
            self.new_matches,
            self.was.label().to_lowercase()
        )
    }
}

/// The note of a triage, checked: trimmed, not empty, at most [`NOTE_MAX_CHARS`] characters.
///
/// Errors: [`AppError::Invalid`] naming `note`.
pub fn parse_note(note: &str) -> Result<String, AppError> {
    let note = note.trim();
    if note.is_empty() {
        return Err(AppError::invalid(
            "note",
            "say why (the note is kept with the decision)",
        ));
    }
    if note.chars().count() > NOTE_MAX_CHARS {
        return Err(AppError::invalid(
            "note",
            format!("at most {NOTE_MAX_CHARS} characters"),
        ));
    }
    Ok(note.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn states_round_trip_and_unknown_words_are_refused() {
        for state in TriageState::ALL {
            assert_eq!(state.as_str().parse::<TriageState>(), Ok(state));
            let json = serde_json::to_string(&state).expect("json");
            assert_eq!(json, format!("\"{}\"", state.as_str()));
        }
        assert!("closed".parse::<TriageState>().is_err());
        assert_eq!(TriageState::FalsePositive.label(), "False positive");
    }

    #[test]
    fn a_reopened_finding_says_how_many_new_matches_since_which_decision() {
        let reopened = |was, new_matches| Reopened { was, new_matches }.to_string();
        assert_eq!(
            reopened(TriageState::Resolved, 1),
            "reopened: 1 new match since it was marked resolved"
        );
        assert_eq!(
            reopened(TriageState::FalsePositive, 3),
            "reopened: 3 new matches since it was marked false positive"
        );
    }

    #[test]
    fn notes_are_trimmed_required_and_bounded() {
        assert_eq!(parse_note("  known admin  ").as_deref(), Ok("known admin"));
        assert!(parse_note("   ").is_err());
        assert!(parse_note(&"x".repeat(NOTE_MAX_CHARS + 1)).is_err());
    }
}
