//! Each listing of a trail understood: who owns it, where it is at home, whether it is a shadow,
//! its status and decoded selectors (read from another listing of the same trail when this one's
//! could not be), and what is wrong with it.
use super::STALE_DELIVERY_SECS;
use super::words::{age, ago, lower_first, scope, text, upper_first};
use crate::model::selectors::{self, DecodedSelectors};
use crate::model::trails::{Trail, TrailRecord, TrailStatus, TrailsSnapshot};
use std::collections::BTreeMap;

/// One listing of a trail: where `DescribeTrails` returned it.
#[derive(Clone, Copy)]
pub(super) struct Seen<'a> {
    pub(super) account: &'a str,
    pub(super) region: &'a str,
    pub(super) record: &'a TrailRecord,
}

/// Every listing of every trail, by ARN, in snapshot order.
pub(super) struct Index<'a> {
    by_arn: BTreeMap<&'a str, Vec<Seen<'a>>>,
}

impl<'a> Index<'a> {
    pub(super) fn new(snapshot: &'a TrailsSnapshot) -> Self {
        let mut by_arn: BTreeMap<&str, Vec<Seen>> = BTreeMap::new();
        for region in &snapshot.regions {
            for record in &region.trails {
                if !record.trail.trail_arn.is_empty() {
                    by_arn
                        .entry(record.trail.trail_arn.as_str())
                        .or_default()
                        .push(Seen {
                            account: &region.account,
                            region: &region.region,
                            record,
                        });
                }
            }
        }
        Self { by_arn }
    }

    pub(super) fn arns(&self) -> impl Iterator<Item = &'a str> {
        self.by_arn.keys().copied()
    }

    pub(super) fn listings(&self, arn: &str) -> &[Seen<'a>] {
        self.by_arn.get(arn).map_or(&[], Vec::as_slice)
    }

    /// The listing that speaks for a trail: in its owner's account and home Region, else in its
    /// owner's account, else the first.
    pub(super) fn primary(&self, arn: &str) -> Option<Seen<'a>> {
        let listings = self.listings(arn);
        let first = listings.first()?;
        let owner = owner_of(&first.record.trail, first.account);
        let home = home_of(&first.record.trail, first.region);
        listings
            .iter()
            .find(|s| s.account == owner && s.region == home)
            .or_else(|| listings.iter().find(|s| s.account == owner))
            .or(Some(first))
            .copied()
    }

    /// Another listing of the same trail with what this one lacks, the primary first.
    pub(super) fn fallback(
        &self,
        seen: Seen<'a>,
        usable: impl Fn(&TrailRecord) -> bool,
    ) -> Option<Seen<'a>> {
        let arn = seen.record.trail.trail_arn.as_str();
        self.primary(arn)
            .into_iter()
            .chain(self.listings(arn).iter().copied())
            .find(|other| !std::ptr::eq(other.record, seen.record) && usable(other.record))
    }

    pub(super) fn view(&self, seen: Seen<'a>) -> View<'a> {
        let trail = &seen.record.trail;
        let owner = owner_of(trail, seen.account);
        let home_region = home_of(trail, seen.region);
        let is_shadow = seen.region != home_region
            || arn_field(&trail.trail_arn, 3).is_some_and(|r| r != seen.region)
            || seen.account != owner;
        // GetTrailStatus answers per Region; another listing's answer still says whether it logs.
        let (status, status_from) = match &seen.record.status {
            Some(status) => (Some(status), None),
            None => match self.fallback(seen, |r| r.status.is_some()) {
                Some(other) => (other.record.status.as_ref(), Some(other)),
                None => (None, None),
            },
        };
        // Selectors belong to the trail, not the Region: any readable listing tells them.
        let (selectors_of, selectors_from, selectors_assumed) =
            if text(&seen.record.selectors_error).is_none() {
                (seen.record, None, false)
            } else {
                match self.fallback(seen, |r| text(&r.selectors_error).is_none()) {
                    Some(other) => (other.record, Some(other), false),
                    None => (seen.record, None, true),
                }
            };
        let decoded = selectors::decode(
            &selectors_of.event_selectors,
            &selectors_of.insight_selectors,
        );
        let cloud_watch_logs_delivery = self
            .listings(&trail.trail_arn)
            .iter()
            .filter_map(|s| {
                s.record
                    .status
                    .as_ref()?
                    .latest_cloud_watch_logs_delivery_time
            })
            .chain(status.and_then(|s| s.latest_cloud_watch_logs_delivery_time))
            .reduce(f64::max);
        View {
            seen,
            owner,
            home_region,
            is_shadow,
            status,
            status_from,
            decoded,
            selectors_from,
            selectors_assumed,
            cloud_watch_logs_delivery,
        }
    }
}

