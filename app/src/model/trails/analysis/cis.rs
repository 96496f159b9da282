//! The CloudTrail controls of the CIS AWS Foundations Benchmark, per account.
use super::CisCheck;
use super::cell::Cell;
use super::listing::View;
use super::words::{age, ago, and_list, is_are, lower_first, text, unread_note, upper_first};
use crate::model::trails::RegionOutcome;
use std::collections::BTreeMap;

/// CIS v1.5.0 3.4 asks for a CloudWatch Logs delivery about a day old at most.
const CLOUDWATCH_LOGS_MAX_AGE_SECS: i64 = 86_400;
const NOTHING_TO_FIX: &str = "Nothing to fix.";
const CREATE_TRAIL: &str = "aws cloudtrail create-trail --name management-events --s3-bucket-name \
                            <bucket> --is-multi-region-trail --enable-log-file-validation \
                            --kms-key-id <KMS key ARN> && aws cloudtrail start-logging --name \
                            management-events";
const ALL_MANAGEMENT_SELECTORS: &str =
    r#"'[{"ReadWriteType": "All", "IncludeManagementEvents": true}]'"#;
/// All management events and every S3 object's data events, read and write; `arn:aws:s3` selects
/// every bucket (API Reference, DataResource).
const ALL_S3_SELECTORS: &str = concat!(
    r#"'[{"ReadWriteType": "All", "IncludeManagementEvents": true, "#,
    r#""DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}]}]'"#
);

/// A trail setting CIS asks of every multi-Region trail, and its words.
struct Setting {
    control: &'static str,
    title: &'static str,
    has: fn(&View) -> bool,
    on: &'static str,
    off: &'static str,
    /// What to do, `{}` standing for the trail's name.
    action: &'static str,
    option: &'static str,
}

/// The trails that cover one account: its own and the organization trails listed in it, each by
/// its listing in its home Region when the account has one.
struct AccountTrails<'c, 'a> {
    account: &'c str,
    trails: Vec<&'c View<'a>>,
    /// Regions of the account that could not be read: a trail may be missing from `trails`.
    unreadable: usize,
    now: i64,
}

pub(super) fn checks(account: &str, cells: &[Cell], now: i64) -> Vec<CisCheck> {
    let mut trails: BTreeMap<(&str, &str), &View> = BTreeMap::new();
    let mut unreadable = 0;
    for cell in cells.iter().filter(|c| c.region.account == account) {
        if matches!(cell.region.outcome, RegionOutcome::Failed { .. }) {
            unreadable += 1;
        }
        for view in &cell.views {
            if view.owner != account && !view.is_organization() {
                continue;
            }
            let key = (view.trail().trail_arn.as_str(), view.name());
            let at_home = |v: &View| v.seen.region == v.home_region;
            match trails.get(&key) {
                Some(kept) if at_home(kept) || !at_home(view) => {}
                _ => {
                    trails.insert(key, view);
                }
            }
        }
    }
    let trails = AccountTrails {
        account,
        trails: trails.into_values().collect(),
        unreadable,
        now,
    };
    vec![
        trails.enabled_in_all_regions(),
        trails.log_file_validation(),
        trails.kms_encryption(),
        trails.s3_object_logging(true),
        trails.s3_object_logging(false),
        trails.cloud_watch_logs(),
    ]
}

impl<'c, 'a> AccountTrails<'c, 'a> {
    fn check(
        &self,
        control: &str,
        title: &str,
        passed: bool,
        reason: String,
        fix: String,
    ) -> CisCheck {
        CisCheck {
            account: self.account.to_owned(),
            control: control.to_owned(),
            title: title.to_owned(),
            passed,
            reason,
            fix: if passed {
                NOTHING_TO_FIX.to_owned()
            } else {
                fix
            },
        }
    }

