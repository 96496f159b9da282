//! The Trails page's answer to "is every Region of every account really being logged?": per
//! account and Region, which trails record management events there and whether they deliver; the
//! gaps a security engineer should act on; and the CloudTrail controls of the CIS AWS Foundations
//! Benchmark per account. Pure functions of a [`TrailsSnapshot`], whose `taken_at` is "now".
mod cell;
mod cis;
mod gaps;
mod listing;
#[cfg(test)]
mod tests;
mod words;

use crate::model::selectors::DecodedSelectors;
use crate::model::trails::{Trail, TrailStatus, TrailsSnapshot};
use cell::Cell;
use listing::Index;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// A logging trail that has delivered no log file for longer than this is stale. CloudTrail writes
/// a file only when there are events, so a quiet Region can look stale without a fault.
pub const STALE_DELIVERY_SECS: i64 = 3_600;
/// Trails per Region (counted in the Region that is their home), not adjustable (AWS-FACTS.md,
/// "LookupEvents and trail limits", from the User Guide's quotas page).
pub const TRAILS_PER_REGION_LIMIT: usize = 5;
/// The CIS AWS Foundations Benchmark whose section 3 numbers the checks: 3.1, 3.2, 3.5, 3.8 and
/// 3.9, as in Security Hub's v3.0.0 standard
/// (<https://docs.aws.amazon.com/securityhub/latest/userguide/cis-aws-foundations-benchmark.html>).
/// The CloudWatch Logs check left v3.0.0 and keeps its v1.5.0 number, `3.4 (v1.5.0)`.
pub const CIS_VERSION: &str = "3.0.0";
/// The price of every copy of a management event after the first in a Region (AWS-FACTS.md,
/// pricing).
const EXTRA_COPY_PRICE: &str = "$2.00 per 100,000 management events";

/// Everything the Trails page shows, for one snapshot.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrailMatrix {
    /// When the snapshot was taken: epoch seconds UTC.
    pub taken_at: i64,
    /// Every account in the snapshot, sorted.
    pub accounts: Vec<String>,
    /// Every Region in the snapshot, sorted.
    pub regions: Vec<String>,
    /// One per account and Region the snapshot has, sorted by account, then Region.
    pub cells: Vec<MatrixCell>,
    /// What to act on, sorted by account, Region (account-wide and several-Region gaps first),
    /// kind.
    pub gaps: Vec<Gap>,
    /// Per account (in `accounts` order), the CIS controls in a fixed order.
    pub cis: Vec<CisCheck>,
}

/// One account and Region.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MatrixCell {
    /// The 12-digit account ID. (Wire name; kept as `account`.)
    pub account: String,
    /// The Region code, e.g. `us-east-1`.
    pub region: String,
    /// How well CloudTrail covers this account and Region.
    pub state: CoverageState,
    /// Every trail `DescribeTrails` listed here, shadows included, in its order.
    pub trails: Vec<CellTrail>,
    /// One sentence, e.g. "Logged by org-trail (organization trail, multi-Region); last delivery 4
    /// min ago".
    pub summary: String,
}

/// Whether management events are recorded in a cell.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CoverageState {
    /// A logging trail records management events and delivered within [`STALE_DELIVERY_SECS`].
    Covered,
    /// Covered, but a covering trail reports a delivery error (S3, digest with validation on,
    /// CloudWatch Logs) or its status or selectors could not be read here.
    CoveredWithErrors,
    /// Covered, but no covering trail delivered a log file within [`STALE_DELIVERY_SECS`] (nor
    /// started logging that recently).
    StaleDelivery,
    /// No logging trail records management events here.
    NotCovered,
    /// An opt-in Region the account has not enabled: nothing runs there.
    NotEnabled,
    /// The Region could not be read, or no listing of a trail that may cover it has a status.
    Unknown,
}

impl CoverageState {
    /// The state in a few words, for legends and screen readers.
    pub fn label(self) -> &'static str {
        match self {
            Self::Covered => "covered",
            Self::CoveredWithErrors => "covered with errors",
            Self::StaleDelivery => "stale delivery",
            Self::NotCovered => "not covered",
            Self::NotEnabled => "Region not enabled",
            Self::Unknown => "unknown",
        }
    }
}

/// A trail as listed in one cell.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CellTrail {
    /// The trail's `Name`.
    pub name: String,
    /// The trail's `TrailARN` (it names the home Region).
    pub trail_arn: String,
    /// The Region the trail was created in (`HomeRegion`).
    pub home_region: String,
    /// Listed here but created in another Region or (organization trails) another account.
    pub is_shadow: bool,
    /// `IsMultiRegionTrail`: the trail logs every Region.
    pub is_multi_region: bool,
    /// `IsOrganizationTrail`: the trail logs every account of the organization.
    pub is_organization: bool,
    /// `false` also when the status is unknown (see `problems`).
    pub is_logging: bool,
    /// Some read or write management events, possibly with exclusions (see `problems`).
    pub logs_management_events: bool,
    /// Seconds since the last log file delivery (`LatestDeliveryTime`) at the snapshot time; `None` if never.
    pub last_delivery_age_secs: Option<i64>,
    /// Sentences; configuration problems (validation, encryption) appear on the home listing only.
    pub problems: Vec<String>,
}