/// A listing with what it means: its owner, home, effective status and decoded selectors.
pub(super) struct View<'a> {
    pub(super) seen: Seen<'a>,
    pub(super) owner: &'a str,
    pub(super) home_region: &'a str,
    pub(super) is_shadow: bool,
    pub(super) status: Option<&'a TrailStatus>,
    /// Where `status` was read when this listing's `GetTrailStatus` failed.
    pub(super) status_from: Option<Seen<'a>>,
    pub(super) decoded: DecodedSelectors,
    /// Where the selectors were read when this listing's `GetEventSelectors` failed.
    pub(super) selectors_from: Option<Seen<'a>>,
    /// No listing could read the selectors; `decoded` is the default (all management events).
    pub(super) selectors_assumed: bool,
    /// The newest CloudWatch Logs delivery any listing of the trail reports.
    pub(super) cloud_watch_logs_delivery: Option<f64>,
}

impl<'a> View<'a> {
    pub(super) fn trail(&self) -> &'a Trail {
        &self.seen.record.trail
    }

    pub(super) fn name(&self) -> &'a str {
        let trail = self.trail();
        match trail.name.as_str() {
            "" => trail.trail_arn.rsplit('/').next().unwrap_or_default(),
            name => name,
        }
    }

    pub(super) fn is_logging(&self) -> bool {
        self.status.is_some_and(|s| s.is_logging)
    }

    pub(super) fn is_multi_region(&self) -> bool {
        self.trail().is_multi_region_trail == Some(true)
    }

    pub(super) fn is_organization(&self) -> bool {
        self.trail().is_organization_trail == Some(true)
    }

    pub(super) fn validation_on(&self) -> bool {
        self.trail().log_file_validation_enabled == Some(true)
    }

    pub(super) fn log_group(&self) -> Option<&'a str> {
        text(&self.trail().cloud_watch_logs_log_group_arn)
    }

    pub(super) fn kms_key(&self) -> Option<&'a str> {
        text(&self.trail().kms_key_id)
    }

    pub(super) fn logs_management(&self) -> bool {
        self.decoded.management.read || self.decoded.management.write
    }

    /// Logging and recording some management events: it covers the Region it is listed in.
    pub(super) fn covers(&self) -> bool {
        self.is_logging() && self.logs_management()
    }

    /// Records management events but its status is unknown everywhere: it may cover its Region.
    pub(super) fn may_cover(&self) -> bool {
        self.status.is_none() && self.logs_management()
    }

    /// Read and write management events without exclusions, from readable selectors (CIS 3.1).
    pub(super) fn logs_all_management(&self) -> bool {
        !self.selectors_assumed && self.decoded.logs_all_management_events()
    }

    pub(super) fn delivery_age(&self, now: i64) -> Option<i64> {
        age(now, self.status?.latest_delivery_time)
    }

    /// Since the last sign of life: a delivery, or the start of logging (a trail started a minute
    /// ago has had no chance to deliver).
    pub(super) fn quiet_for(&self, now: i64) -> Option<i64> {
        let started = self.status.and_then(|s| age(now, s.start_logging_time));
        self.delivery_age(now).into_iter().chain(started).min()
    }

    pub(super) fn is_stale(&self, now: i64) -> bool {
        self.quiet_for(now)
            .is_none_or(|secs| secs > STALE_DELIVERY_SECS)
    }

    /// (what failed, error code) for each delivery error reported; digest errors only count with
    /// validation on.
    pub(super) fn delivery_failures(&self) -> Vec<(&'static str, &'a str)> {
        let Some(status) = self.status else {
            return Vec::new();
        };
        let mut failures = Vec::new();
        if let Some(code) = text(&status.latest_delivery_error) {
            failures.push(("log file delivery to S3", code));
        }
        if let Some(code) = text(&status.latest_digest_delivery_error)
            && self.validation_on()
        {
            failures.push(("digest file delivery", code));
        }
        if let Some(code) = text(&status.latest_cloud_watch_logs_delivery_error) {
            failures.push(("CloudWatch Logs delivery", code));
        }
        failures
    }

    /// What makes a covering trail "covered with errors".
    pub(super) fn has_errors(&self) -> bool {
        !self.delivery_failures().is_empty()
            || text(&self.seen.record.status_error).is_some()
            || text(&self.seen.record.selectors_error).is_some()
    }

    /// The management events it records, lower-case, e.g. "write-only management events".
    pub(super) fn management_words(&self) -> String {
        lower_first(&self.decoded.management.summary())
    }

    /// "org-trail (organization trail, multi-Region)", with the management events it records when
    /// they are not all of them.
    pub(super) fn described(&self) -> String {
        let mut words = Vec::new();
        if self.is_organization() {
            words.push("organization trail".to_owned());
        }
        words.push(scope(self.is_multi_region()).to_owned());
        if self.logs_management() && !self.logs_all_management() {
            words.push(self.management_words());
        }
        format!("{} ({})", self.name(), words.join(", "))
    }

    /// Sentences about what is wrong; `config` adds validation and encryption.
    pub(super) fn problems(&self, now: i64, config: bool) -> Vec<String> {
        let record = self.seen.record;
        let mut problems = Vec::new();
        match (text(&record.status_error), self.status_from) {
            (Some(error), Some(from)) => problems.push(format!(
                "GetTrailStatus failed here ({error}); showing the status read in {} of account \
                 {}.",
                from.region, from.account
            )),
            (Some(error), None) => problems.push(format!(
                "GetTrailStatus failed ({error}), so whether it is logging is unknown."
            )),
            (None, _) if self.status.is_none() => problems
                .push("No status was collected, so whether it is logging is unknown.".to_owned()),
            _ => {}
        }
        if let Some(status) = self.status.filter(|s| !s.is_logging) {
            problems.push(match age(now, status.stop_logging_time) {
                Some(secs) => format!("Not logging: stopped {}.", ago(secs)),
                None => "Not logging.".to_owned(),
            });
        }
        if let Some(error) = text(&record.selectors_error) {
            problems.push(match self.selectors_from {
                Some(from) => format!(
                    "GetEventSelectors failed here ({error}); showing the selectors read in {} of \
                     account {}.",
                    from.region, from.account
                ),
                None => format!(
                    "GetEventSelectors failed ({error}); counted as the default (all management \
                     events), which may overstate what it records."
                ),
            });
        }
        if !self.logs_management() {
            let only_data =
                !self.decoded.data.is_empty() || !self.decoded.network_activity.is_empty();
            problems.push(if only_data {
                "Records no management events (only data or network activity events), so it \
                 covers no Region."
                    .to_owned()
            } else {
                "Records no management events, so it covers no Region.".to_owned()
            });
        } else if !self.logs_all_management() && !self.selectors_assumed {
            problems.push(format!(
                "Records {}, not all management events.",
                self.management_words()
            ));
        }
        for (what, code) in self.delivery_failures() {
            problems.push(format!("{} failed: {code}.", upper_first(what)));
        }
        if let Some(code) = self.status.and_then(|s| text(&s.latest_notification_error)) {
            problems.push(format!("SNS notification failed: {code}."));
        }
        if self.covers() && self.is_stale(now) {
            problems.push(match self.delivery_age(now) {
                Some(secs) => format!("Last log file delivered {}, over an hour ago.", ago(secs)),
                None => "No log file has been delivered.".to_owned(),
            });
        }
        if config {
            if !self.validation_on() {
                problems.push("Log file validation is off.".to_owned());
            }
            if self.kms_key().is_none() {
                problems.push("Log files are not encrypted with a KMS key (SSE-KMS).".to_owned());
            }
        }
        problems
    }
}

/// The `index`th `:`-separated field of an ARN: 3 is the Region, 4 the account.
pub(super) fn arn_field(arn: &str, index: usize) -> Option<&str> {
    arn.split(':').nth(index).filter(|field| !field.is_empty())
}

/// The account that owns a trail: its ARN's, which an organization trail keeps in member accounts.
pub(super) fn owner_of<'a>(trail: &'a Trail, listed_in: &'a str) -> &'a str {
    arn_field(&trail.trail_arn, 4).unwrap_or(listed_in)
}

pub(super) fn home_of<'a>(trail: &'a Trail, listed_in: &'a str) -> &'a str {
    text(&trail.home_region)
        .or_else(|| arn_field(&trail.trail_arn, 3))
        .unwrap_or(listed_in)
}
