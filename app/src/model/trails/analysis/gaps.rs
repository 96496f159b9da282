//! The gaps: what a security engineer should act on, one entry per cause.
use super::cell::Cell;
use super::listing::{Index, View};
use super::words::{age, ago, and_list, newest, place, single, text, unread_note};
use super::{CoverageState, EXTRA_COPY_PRICE, Gap, GapKind, TRAILS_PER_REGION_LIMIT};
use std::collections::{BTreeMap, BTreeSet};

/// Every gap, sorted by account, Region (`None` first), kind, trail and message.
pub(super) fn gaps(index: &Index, cells: &[Cell], now: i64) -> Vec<Gap> {
    let mut gaps = Vec::new();
    no_logging_trail_gaps(cells, &mut gaps);
    stale_delivery_gaps(cells, now, &mut gaps);
    delivery_error_gaps(cells, &mut gaps);
    duplicate_management_gaps(cells, &mut gaps);
    region_failed_gaps(cells, &mut gaps);
    trail_gaps(index, now, &mut gaps);
    gaps.sort_by(|a, b| {
        (&a.account, &a.region, a.kind, &a.trail_arn, &a.message).cmp(&(
            &b.account,
            &b.region,
            b.kind,
            &b.trail_arn,
            &b.message,
        ))
    });
    gaps
}

/// One gap per account: an account no trail covers at all needs one multi-Region (or organization)
/// trail, not a to-do per Region, and an account covered in some Regions needs the rest named
/// together. Regions not enabled are never gaps; unreadable ones are `RegionFailed`.
fn no_logging_trail_gaps(cells: &[Cell], gaps: &mut Vec<Gap>) {
    #[derive(Default)]
    struct Tally<'a> {
        uncovered: Vec<&'a str>,
        readable: usize,
        unreadable: usize,
    }
    let mut accounts: BTreeMap<&str, Tally> = BTreeMap::new();
    for cell in cells {
        let tally = accounts.entry(&cell.region.account).or_default();
        match cell.state {
            CoverageState::NotEnabled => {}
            CoverageState::Unknown => tally.unreadable += 1,
            CoverageState::NotCovered => {
                tally.uncovered.push(&cell.region.region);
                tally.readable += 1;
            }
            _ => tally.readable += 1,
        }
    }
    for (account, tally) in accounts {
        if tally.uncovered.is_empty() {
            continue;
        }
        let (region, message) = if tally.uncovered.len() == tally.readable {
            (
                None,
                format!(
                    "No trail logs management events in any Region of account {account} that \
                     could be read ({}){}; one multi-Region trail would cover them all.",
                    and_list(&tally.uncovered),
                    unread_note(tally.unreadable)
                ),
            )
        } else {
            let (region, place) = place(&tally.uncovered);
            (
                region,
                format!(
                    "No trail logs management events {place} of account {account}, so activity \
                     there is not recorded."
                ),
            )
        };
        gaps.push(Gap {
            kind: GapKind::NoLoggingTrail,
            account: account.to_owned(),
            region,
            trail_arn: None,
            message,
        });
    }
}

/// Stale cells covered by the same trails are one gap.
fn stale_delivery_gaps(cells: &[Cell], now: i64, gaps: &mut Vec<Gap>) {
    type Group<'a> = (Vec<&'a str>, Vec<&'a str>, Option<i64>);
    let mut groups: BTreeMap<(&str, BTreeSet<&str>), Group> = BTreeMap::new();
    for cell in cells
        .iter()
        .filter(|c| c.state == CoverageState::StaleDelivery)
    {
        let covering: Vec<&View> = cell.covering().collect();
        let arns = covering
            .iter()
            .map(|v| v.trail().trail_arn.as_str())
            .collect();
        let group = groups
            .entry((&cell.region.account, arns))
            .or_insert_with(|| {
                (
                    covering.iter().map(|v| v.name()).collect(),
                    Vec::new(),
                    None,
                )
            });
        group.1.push(&cell.region.region);
        group.2 = newest(group.2, cell.last_delivery(now));
    }
    for ((account, arns), (names, regions, last)) in groups {
        let arns: Vec<&str> = arns.into_iter().collect();
        let (region, place) = place(&regions);
        let last = last.map_or_else(|| "never".to_owned(), ago);
        gaps.push(Gap {
            kind: GapKind::StaleDelivery,
            account: account.to_owned(),
            region,
            trail_arn: single(&arns),
            message: format!(
                "{} delivered no log file for over an hour {place} of account {account} (last \
                 delivery: {last}); CloudTrail writes files only when there are events, so check \
                 the bucket and the trail's delivery errors before blaming a quiet Region.",
                and_list(&names)
            ),
        });
    }
}

/// One gap per trail, account and error: a broken bucket or key policy fails every Region at once.
fn delivery_error_gaps(cells: &[Cell], gaps: &mut Vec<Gap>) {
    type Key<'a> = (&'a str, &'a str, &'static str, &'a str);
    let mut groups: BTreeMap<Key, (&View, Vec<&str>)> = BTreeMap::new();
    for cell in cells {
        for view in cell.views.iter().filter(|v| v.is_logging()) {
            for (what, code) in view.delivery_failures() {
                let key = (
                    cell.region.account.as_str(),
                    view.trail().trail_arn.as_str(),
                    what,
                    code,
                );
                groups
                    .entry(key)
                    .or_insert_with(|| (view, Vec::new()))
                    .1
                    .push(&cell.region.region);
            }
        }
    }
    for ((account, arn, what, code), (view, regions)) in groups {
        let (region, place) = place(&regions);
        let trail = view.trail();
        let hint = if what.starts_with("CloudWatch") {
            format!(
                "check that role {} may write to log group {}",
                text(&trail.cloud_watch_logs_role_arn).unwrap_or("(none set)"),
                text(&trail.cloud_watch_logs_log_group_arn).unwrap_or("(none set)")
            )
        } else {
            format!(
                "check that the policy of bucket {} (and of its KMS key, if any) lets CloudTrail \
                 write",
                text(&trail.s3_bucket_name).unwrap_or("(none set)")
            )
        };
        gaps.push(Gap {
            kind: GapKind::DeliveryError,
            account: account.to_owned(),
            region,
            trail_arn: Some(arn.to_owned()),
            message: format!(
                "{}: {what} failed with {code} {place} of account {account}; {hint}.",
                view.name()
            ),
        });
    }
}