    fn filter(&self, keep: impl Fn(&View<'a>) -> bool) -> Vec<&'c View<'a>> {
        self.trails.iter().copied().filter(|v| keep(v)).collect()
    }

    /// The trail to fix first: one this account owns, else the first.
    fn pick(&self, among: &[&'c View<'a>]) -> Option<&'c View<'a>> {
        among
            .iter()
            .copied()
            .min_by_key(|v| v.owner != self.account)
    }

    /// A trail's name, with its owner when another account (an organization's) owns it.
    fn who(&self, view: &View) -> String {
        if view.owner == self.account {
            view.name().to_owned()
        } else {
            format!(
                "{} (organization trail of account {})",
                view.name(),
                view.owner
            )
        }
    }

    fn names(&self, views: &[&View]) -> String {
        let names: Vec<String> = views.iter().map(|v| self.who(v)).collect();
        and_list(&names)
    }

    /// "Turn on …: aws …", from the owner's account when that is another one.
    fn fix(&self, view: &View, action: &str, command: &str) -> String {
        if view.owner == self.account {
            format!("{}: {command}", upper_first(action))
        } else {
            format!(
                "In account {} (the trail's owner), {action}: {command}",
                view.owner
            )
        }
    }

    /// `aws cloudtrail update-trail` for a trail, in its home Region.
    fn update_trail(view: &View, options: &str) -> String {
        format!(
            "aws cloudtrail update-trail --name {} --region {} {options}",
            view.name(),
            view.home_region
        )
    }

    fn none_reason(&self, what: &str) -> String {
        format!("{what}{}.", unread_note(self.unreadable))
    }

    /// 3.1: a logging multi-Region trail recording all management events, read and write, from
    /// every source (Security Hub CloudTrail.1).
    fn enabled_in_all_regions(&self) -> CisCheck {
        let (control, title) = ("3.1", "Ensure CloudTrail is enabled in all regions");
        let passing =
            self.filter(|v| v.is_multi_region() && v.is_logging() && v.logs_all_management());
        if !passing.is_empty() {
            let reason = format!(
                "{} {} multi-Region, logging and recording all management events.",
                self.names(&passing),
                is_are(passing.len())
            );
            return self.check(control, title, true, reason, String::new());
        }
        if self.trails.is_empty() {
            let reason = self.none_reason("No trail covers this account");
            let fix = format!("Create and start a multi-Region trail: {CREATE_TRAIL}");
            return self.check(control, title, false, reason, fix);
        }
        let shortfalls: Vec<String> = self
            .trails
            .iter()
            .map(|v| format!("{} {}", self.who(v), and_list(&all_regions_shortfalls(v))))
            .collect();
        let reason = format!(
            "No multi-Region trail is logging all management events: {}.",
            shortfalls.join("; ")
        );
        let multi = self.filter(View::is_multi_region);
        let stopped: Vec<&View> = multi.iter().copied().filter(|v| !v.is_logging()).collect();
        let single = self.filter(|v| !v.is_multi_region());
        let fix = if let Some(view) = self.pick(&stopped) {
            let command = format!(
                "aws cloudtrail start-logging --name {} --region {}",
                view.name(),
                view.home_region
            );
            self.fix(view, &format!("start {}", view.name()), &command)
        } else if let Some(view) = self.pick(&multi) {
            let command = format!(
                "aws cloudtrail put-event-selectors --trail-name {} --region {} --event-selectors \
                 {ALL_MANAGEMENT_SELECTORS}",
                view.name(),
                view.home_region
            );
            let action = format!(
                "make {} record all management events (this replaces its selectors, so add back \
                 any data events it logs)",
                view.name()
            );
            self.fix(view, &action, &command)
        } else if let Some(view) = self.pick(&single) {
            let command = Self::update_trail(view, "--is-multi-region-trail");
            self.fix(
                view,
                &format!("make {} multi-Region", view.name()),
                &command,
            )
        } else {
            format!("Create and start a multi-Region trail: {CREATE_TRAIL}")
        };
        self.check(control, title, false, reason, fix)
    }

    /// 3.2 ("enabled on all CloudTrails"), on the multi-Region trails covering the account.
    fn log_file_validation(&self) -> CisCheck {
        self.multi_region_setting(&Setting {
            control: "3.2",
            title: "Ensure CloudTrail log file validation is enabled",
            has: |v| v.validation_on(),
            on: "Log file validation is on for",
            off: "Log file validation is off for",
            action: "turn on log file validation for {}",
            option: "--enable-log-file-validation",
        })
    }

    /// 3.5, on the multi-Region trails covering the account.
    fn kms_encryption(&self) -> CisCheck {
        self.multi_region_setting(&Setting {
            control: "3.5",
            title: "Ensure CloudTrail logs are encrypted at rest using KMS CMKs",
            has: |v| v.kms_key().is_some(),
            on: "Log files are encrypted with a KMS key (SSE-KMS) for",
            off: "Log files are not encrypted with a KMS key (SSE-KMS) for",
            action: "encrypt {}'s log files with a KMS key whose policy lets CloudTrail use it",
            option: "--kms-key-id <KMS key ARN>",
        })
    }

    /// A setting every multi-Region trail covering the account must have.
    fn multi_region_setting(&self, setting: &Setting) -> CisCheck {
        let (control, title) = (setting.control, setting.title);
        let multi = self.filter(View::is_multi_region);
        if multi.is_empty() {
            let reason = self.none_reason(
                "No multi-Region trail covers this account, so none can have it (see 3.1)",
            );
            let fix = format!("Create and start a multi-Region trail: {CREATE_TRAIL}");
            return self.check(control, title, false, reason, fix);
        }
        let missing: Vec<&View> = multi
            .iter()
            .copied()
            .filter(|v| !(setting.has)(v))
            .collect();
        let Some(view) = self.pick(&missing) else {
            let reason = format!("{} {}.", setting.on, self.names(&multi));
            return self.check(control, title, true, reason, String::new());
        };
        let reason = format!("{} {}.", setting.off, self.names(&missing));
        let action = setting.action.replacen("{}", view.name(), 1);
        let mut fix = self.fix(view, &action, &Self::update_trail(view, setting.option));
        if missing.len() > 1 {
            fix.push_str(" (and the same for the others)");
        }
        self.check(control, title, false, reason, fix)
    }

    /// 3.8 (write) and 3.9 (read): a logging multi-Region trail logs that kind of data event for
    /// every S3 object, unconditionally; the CIS audit checks multi-Region trails, and only they
    /// see buckets in every Region.
    fn s3_object_logging(&self, write: bool) -> CisCheck {
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
        let command = format!(
            "aws cloudtrail put-event-selectors --trail-name {} --region {} --event-selectors \
             {ALL_S3_SELECTORS}",
            view.name(),
            view.home_region
        );
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

    /// CIS v1.5.0 3.4 (dropped from v3.0.0): a trail covering the account sends its events to a
    /// CloudWatch Logs log group and delivered there within a day.
    fn cloud_watch_logs(&self) -> CisCheck {
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

/// Why a trail does not satisfy 3.1, e.g. ["is single-Region (us-east-1)", "is not logging"].
fn all_regions_shortfalls(view: &View) -> Vec<String> {
    let mut shortfalls = Vec::new();
    if !view.is_multi_region() {
        shortfalls.push(format!("is single-Region ({})", view.home_region));
    }
    if view.status.is_none() {
        shortfalls.push("has an unknown status".to_owned());
    } else if !view.is_logging() {
        shortfalls.push("is not logging".to_owned());
    }
    if view.selectors_assumed {
        shortfalls.push("has event selectors that could not be read".to_owned());
    } else if !view.decoded.logs_all_management_events() {
        shortfalls.push(format!("records {}", view.management_words()));
    }
    shortfalls
}

/// What S3 data events a trail logs, e.g. "write-only data events for objects in bucket logs".
fn s3_words(view: &View) -> String {
    let rules: Vec<String> = view
        .decoded
        .data
        .iter()
        .filter(|rule| rule.resource_type == "AWS::S3::Object")
        .map(|rule| lower_first(&rule.summary))
        .collect();
    match rules.as_slice() {
        [] => "no S3 data events".to_owned(),
        _ => rules.join("; "),
    }
}
