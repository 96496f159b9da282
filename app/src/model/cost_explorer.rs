//! CloudTrail's real bill as AWS Cost Explorer reports it (`GetCostAndUsage` filtered to the CloudTrail service,
//! by usage type), per configured account: the last full months and the current month to date, each line one
//! linked account × Region × [`UsageClass`] with its quantity and its cost in integer micro-dollars. Pure types,
//! shared by the server (which asks Cost Explorer, `ssr::cost_explorer`) and the browser (the Billing page, which
//! shows the bill beside the estimate of the same months).
pub mod amount;
pub mod usage_type;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;
pub use usage_type::UsageClass;

/// The value of Cost Explorer's `SERVICE` dimension for CloudTrail (the Price List's `serviceName`).
pub const CLOUDTRAIL_SERVICE: &str = "AWS CloudTrail";
/// The IAM action an account must allow for its bill to be read (Service Authorization Reference, "Actions
/// defined by AWS Cost Explorer Service").
pub const GRANT: &str = "ce:GetCostAndUsage";
/// Full calendar months read before the current month.
pub const FULL_MONTHS: u32 = 3;

/// Every configured account's CloudTrail bill, in configuration order. No account configured: no entry.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloudTrailBill {
    /// One entry per configured account.
    pub accounts: Vec<AccountBill>,
}

/// One configured account's bill, or why there is none.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountBill {
    /// The account as people know it: its configured name, role, profile or "default credentials".
    pub account: String,
    /// The bill, or why it could not be read.
    pub outcome: BillOutcome,
}

/// What asking Cost Explorer gave.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BillOutcome {
    /// The bill as Cost Explorer reports it.
    Read(Bill),
    /// Cost Explorer is not asked, or refuses: a state to show with what to grant, not an error.
    NoAccess(NoAccess),
    /// Cost Explorer could not be asked or answered with an error (throttled, no credentials, …).
    Failed {
        /// AWS's error code and message, or the SDK's cause.
        reason: String,
    },
}

/// Why there is no Cost Explorer access for an account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum NoAccess {
    /// The account's configuration does not set `cost_explorer = true`, so Cost Explorer (charged per request)
    /// is never asked.
    NotConfigured,
    /// Cost Explorer answered `AccessDeniedException`: the credentials may not call `ce:GetCostAndUsage`.
    AccessDenied {
        /// AWS's message.
        message: String,
    },
    /// Cost Explorer answered `AccessDeniedException` with "User not enabled for cost explorer access": Cost
    /// Explorer has never been enabled for the account (an account setting, not an IAM permission).
    NotEnabled {
        /// AWS's message.
        message: String,
    },
}

impl NoAccess {
    /// The refusal an `AccessDeniedException` with AWS's `message` stands for: Cost Explorer not enabled
    /// when AWS says "User not enabled for cost explorer access" (its only signal of that state), else a
    /// missing permission.
    pub fn of_access_denied(message: String) -> Self {
        if message
            .to_ascii_lowercase()
            .contains("not enabled for cost explorer")
        {
            Self::NotEnabled { message }
        } else {
            Self::AccessDenied { message }
        }
    }
}

impl fmt::Display for NoAccess {
    /// "no Cost Explorer access: …" with what to set or grant.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotConfigured => write!(
                f,
                "no Cost Explorer access: set cost_explorer = true on this account and allow {GRANT} to read the bill (each request costs $0.01)"
            ),
            Self::AccessDenied { message } => write!(
                f,
                "no Cost Explorer access: allow {GRANT} to these credentials (AWS said: {message})"
            ),
            Self::NotEnabled { message } => write!(
                f,
                "no Cost Explorer access: Cost Explorer is not enabled for this account. Enable it once by opening Cost Explorer in the AWS Billing and Cost Management console (of the organization's management account for its members); AWS then prepares the data, which takes up to 24 hours (AWS said: {message})"
            ),
        }
    }
}

/// One account's CloudTrail usage and cost, month by month.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bill {
    /// When Cost Explorer answered (seconds since the epoch); the answer is reused for a while.
    pub fetched_at_secs: i64,
    /// The months, oldest first: [`FULL_MONTHS`] full months, then the current month to date.
    pub months: Vec<BillMonth>,
    /// True when Cost Explorer had more pages than are read at once: the lines are incomplete.
    pub truncated: bool,
}