/// Trails recording the same kind (read or write) of management events in a cell, named in listing
/// order; cells with the same set of trails are one gap.
fn duplicate_management_gaps(cells: &[Cell], gaps: &mut Vec<Gap>) {
    type Copies<'a> = (Vec<&'a str>, Vec<&'a str>);
    let mut groups: BTreeMap<(&str, BTreeSet<&str>), Copies> = BTreeMap::new();
    for cell in cells {
        let covering: Vec<&View> = cell.covering().collect();
        let count = |kind: fn(&View) -> bool| covering.iter().filter(|v| kind(v)).count();
        let (read, write) = (
            count(|v| v.decoded.management.read),
            count(|v| v.decoded.management.write),
        );
        let copies: Vec<&&View> = covering
            .iter()
            .filter(|v| {
                (read > 1 && v.decoded.management.read) || (write > 1 && v.decoded.management.write)
            })
            .collect();
        if copies.len() < 2 {
            continue;
        }
        let arns = copies
            .iter()
            .map(|v| v.trail().trail_arn.as_str())
            .collect();
        groups
            .entry((&cell.region.account, arns))
            .or_insert_with(|| (copies.iter().map(|v| v.name()).collect(), Vec::new()))
            .1
            .push(&cell.region.region);
    }
    for ((account, _), (names, regions)) in groups {
        let (region, place) = place(&regions);
        let extra = names.len() - 1;
        let (all, copies) = match extra {
            1 => ("both", "the extra copy is".to_owned()),
            _ => ("all", format!("the {extra} extra copies are")),
        };
        gaps.push(Gap {
            kind: GapKind::DuplicateManagementEvents,
            account: account.to_owned(),
            region,
            trail_arn: None,
            message: format!(
                "{} {all} record management events {place} of account {account}: the first copy \
                 is free, {copies} billed at {EXTRA_COPY_PRICE}.",
                and_list(&names)
            ),
        });
    }
}

fn region_failed_gaps(cells: &[Cell], gaps: &mut Vec<Gap>) {
    let mut groups: BTreeMap<(&str, String), Vec<&str>> = BTreeMap::new();
    for cell in cells {
        if let Some(error) = cell.failure() {
            groups
                .entry((&cell.region.account, error))
                .or_default()
                .push(&cell.region.region);
        }
    }
    for ((account, error), regions) in groups {
        let (region, place) = place(&regions);
        gaps.push(Gap {
            kind: GapKind::RegionFailed,
            account: account.to_owned(),
            region,
            trail_arn: None,
            message: format!("Coverage {place} of account {account} is unknown: {error}."),
        });
    }
}

/// Gaps about a trail itself, reported once for its owner and home Region.
fn trail_gaps(index: &Index, now: i64, gaps: &mut Vec<Gap>) {
    let mut homes: BTreeMap<(&str, &str), Vec<&str>> = BTreeMap::new();
    for arn in index.arns() {
        let Some(primary) = index.primary(arn) else {
            continue;
        };
        let view = index.view(primary);
        let (name, home, owner) = (view.name(), view.home_region, view.owner);
        homes.entry((owner, home)).or_default().push(name);
        let gap = |kind, message| Gap {
            kind,
            account: owner.to_owned(),
            region: Some(home.to_owned()),
            trail_arn: Some(arn.to_owned()),
            message,
        };
        if let Some(status) = view.status.filter(|s| !s.is_logging) {
            let since = age(now, status.stop_logging_time)
                .map(|secs| format!(" (stopped {})", ago(secs)))
                .unwrap_or_default();
            gaps.push(gap(
                GapKind::TrailStopped,
                format!(
                    "{} is not logging{since}, so it records nothing; in account {owner}, run aws \
                     cloudtrail start-logging --name {name} --region {home}.",
                    view.described()
                ),
            ));
        }
        if !view.validation_on() {
            gaps.push(gap(
                GapKind::ValidationOff,
                format!(
                    "Log file validation is off for {name} (account {owner}, {home}), so changes \
                     to its log files cannot be detected; run aws cloudtrail update-trail --name \
                     {name} --region {home} --enable-log-file-validation."
                ),
            ));
        }
    }
    for ((owner, home), names) in homes {
        let used = names.len();
        if used + 1 < TRAILS_PER_REGION_LIMIT {
            continue;
        }
        let consequence = if used >= TRAILS_PER_REGION_LIMIT {
            "no other trail can be created there"
        } else {
            "one more trail fills it"
        };
        gaps.push(Gap {
            kind: GapKind::TrailLimitNear,
            account: owner.to_owned(),
            region: Some(home.to_owned()),
            trail_arn: None,
            message: format!(
                "Account {owner} uses {used} of {TRAILS_PER_REGION_LIMIT} trails in {home} ({}); \
                 AWS does not raise this quota, so {consequence}.",
                and_list(&names)
            ),
        });
    }
}
