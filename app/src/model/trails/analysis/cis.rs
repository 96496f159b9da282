//! The CloudTrail controls of the CIS AWS Foundations Benchmark, per account: which trails cover
//! an account, and 3.1 (enabled in all Regions); the other controls live beside it.
mod cloud_watch;
mod s3;
mod settings;

use super::CisCheck;
use super::cell::Cell;
use super::listing::View;
use super::words::{and_list, is_are, unread_note, upper_first};
use crate::model::trails::RegionOutcome;
use std::collections::BTreeMap;

const NOTHING_TO_FIX: &str = "Nothing to fix.";
const CREATE_TRAIL: &str = "aws cloudtrail create-trail --name management-events --s3-bucket-name \
                            <bucket> --is-multi-region-trail --enable-log-file-validation \
                            --kms-key-id <KMS key ARN> && aws cloudtrail start-logging --name \
                            management-events";
const ALL_MANAGEMENT_SELECTORS: &str =
    r#"'[{"ReadWriteType": "All", "IncludeManagementEvents": true}]'"#;

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

    /// The command that replaces `view`'s event selectors with `selectors` (JSON).
    fn put_event_selectors(view: &View, selectors: &str) -> String {
        format!(
            "aws cloudtrail put-event-selectors --trail-name {} --region {} --event-selectors {selectors}",
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
            let command = Self::put_event_selectors(view, ALL_MANAGEMENT_SELECTORS);
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
