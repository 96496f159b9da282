//! The one-line findings summary Activity shows, linking to the Findings page.
use super::triage::TriageState;
use super::{FindingsReport, Severity};
use serde::{Deserialize, Serialize};

/// Counts of the findings by where they stand.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingsSummary {
    /// Open findings per severity, most severe first (severities with none left out).
    pub open: Vec<(Severity, u64)>,
    /// Findings an admin acknowledged, resolved or called a false positive.
    pub triaged: u64,
    /// Rules that cannot evaluate (the store lacks their events).
    pub unevaluable: u64,
    /// Rules evaluated.
    pub rules: usize,
    /// Rule files skipped because they are broken (`FindingsReport::rule_problems`): their rules do not run.
    #[serde(default)]
    pub skipped_files: u64,
}

impl FindingsSummary {
    /// The summary of `report` (read without filters).
    pub fn of(report: &FindingsReport) -> Self {
        Self::from_standings(
            report.findings.iter().map(|f| (f.severity, f.state())),
            report.unevaluable.len() as u64,
            report.rules,
            report.rule_problems.len() as u64,
        )
    }

    /// The summary of findings given as (severity, where it stands), one per finding, with the number of rules
    /// that cannot evaluate, of rules evaluated and of rule files skipped.
    pub fn from_standings(
        findings: impl IntoIterator<Item = (Severity, TriageState)>,
        unevaluable: u64,
        rules: usize,
        skipped_files: u64,
    ) -> Self {
        let mut open_by_severity = [0u64; Severity::ALL.len()];
        let mut triaged = 0;
        for (severity, state) in findings {
            if state == TriageState::Open {
                open_by_severity[severity as usize] += 1;
            } else {
                triaged += 1;
            }
        }
        let open = Severity::ALL
            .into_iter()
            .rev()
            .map(|s| (s, open_by_severity[s as usize]))
            .filter(|(_, n)| *n > 0)
            .collect();
        Self {
            open,
            triaged,
            unevaluable,
            rules,
            skipped_files,
        }
    }

    /// `Findings: 1 critical, 3 high open · 2 triaged · 1 rule cannot evaluate · 2 rule files skipped`, or
    /// `Findings: none open (42 rules)`.
    pub fn line(&self) -> String {
        let mut parts = Vec::new();
        if self.open.is_empty() {
            parts.push(format!("none open ({} rules)", self.rules));
        } else {
            let open: Vec<String> = self
                .open
                .iter()
                .map(|(severity, n)| format!("{n} {severity}"))
                .collect();
            parts.push(format!("{} open", open.join(", ")));
        }
        if self.triaged > 0 {
            parts.push(format!("{} triaged", self.triaged));
        }
        for (n, one, many, what) in [
            (self.unevaluable, "rule", "rules", "cannot evaluate"),
            (self.skipped_files, "rule file", "rule files", "skipped"),
        ] {
            if n > 0 {
                parts.push(format!("{n} {} {what}", if n == 1 { one } else { many }));
            }
        }
        format!("Findings: {}", parts.join(" · "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_counts_open_findings_by_severity() {
        let summary = FindingsSummary {
            open: vec![(Severity::Critical, 1), (Severity::High, 3)],
            triaged: 2,
            unevaluable: 1,
            rules: 42,
            skipped_files: 2,
        };
        assert_eq!(
            summary.line(),
            "Findings: 1 critical, 3 high open · 2 triaged · 1 rule cannot evaluate · 2 rule files skipped"
        );
        let quiet = FindingsSummary {
            rules: 42,
            ..FindingsSummary::default()
        };
        assert_eq!(quiet.line(), "Findings: none open (42 rules)");
    }

    #[test]
    fn a_finding_that_matched_again_after_its_triage_counts_as_open() {
        use crate::model::findings::Finding;
        use crate::model::findings::daily::DailyMatches;
        use crate::model::findings::triage::Triage;
        let resolved = |rule_id: &str, new_matches_since_triage| Finding {
            rule_id: rule_id.to_owned(),
            title: rule_id.to_owned(),
            severity: Severity::High,
            technique: None,
            first_seen_secs: 0,
            last_seen_secs: 60,
            count: 2,
            accounts: Vec::new(),
            identities: Vec::new(),
            evidence_event_ids: Vec::new(),
            daily_matches: DailyMatches::default(),
            triage: Some(Triage {
                state: TriageState::Resolved,
                note: "rotated the keys".to_owned(),
                by: "admin".to_owned(),
                at_secs: 30,
            }),
            new_matches_since_triage,
        };
        let report = FindingsReport {
            findings: vec![resolved("quiet", 0), resolved("again", 1)],
            rules: 2,
            ..FindingsReport::default()
        };
        assert_eq!(report.findings[0].state(), TriageState::Resolved);
        assert_eq!(report.findings[1].state(), TriageState::Open);
        assert_eq!(
            FindingsSummary::of(&report).line(),
            "Findings: 1 high open · 1 triaged"
        );
    }
}
