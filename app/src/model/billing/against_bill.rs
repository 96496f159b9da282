//! The estimate set beside CloudTrail's real bill (issue 12, §7): per Region and Cost Explorer usage class, the
//! estimate's month (30 days) against each month Cost Explorer reports, and the differences the model can
//! explain, as typed facts ([`Reason`]) whose words are rendered here, once. The estimate compared is the one
//! without what-if changes: the bill is what the trails as configured cost.
mod reasons;

use super::breakdown::{Estimate, LineItem};
use super::compact_count;
use super::inputs::Inputs;
use super::money::MicroUsd;
use super::prices::Prices;
use crate::model::cost_explorer::{
    BillOutcome, CloudTrailBill, GRANT, Month, NoAccess, UsageClass,
};
use crate::model::time::{DAY, civil_from_days};
pub use reasons::Reason;
use reasons::{ReasonInputs, reasons};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The Cost Explorer usage class a line item is billed under, or `None` for the lines CloudTrail's bill does
/// not hold: CloudWatch Logs ingestion is billed by CloudWatch, log file storage by S3 (CloudTrail pricing page:
/// "Amazon S3 and CloudWatch Logs charges apply").
pub fn usage_class(item: LineItem) -> Option<UsageClass> {
    match item {
        LineItem::FreeCopy => Some(UsageClass::FreeEvents),
        LineItem::PaidCopy => Some(UsageClass::PaidEvents),
        LineItem::DataEvents => Some(UsageClass::DataEvents),
        LineItem::NetworkActivity => Some(UsageClass::NetworkEvents),
        LineItem::InsightsManagement => Some(UsageClass::InsightsEvents),
        LineItem::InsightsData => Some(UsageClass::DataInsightsEvents),
        LineItem::CloudWatchLogs | LineItem::S3Storage => None,
    }
}

/// Usage and its cost: events (or Cost Explorer's unit) and micro-dollars.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Usage {
    /// Whole units: events for the event classes, else Cost Explorer's unit (GB).
    pub quantity: i64,
    /// The cost.
    pub cost: MicroUsd,
}

/// A month of the bill as the comparison shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MonthHead {
    /// The calendar month.
    pub month: Month,
    /// Days it covers: the whole month, or the days up to yesterday for the current month.
    pub days: u32,
    /// The current month, up to yesterday.
    pub to_date: bool,
    /// Cost Explorer marks its figures estimated (the month's bill is not final).
    pub estimated: bool,
}

/// One Region and usage class: the estimate's month and each month of the bill.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillRow {
    /// The Region; `None` for usage types naming a Region this build does not know.
    pub region: Option<String>,
    /// The usage class.
    pub class: UsageClass,
    /// The estimate of a month (30 days); `None` for a class the model does not estimate (CloudTrail Lake).
    pub estimate: Option<Usage>,
    /// One per [`AgainstBill::months`], zero where the bill has nothing.
    pub months: Vec<Usage>,
}

/// An account whose bill was not read, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Unread {
    /// Cost Explorer is not asked, or refused.
    NoAccess(NoAccess),
    /// Asking failed.
    Failed {
        /// AWS's error or the SDK's cause.
        reason: String,
    },
}

impl Unread {
    /// What to do, in words.
    pub fn words(&self) -> String {
        match self {
            Self::NoAccess(no_access) => no_access.to_string(),
            Self::Failed { reason } => {
                format!("Cost Explorer could not be asked ({reason}); it is asked again later.")
            }
        }
    }
}

/// The estimate beside the bill of every configured account whose bill was read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgainstBill {
    /// No AWS account is configured (the demo): there is no bill to read.
    pub no_account: bool,
    /// The accounts (as configured) whose bill was not read, and why.
    pub unread: Vec<(String, Unread)>,
    /// The bill's months, oldest first (empty when no bill was read).
    pub months: Vec<MonthHead>,
    /// One per Region and class in the estimate or the bill, by Region then class.
    pub rows: Vec<BillRow>,
    /// The estimate's month of the classes on CloudTrail's bill.
    pub estimate_total: MicroUsd,
    /// Each month's CloudTrail cost.
    pub month_totals: Vec<MicroUsd>,
    /// The differences explained (empty when no bill was read).
    pub reasons: Vec<Reason>,
}

