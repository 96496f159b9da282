//! CIS v1.5.0 3.4: CloudTrail trails integrated with CloudWatch Logs.
use super::AccountTrails;
use crate::model::trails::analysis::CisCheck;
use crate::model::trails::analysis::listing::View;
use crate::model::trails::analysis::words::{age, ago, text};

/// CIS v1.5.0 3.4 asks for a CloudWatch Logs delivery about a day old at most.
const CLOUDWATCH_LOGS_MAX_AGE_SECS: i64 = 86_400;

impl AccountTrails<'_, '_> {
    /// CIS v1.5.0 3.4 (dropped from v3.0.0): a trail covering the account sends its events to a
    /// CloudWatch Logs log group and delivered there within a day.
    pub(super) fn cloud_watch_logs(&self) -> CisCheck {
        let (control, title) = (
            "3.4 (v1.5.0)",
            "Ensure CloudTrail trails are integrated with CloudWatch Logs",
        );
        let delivered = |v: &View| age(self.now, v.cloud_watch_logs_delivery);
        let group = View::log_group;
        let candidates = self.filter(View::covers);
        let passing: Vec<&View> = candidates
            .iter()
            .copied()
            .filter(|v| {
                group(v).is_some()
                    && delivered(v).is_some_and(|secs| secs <= CLOUDWATCH_LOGS_MAX_AGE_SECS)
            })
            .collect();
        if !passing.is_empty() {
            let what: Vec<String> = passing
                .iter()
                .map(|v| {
                    format!(
                        "{} delivers to {} (last {})",
                        self.who(v),
                        group(v).unwrap_or_default(),
                        delivered(v).map_or_else(|| "never".to_owned(), ago)
                    )
                })
                .collect();
            return self.check(
                control,
                title,
                true,
                format!("{}.", what.join("; ")),
                String::new(),
            );
        }
        let Some(first) = self.pick(&candidates) else {
            let reason = self.none_reason(
                "No logging trail records management events for this account, so none reaches \
                 CloudWatch Logs",
            );
            let fix =
                "Make a trail cover the account (see 3.1), then: aws cloudtrail update-trail \
                       --name <trail> --cloud-watch-logs-log-group-arn <log group ARN> \
                       --cloud-watch-logs-role-arn <role ARN>"
                    .to_owned();
            return self.check(control, title, false, reason, fix);
        };
        let what: Vec<String> = candidates
            .iter()
            .map(|v| {
                let error = v
                    .status
                    .and_then(|s| text(&s.latest_cloud_watch_logs_delivery_error))
                    .map(|code| format!(" (error {code})"))
                    .unwrap_or_default();
                match (group(v), delivered(v)) {
                    (None, _) => format!("{} has no CloudWatch Logs log group", self.who(v)),
                    (Some(_), None) => {
                        format!("{} never delivered to CloudWatch Logs{error}", self.who(v))
                    }
                    (Some(_), Some(secs)) => format!(
                        "{} last delivered to CloudWatch Logs {}{error}",
                        self.who(v),
                        ago(secs)
                    ),
                }
            })
            .collect();
        let reason = format!(
            "No trail delivered to CloudWatch Logs within a day: {}.",
            what.join("; ")
        );
        let with_group: Vec<&View> = candidates
            .iter()
            .copied()
            .filter(|v| group(v).is_some())
            .collect();
        let fix = match self.pick(&with_group) {
            Some(view) => {
                let log_group = group(view).unwrap_or_default();
                let role = text(&view.trail().cloud_watch_logs_role_arn).unwrap_or("(none set)");
                let options = format!(
                    "--cloud-watch-logs-log-group-arn {log_group} --cloud-watch-logs-role-arn \
                     <role ARN>"
                );
                let action = format!(
                    "check that role {role} lets CloudTrail call logs:CreateLogStream and \
                     logs:PutLogEvents on the log group, or give {} a role that does",
                    view.name()
                );
                self.fix(view, &action, &Self::update_trail(view, &options))
            }
            None => {
                let options = "--cloud-watch-logs-log-group-arn <log group ARN> \
                               --cloud-watch-logs-role-arn <role ARN>";
                let action = format!("send {}'s events to CloudWatch Logs", first.name());
                self.fix(first, &action, &Self::update_trail(first, options))
            }
        };
        self.check(control, title, false, reason, fix)
    }
}