/// Something to act on.
///
/// Region-scoped gaps are merged when one cause spans several Regions of an account (one bucket
/// policy breaks delivery everywhere; an account without a trail is uncovered everywhere): `region`
/// is then `None` and `message` names the Regions. `region` is `Some` when the gap concerns one
/// Region.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Gap {
    /// What kind of gap.
    pub kind: GapKind,
    /// The 12-digit account ID. (Wire name; kept as `account`.)
    pub account: String,
    /// The Region code, or `None` for an account-wide or several-Region gap.
    pub region: Option<String>,
    /// The trail at fault, when there is one.
    pub trail_arn: Option<String>,
    /// A sentence saying what is wrong and where.
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
/// A kind of gap in CloudTrail coverage, in the order the Trails page sorts them.
pub enum GapKind {
    /// Regions (or a whole account) where no logging trail records management events.
    NoLoggingTrail,
    /// A logging trail delivered no log file within [`STALE_DELIVERY_SECS`].
    StaleDelivery,
    /// A logging trail reports an S3, digest or CloudWatch Logs delivery error.
    DeliveryError,
    /// An account uses four or five of its five trails in a Region.
    TrailLimitNear,
    /// Two or more logging trails record the same management events: paid extra copies.
    DuplicateManagementEvents,
    /// Reading the Region's trails failed, so its coverage is unknown.
    RegionFailed,
    /// A trail is not logging (reported once, for its home Region).
    TrailStopped,
    /// A trail has log file validation off (reported once, for its home Region).
    ValidationOff,
}

/// One CIS control for one account.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CisCheck {
    /// The 12-digit account ID. (Wire name; kept as `account`.)
    pub account: String,
    /// The control number in [`CIS_VERSION`], e.g. "3.1"; "3.4 (v1.5.0)" for the CloudWatch Logs
    /// one.
    pub control: String,
    /// The control's title as CIS words it.
    pub title: String,
    /// Whether the account passes the control.
    pub passed: bool,
    /// Which trails satisfy the control, or what is missing.
    pub reason: String,
    /// One sentence with the AWS CLI command, or "Nothing to fix."
    pub fix: String,
}

/// Everything about one trail, for its detail panel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrailDetail {
    /// From the listing in the trail's home Region and account, else the best other listing.
    pub trail: Trail,
    /// That listing's status, or another listing's when its `GetTrailStatus` failed.
    pub status: Option<TrailStatus>,
    /// The trail's event and Insights selectors decoded into typed facts.
    pub decoded: DecodedSelectors,
    /// (account, Region) of every listing, sorted.
    pub seen_in: Vec<(String, String)>,
    /// The account that owns the trail (its ARN's), also for organization trails seen in members.
    pub home_account: String,
    /// The chosen `TrailRecord` as pretty JSON.
    pub raw_json: String,
    /// Sentences about what is wrong with the trail's configuration or delivery.
    pub problems: Vec<String>,
}

/// The coverage matrix, gaps and CIS checks of a snapshot.
pub fn matrix(snapshot: &TrailsSnapshot) -> TrailMatrix {
    let index = Index::new(snapshot);
    let now = snapshot.taken_at;
    let mut cells: Vec<Cell> = snapshot
        .regions
        .iter()
        .map(|region| Cell::new(&index, region, now))
        .collect();
    cells.sort_by(|a, b| {
        (&a.region.account, &a.region.region).cmp(&(&b.region.account, &b.region.region))
    });
    let accounts: BTreeSet<&str> = cells.iter().map(|c| c.region.account.as_str()).collect();
    let regions: BTreeSet<&str> = cells.iter().map(|c| c.region.region.as_str()).collect();
    let cis = accounts
        .iter()
        .flat_map(|account| cis::checks(account, &cells, now))
        .collect();
    TrailMatrix {
        taken_at: now,
        accounts: accounts.iter().map(|a| (*a).to_owned()).collect(),
        regions: regions.iter().map(|r| (*r).to_owned()).collect(),
        gaps: gaps::gaps(&index, &cells, now),
        cells: cells.iter().map(|c| c.to_matrix_cell(now)).collect(),
        cis,
    }
}

/// The trail with this ARN as its home listing shows it (a shadow's ARN gives the home record), or
/// `None` if no Region listed it.
pub fn trail_detail(snapshot: &TrailsSnapshot, trail_arn: &str) -> Option<TrailDetail> {
    let index = Index::new(snapshot);
    let primary = index.primary(trail_arn)?;
    let view = index.view(primary);
    let mut seen_in: Vec<(String, String)> = index
        .listings(trail_arn)
        .iter()
        .map(|s| (s.account.to_owned(), s.region.to_owned()))
        .collect();
    seen_in.sort();
    seen_in.dedup();
    let mut problems = Vec::new();
    if primary.region != view.home_region || primary.account != view.owner {
        problems.push(format!(
            "Not seen in its home Region {} of account {}, so this shows its listing in {} of \
             account {}.",
            view.home_region, view.owner, primary.region, primary.account
        ));
    }
    problems.extend(view.problems(snapshot.taken_at, true));
    Some(TrailDetail {
        trail: primary.record.trail.clone(),
        status: view.status.cloned(),
        decoded: view.decoded.clone(),
        seen_in,
        home_account: view.owner.to_owned(),
        // These types always serialize (serde_json writes non-finite floats as null).
        raw_json: serde_json::to_string_pretty(primary.record).unwrap_or_default(),
        problems,
    })
}