/// A calendar month (UTC, as Cost Explorer's periods are).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Month {
    /// The year, e.g. 2026.
    pub year: i32,
    /// 1–12.
    pub month: u32,
}

impl Month {
    /// The month of a `YYYY-MM-DD` date (Cost Explorer's `TimePeriod.Start`); `None` for other text.
    pub fn of_date(date: &str) -> Option<Self> {
        let mut parts = date.splitn(3, '-');
        let year: i32 = parts.next()?.parse().ok()?;
        let month: u32 = parts.next()?.parse().ok()?;
        let day: u32 = parts.next()?.parse().ok()?;
        ((1..=12).contains(&month) && (1..=31).contains(&day)).then_some(Self { year, month })
    }

    /// The month before this one.
    pub fn previous(self) -> Self {
        match self.month {
            1 => Self {
                year: self.year - 1,
                month: 12,
            },
            month => Self {
                year: self.year,
                month: month - 1,
            },
        }
    }

    /// The month after this one.
    pub fn next(self) -> Self {
        match self.month {
            12 => Self {
                year: self.year + 1,
                month: 1,
            },
            month => Self {
                year: self.year,
                month: month + 1,
            },
        }
    }

    /// The number of days in the month (28–31).
    pub fn days(self) -> u32 {
        let next = self.next();
        let days = crate::model::time::days_from_civil(i64::from(next.year), next.month, 1)
            - crate::model::time::days_from_civil(i64::from(self.year), self.month, 1);
        u32::try_from(days).unwrap_or(30)
    }

    /// Its first day as `YYYY-MM-01`.
    pub fn first_day(self) -> String {
        format!("{self}-01")
    }
}

impl fmt::Display for Month {
    /// `2026-11`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

/// One month of the bill.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillMonth {
    /// The month.
    pub month: Month,
    /// Only part of the month: the current month, up to today.
    pub to_date: bool,
    /// Cost Explorer's `Estimated`: the figures may still change (the month's bill is not final).
    pub estimated: bool,
    /// The lines, ordered by account, Region and class.
    pub lines: Vec<BillLine>,
}

/// One linked account × usage type of one month.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillLine {
    /// The 12-digit account the usage belongs to (Cost Explorer's `LINKED_ACCOUNT`: the account itself, or
    /// each member when the configured account is an organization's management account).
    pub account_id: String,
    /// The usage type as Cost Explorer names it, e.g. `USE1-PaidEventsRecorded`.
    pub usage_type: String,
    /// The Region the usage type's billing code stands for; `None` when it names no Region this build knows.
    pub region: Option<String>,
    /// What the usage type charges for.
    pub class: UsageClass,
    /// `UsageQuantity` in millionths of [`Self::quantity_unit`] (events, GB): exact, never a float.
    pub quantity_micros: i64,
    /// `UsageQuantity`'s unit as Cost Explorer gives it (e.g. `Events`, `GB`, `N/A`).
    pub quantity_unit: String,
    /// `UnblendedCost` in micro-dollars (USD × 1,000,000).
    pub cost_micro_usd: i64,
}

impl BillLine {
    /// The quantity in whole units (events), rounded half away from zero.
    pub fn quantity(&self) -> i64 {
        let units = self.quantity_micros / amount::MICROS_PER_UNIT;
        let rest = self.quantity_micros % amount::MICROS_PER_UNIT;
        units + (rest * 2 / amount::MICROS_PER_UNIT)
    }
}

/// Quantity and cost summed over lines.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UsageTotal {
    /// Summed `UsageQuantity`, in millionths of its unit.
    pub quantity_micros: i64,
    /// Summed `UnblendedCost`, in micro-dollars.
    pub cost_micro_usd: i64,
}

impl BillMonth {
    /// The month's CloudTrail cost in micro-dollars.
    pub fn cost_micro_usd(&self) -> i64 {
        self.lines.iter().map(|line| line.cost_micro_usd).sum()
    }

    /// The month by Region × class (linked accounts summed): what the estimate of the same month is set
    /// beside. A Region of `None` holds the usage types whose Region is unknown.
    pub fn by_region_and_class(&self) -> BTreeMap<(Option<String>, UsageClass), UsageTotal> {
        let mut totals: BTreeMap<(Option<String>, UsageClass), UsageTotal> = BTreeMap::new();
        for line in &self.lines {
            let total = totals
                .entry((line.region.clone(), line.class.clone()))
                .or_default();
            total.quantity_micros += line.quantity_micros;
            total.cost_micro_usd += line.cost_micro_usd;
        }
        totals
    }
}

