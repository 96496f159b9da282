//! CIS 3.8 and 3.9: S3 object-level logging of write and read events, read from the decoded
//! selectors' facts.
use super::AccountTrails;
use crate::model::selectors::ResourceType;
use crate::model::trails::analysis::CisCheck;
use crate::model::trails::analysis::listing::View;
use crate::model::trails::analysis::words::lower_first;

/// All management events and every S3 object's data events, read and write; `arn:aws:s3` selects
/// every bucket (API Reference, DataResource).
const ALL_S3_SELECTORS: &str = concat!(
    r#"'[{"ReadWriteType": "All", "IncludeManagementEvents": true, "#,
    r#""DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}]}]'"#
);

impl AccountTrails<'_, '_> {
    /// 3.8 (write) and 3.9 (read): a logging multi-Region trail logs that kind of data event for
    /// every S3 object, unconditionally; the CIS audit checks multi-Region trails, and only they
    /// see buckets in every Region.
    pub(super) fn s3_object_logging(&self, write: bool) -> CisCheck {
        let (control, title, kind) = if write {
            (
                "3.8",
                "Ensure that Object-level logging for write events is enabled for S3 bucket",
                "write",
            )
        } else {
            (
                "3.9",
                "Ensure that Object-level logging for read events is enabled for S3 bucket",
                "read",
            )
        };
        let logs = |v: &View| {
            let (read, written) = v.decoded.logs_s3_data_events();
            if write { written } else { read }
        };
        let candidates = self.filter(|v| v.is_multi_region() && v.is_logging());
        let passing: Vec<&View> = candidates.iter().copied().filter(|v| logs(v)).collect();
        if !passing.is_empty() {
            let reason = format!(
                "{} {} S3 object-level {kind} events for all buckets.",
                self.names(&passing),
                if passing.len() == 1 { "logs" } else { "log" }
            );
            return self.check(control, title, true, reason, String::new());
        }
        let Some(view) = self.pick(&candidates) else {
            let reason = self.none_reason(&format!(
                "No logging multi-Region trail covers this account (see 3.1), so S3 object-level \
                 {kind} events are not logged in every Region"
            ));
            let fix = format!(
                "Create and start a multi-Region trail (see 3.1), then: aws cloudtrail \
                 put-event-selectors --trail-name management-events --event-selectors \
                 {ALL_S3_SELECTORS}"
            );
            return self.check(control, title, false, reason, fix);
        };
        let what: Vec<String> = candidates
            .iter()
            .map(|v| format!("{} logs {}", self.who(v), s3_words(v)))
            .collect();
        let reason = format!(
            "No logging multi-Region trail logs S3 object-level {kind} events for all buckets: {}.",
            what.join("; ")
        );
        let command = Self::put_event_selectors(view, ALL_S3_SELECTORS);
        let action = format!(
            "log every S3 object's data events with {} (billed at $0.10 per 100,000 data events; \
             this replaces its selectors, so add back any others)",
            view.name()
        );
        self.check(
            control,
            title,
            false,
            reason,
            self.fix(view, &action, &command),
        )
    }
}

/// What S3 data events a trail logs, e.g. "write-only data events for objects in bucket logs".
fn s3_words(view: &View) -> String {
    let rules: Vec<String> = view
        .decoded
        .data
        .iter()
        .filter(|rule| rule.resource_type == ResourceType::S3Object)
        .map(|rule| lower_first(&rule.summary()))
        .collect();
    match rules.as_slice() {
        [] => "no S3 data events".to_owned(),
        _ => rules.join("; "),
    }
}