/// Sets `base` (the estimate of `inputs` at `prices` without what-if changes, volumes measured over
/// `window_secs`) beside every bill read in `bill`. A linked account reported by two configured accounts
/// (an organization's management account and the member itself) is counted once, from the first.
pub fn against_bill(
    bill: &CloudTrailBill,
    inputs: &Inputs,
    prices: &Prices,
    base: &Estimate,
    window_secs: i64,
) -> AgainstBill {
    let mut unread = Vec::new();
    let mut months: BTreeMap<Month, MonthHead> = BTreeMap::new();
    let mut billed: BTreeMap<(Option<String>, UsageClass), BTreeMap<Month, Usage>> =
        BTreeMap::new();
    let mut seen: BTreeMap<Month, BTreeSet<&str>> = BTreeMap::new();
    let mut bill_accounts: BTreeSet<&str> = BTreeSet::new();
    let mut truncated = false;
    for account in &bill.accounts {
        let read = match &account.outcome {
            BillOutcome::Read(read) => read,
            BillOutcome::NoAccess(n) => {
                unread.push((account.account.clone(), Unread::NoAccess(n.clone())));
                continue;
            }
            BillOutcome::Failed { reason } => {
                let why = Unread::Failed {
                    reason: reason.clone(),
                };
                unread.push((account.account.clone(), why));
                continue;
            }
        };
        truncated |= read.truncated;
        let (_, _, today) = civil_from_days(read.fetched_at_secs.div_euclid(DAY));
        for m in &read.months {
            let head = months.entry(m.month).or_insert(MonthHead {
                month: m.month,
                days: if m.to_date {
                    today.saturating_sub(1)
                } else {
                    m.month.days()
                },
                to_date: m.to_date,
                estimated: false,
            });
            head.estimated |= m.estimated;
            let mine: BTreeSet<&str> = m.lines.iter().map(|l| l.account_id.as_str()).collect();
            let earlier = seen.entry(m.month).or_default();
            for line in m
                .lines
                .iter()
                .filter(|l| !earlier.contains(l.account_id.as_str()))
            {
                bill_accounts.insert(&line.account_id);
                let usage = billed
                    .entry((line.region.clone(), line.class.clone()))
                    .or_default()
                    .entry(m.month)
                    .or_default();
                usage.quantity += line.quantity();
                usage.cost += MicroUsd(line.cost_micro_usd);
            }
            earlier.extend(mine);
        }
    }
    let mut estimated: BTreeMap<(Option<String>, UsageClass), Usage> = BTreeMap::new();
    let mut off_bill = MicroUsd::ZERO;
    let mut item_costs: BTreeMap<LineItem, MicroUsd> = BTreeMap::new();
    for line in &base.lines {
        *item_costs.entry(line.item).or_default() += line.cost;
        let Some(class) = usage_class(line.item) else {
            off_bill += line.cost;
            continue;
        };
        let region = base.regions.get(line.region).map(|r| r.name.clone());
        let usage = estimated.entry((region, class)).or_default();
        usage.quantity += i64::try_from(line.quantity).unwrap_or(i64::MAX);
        usage.cost += line.cost;
    }
    let months: Vec<MonthHead> = months.into_values().collect();
    let keys: BTreeSet<(Option<String>, UsageClass)> =
        billed.keys().chain(estimated.keys()).cloned().collect();
    let rows: Vec<BillRow> = keys
        .into_iter()
        .map(|key| {
            let by_month = billed.get(&key);
            BillRow {
                estimate: key
                    .1
                    .counts_events()
                    .then(|| estimated.get(&key).copied().unwrap_or_default()),
                months: months
                    .iter()
                    .map(|h| {
                        by_month
                            .and_then(|b| b.get(&h.month))
                            .copied()
                            .unwrap_or_default()
                    })
                    .collect(),
                region: key.0,
                class: key.1,
            }
        })
        .collect();
    let month_totals = (0..months.len())
        .map(|i| rows.iter().map(|r| r.months[i].cost).sum())
        .collect();
    let estimate_total = estimated.values().map(|u| u.cost).sum();
    let reasons = if months.is_empty() {
        Vec::new()
    } else {
        reasons(ReasonInputs {
            inputs,
            prices,
            base,
            window_secs,
            months: &months,
            rows: &rows,
            off_bill,
            item_costs: &item_costs,
            bill_accounts: &bill_accounts,
            truncated,
        })
    };
    AgainstBill {
        no_account: bill.accounts.is_empty(),
        unread,
        months,
        rows,
        estimate_total,
        month_totals,
        reasons,
    }
}

impl Usage {
    /// "1.2M events · $2.40" (or the quantity alone in Cost Explorer's unit for other classes).
    pub fn display(&self, class: &UsageClass) -> String {
        let quantity = u64::try_from(self.quantity).unwrap_or(0);
        if class.counts_events() {
            format!(
                "{} events · {}",
                compact_count(quantity),
                self.cost.display()
            )
        } else {
            format!("{quantity} · {}", self.cost.display())
        }
    }
}

/// Explains an absent bill in words: the demo (no account configured), or per account why not.
pub fn no_account_words() -> String {
    format!(
        "No AWS account is configured, so there is no bill to set the estimate beside (the demo reads a local archive). Add an [[accounts]] entry with cost_explorer = true and allow {GRANT} to see CloudTrail's real bill here."
    )
}