/// The months a bill covers on `today` (a `(year, month)` in UTC): [`FULL_MONTHS`] full months before the
/// current one, then the current one; oldest first.
pub fn months_to_read(today: Month) -> Vec<Month> {
    let mut months = vec![today];
    for _ in 0..FULL_MONTHS {
        let earliest = months[0].previous();
        months.insert(0, earliest);
    }
    months
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(region: Option<&str>, class: UsageClass, quantity: i64, cost: i64) -> BillLine {
        BillLine {
            account_id: "111122223333".into(),
            usage_type: String::new(),
            region: region.map(str::to_owned),
            class,
            quantity_micros: quantity * amount::MICROS_PER_UNIT,
            quantity_unit: "Events".into(),
            cost_micro_usd: cost,
        }
    }

    #[test]
    fn the_three_full_months_before_this_one_and_this_one_are_read() {
        let months = months_to_read(Month {
            year: 2026,
            month: 2,
        });
        let shown: Vec<String> = months.iter().map(ToString::to_string).collect();
        assert_eq!(shown, ["2025-11", "2025-12", "2026-01", "2026-02"]);
        assert_eq!(months[0].first_day(), "2025-11-01");
        assert_eq!(months[3].next().first_day(), "2026-03-01");
        assert_eq!(
            Month::of_date("2026-11-01"),
            Some(Month {
                year: 2026,
                month: 11
            })
        );
        assert_eq!(Month::of_date("2026-13-01"), None);
        let days = |year, month| Month { year, month }.days();
        assert_eq!(
            (days(2026, 2), days(2028, 2), days(2026, 12), days(2026, 11)),
            (28, 29, 31, 30)
        );
        assert_eq!(Month::of_date("November"), None);
    }

    #[test]
    fn a_month_sums_linked_accounts_by_region_and_class() {
        let month = BillMonth {
            month: Month {
                year: 2026,
                month: 10,
            },
            to_date: false,
            estimated: false,
            lines: vec![
                line(
                    Some("us-east-1"),
                    UsageClass::PaidEvents,
                    400_000,
                    8_000_000,
                ),
                line(Some("us-east-1"), UsageClass::PaidEvents, 10_000, 200_000),
                line(Some("us-east-1"), UsageClass::FreeEvents, 900_000, 0),
                line(Some("eu-west-1"), UsageClass::PaidEvents, 1, 20),
            ],
        };
        assert_eq!(month.cost_micro_usd(), 8_200_020);
        let totals = month.by_region_and_class();
        assert_eq!(
            totals[&(Some("us-east-1".into()), UsageClass::PaidEvents)],
            UsageTotal {
                quantity_micros: 410_000 * amount::MICROS_PER_UNIT,
                cost_micro_usd: 8_200_000
            }
        );
        assert_eq!(totals.len(), 3);
        let mut half = line(None, UsageClass::DataEvents, 0, 0);
        half.quantity_micros = 2_500_000;
        assert_eq!(half.quantity(), 3);
    }

    #[test]
    fn no_access_reads_as_no_cost_explorer_access_with_what_to_grant() {
        // Missing configuration or permission: what to grant. Cost Explorer not enabled: how to enable it.
        for no_access in [
            NoAccess::NotConfigured,
            NoAccess::AccessDenied {
                message: "User is not authorized".into(),
            },
        ] {
            let shown = no_access.to_string();
            assert!(shown.starts_with("no Cost Explorer access"), "{shown}");
            assert!(shown.contains("ce:GetCostAndUsage"), "{shown}");
        }
        let shown = NoAccess::NotEnabled {
            message: "User not enabled for cost explorer access".into(),
        }
        .to_string();
        assert!(shown.starts_with("no Cost Explorer access"), "{shown}");
        assert!(
            NoAccess::NotConfigured
                .to_string()
                .contains("cost_explorer = true")
        );
        let not_enabled =
            NoAccess::of_access_denied("User not enabled for cost explorer access".into());
        assert!(matches!(not_enabled, NoAccess::NotEnabled { .. }));
        assert!(
            not_enabled
                .to_string()
                .contains("Enable it once by opening Cost Explorer")
        );
        let denied = NoAccess::of_access_denied("User: x is not authorized to perform".into());
        assert!(matches!(denied, NoAccess::AccessDenied { .. }));
    }
}
