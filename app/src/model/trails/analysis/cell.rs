//! One account and Region: its coverage state and the sentence that sums it up.
use super::listing::{Index, Seen, View};
use super::words::{ago, and_list, text};
use super::{CellTrail, CoverageState, MatrixCell, STALE_DELIVERY_SECS};
use crate::model::trails::{RegionOutcome, RegionTrails};

/// One account and Region with its listings understood.
pub(super) struct Cell<'a> {
    pub(super) region: &'a RegionTrails,
    pub(super) views: Vec<View<'a>>,
    pub(super) state: CoverageState,
}

impl<'a> Cell<'a> {
    pub(super) fn new(index: &Index<'a>, region: &'a RegionTrails, now: i64) -> Self {
        let views: Vec<View> = region
            .trails
            .iter()
            .map(|record| {
                index.view(Seen {
                    account: &region.account,
                    region: &region.region,
                    record,
                })
            })
            .collect();
        let mut cell = Self {
            region,
            views,
            state: CoverageState::Unknown,
        };
        cell.state = cell.assess(now);
        cell
    }

    fn assess(&self, now: i64) -> CoverageState {
        match &self.region.outcome {
            RegionOutcome::NotEnabled => CoverageState::NotEnabled,
            RegionOutcome::Failed { .. } => CoverageState::Unknown,
            RegionOutcome::Ok => {
                let covering: Vec<&View> = self.covering().collect();
                if covering.is_empty() && self.views.iter().any(View::may_cover) {
                    CoverageState::Unknown
                } else if covering.is_empty() {
                    CoverageState::NotCovered
                } else if covering.iter().all(|v| v.is_stale(now)) {
                    CoverageState::StaleDelivery
                } else if covering.iter().any(|v| v.has_errors()) {
                    CoverageState::CoveredWithErrors
                } else {
                    CoverageState::Covered
                }
            }
        }
    }

    /// Why coverage here is unknown: the Region could not be read, or no listing of a trail that
    /// may cover it has a status.
    pub(super) fn failure(&self) -> Option<String> {
        match &self.region.outcome {
            RegionOutcome::Failed { error } => Some(error.clone()),
            RegionOutcome::Ok if self.state == CoverageState::Unknown => {
                let why: Vec<String> = self
                    .views
                    .iter()
                    .filter(|v| v.may_cover())
                    .map(|v| match text(&v.seen.record.status_error) {
                        Some(error) => format!("GetTrailStatus failed for {} ({error})", v.name()),
                        None => format!("no status was collected for {}", v.name()),
                    })
                    .collect();
                Some(why.join("; "))
            }
            _ => None,
        }
    }

    pub(super) fn covering(&self) -> impl Iterator<Item = &View<'a>> {
        self.views.iter().filter(|v| v.covers())
    }

    /// The newest delivery among the covering trails.
    pub(super) fn last_delivery(&self, now: i64) -> Option<i64> {
        self.covering().filter_map(|v| v.delivery_age(now)).min()
    }

    pub(super) fn to_matrix_cell(&self, now: i64) -> MatrixCell {
        let trails = self
            .views
            .iter()
            .map(|view| CellTrail {
                name: view.name().to_owned(),
                trail_arn: view.trail().trail_arn.clone(),
                home_region: view.home_region.to_owned(),
                is_shadow: view.is_shadow,
                is_multi_region: view.is_multi_region(),
                is_organization: view.is_organization(),
                is_logging: view.is_logging(),
                logs_management_events: view.logs_management(),
                last_delivery_age_secs: view.delivery_age(now),
                problems: view.problems(now, !view.is_shadow),
            })
            .collect();
        MatrixCell {
            account: self.region.account.clone(),
            region: self.region.region.clone(),
            state: self.state,
            trails,
            summary: self.summary(now),
        }
    }

    fn summary(&self, now: i64) -> String {
        let logged_by = || {
            let names: Vec<String> = self.covering().map(View::described).collect();
            format!("Logged by {}", and_list(&names))
        };
        let delivered = || match self.last_delivery(now) {
            Some(secs) if secs <= STALE_DELIVERY_SECS => format!("last delivery {}", ago(secs)),
            Some(secs) => format!(
                "last delivery {}, before logging started again within the hour",
                ago(secs)
            ),
            None => "no log file delivered yet".to_owned(),
        };
        match (&self.region.outcome, self.state) {
            (RegionOutcome::Failed { error }, _) => {
                format!("Could not read the trails here: {error}")
            }
            (_, CoverageState::Unknown) => format!(
                "Could not tell whether management events are logged here: {}",
                self.failure().unwrap_or_default()
            ),
            (_, CoverageState::NotEnabled) => {
                "Region not enabled for this account, so nothing runs or logs here".to_owned()
            }
            (_, CoverageState::NotCovered) => {
                let why: Vec<String> = self.views.iter().map(not_covering_reason).collect();
                match why.as_slice() {
                    [] => "No trail logs management events here".to_owned(),
                    _ => format!("No trail logs management events here: {}", why.join("; ")),
                }
            }
            (_, CoverageState::StaleDelivery) => match self.last_delivery(now) {
                Some(secs) => format!(
                    "{}, but the last log file was delivered {}",
                    logged_by(),
                    ago(secs)
                ),
                None => format!("{}, but no log file has been delivered", logged_by()),
            },
            (_, CoverageState::CoveredWithErrors) => {
                let errors: Vec<String> = self
                    .covering()
                    .filter(|v| v.has_errors())
                    .map(error_phrase)
                    .collect();
                format!("{}; {}; {}", logged_by(), delivered(), errors.join("; "))
            }
            _ => format!("{}; {}", logged_by(), delivered()),
        }
    }
}

/// Why a listed trail does not cover its cell, e.g. "audit is not logging".
fn not_covering_reason(view: &View) -> String {
    if !view.logs_management() {
        format!("{} records no management events", view.name())
    } else if view.status.is_none() {
        format!("{}'s status is unknown", view.name())
    } else {
        format!("{} is not logging", view.name())
    }
}

/// "org-trail: log file delivery to S3 failed (AccessDenied)".
fn error_phrase(view: &View) -> String {
    let record = view.seen.record;
    let mut errors: Vec<String> = view
        .delivery_failures()
        .iter()
        .map(|(what, code)| format!("{what} failed ({code})"))
        .collect();
    if text(&record.status_error).is_some() {
        errors.push("its status could not be read here".to_owned());
    }
    if text(&record.selectors_error).is_some() {
        errors.push("its event selectors could not be read here".to_owned());
    }
    format!("{}: {}", view.name(), and_list(&errors))
}
