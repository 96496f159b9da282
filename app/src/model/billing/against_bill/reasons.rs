//! Why the estimate and the bill differ (issue 12, §7): the facts ([`Reason`]) found by [`reasons`] from the
//! estimate, the prices and the bill read, each rendered once in words by [`Reason::words`].
use super::{BillRow, MonthHead, usage_class};
use crate::model::billing::MONTH_DAYS;
use crate::model::billing::breakdown::{Estimate, LineItem};
use crate::model::billing::inputs::{Basis, Inputs};
use crate::model::billing::money::MicroUsd;
use crate::model::billing::prices::{Confidence, PriceItem, Prices};
use crate::model::cost_explorer::{Month, UsageClass};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Why the estimate and the bill differ, as far as the model knows. Each is rendered by [`Reason::words`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reason {
    /// The estimate is 30 days of volumes measured over `window_secs` (0: nothing measured); the bill's months
    /// are calendar months of 28–31 days, and report what happened then, not now.
    Window {
        /// The measured window, in seconds.
        window_secs: i64,
    },
    /// The current month covers only its first days.
    MonthToDate {
        /// The month.
        month: Month,
        /// Its days so far.
        days: u32,
    },
    /// Cost Explorer says these months' figures are estimated and may still change.
    EstimatedByAws {
        /// The months.
        months: Vec<Month>,
    },
    /// CloudWatch Logs ingestion and S3 storage are in the estimate but billed by CloudWatch and S3.
    NotOnTheCloudTrailBill {
        /// Their estimated cost per month.
        cost: MicroUsd,
    },
    /// The bill has usage the model does not estimate (CloudTrail Lake, unknown usage types).
    NotEstimated {
        /// The classes.
        classes: Vec<UsageClass>,
    },
    /// Trails log data events, but the store measured none of theirs: their log files are not ingested (or
    /// nothing happened), so the bill's data events are missing from the estimate.
    DataEventsNotIngested {
        /// The trails' names.
        trails: Vec<String>,
    },
    /// Some volumes are entered by hand (`billing_volumes`), not measured.
    EnteredVolumes,
    /// Some prices are set in the configuration (`billing_prices`) instead of AWS's.
    PricesConfigured {
        /// The items.
        items: Vec<PriceItem>,
    },
    /// Some of the estimate's prices are known only from secondary sources.
    SecondaryPrices {
        /// The items with a cost in the estimate.
        items: Vec<PriceItem>,
    },
    /// The bill names accounts the store has no events of.
    AccountsOnlyInBill {
        /// Their IDs.
        accounts: Vec<String>,
    },
    /// The store has events of accounts no bill read covers (not configured for Cost Explorer, or refused).
    AccountsOnlyInEstimate {
        /// Their IDs.
        accounts: Vec<String>,
    },
    /// Cost Explorer had more pages than are read at once: the bill is incomplete.
    Truncated,
}

fn list(items: &[String]) -> String {
    items.join(", ")
}

impl Reason {
    /// The fact in a sentence.
    pub fn words(&self) -> String {
        match self {
            Self::Window { window_secs: 0 } => format!(
                "The estimate is a {MONTH_DAYS}-day month, but the store holds no events yet: only volumes entered by hand count."
            ),
            Self::Window { window_secs } => format!(
                "The estimate is a {MONTH_DAYS}-day month of the volumes {}; the bill's months are calendar months of 28 to 31 days, with the volumes of their own time.",
                Basis::Measured {
                    window_secs: *window_secs
                }
                .label()
            ),
            Self::MonthToDate { month, days } => {
                format!("{month} is the current month: the bill covers only its first {days} days.")
            }
            Self::EstimatedByAws { months } => format!(
                "Cost Explorer marks {} as estimated: AWS may still change those figures.",
                list(&months.iter().map(ToString::to_string).collect::<Vec<_>>())
            ),
            Self::NotOnTheCloudTrailBill { cost } => format!(
                "CloudWatch Logs ingestion and S3 storage ({} of the estimate) are billed by CloudWatch and S3, not on CloudTrail's bill, so they are left out here.",
                cost.display()
            ),
            Self::NotEstimated { classes } => format!(
                "The bill has usage the model does not estimate: {}.",
                list(&classes.iter().map(ToString::to_string).collect::<Vec<_>>())
            ),
            Self::DataEventsNotIngested { trails } => format!(
                "{} log data events, but the store measured none of theirs: their log files are not ingested, so their data events are missing from the estimate. Enter their volumes in billing_volumes.",
                list(trails)
            ),
            Self::EnteredVolumes => {
                "Some volumes are entered by hand in billing_volumes, not measured.".to_owned()
            }
            Self::PricesConfigured { items } => format!(
                "Prices set in billing_prices replace AWS's for {}: the bill is charged at AWS's.",
                list(&items.iter().map(|i| i.key().to_owned()).collect::<Vec<_>>())
            ),
            Self::SecondaryPrices { items } => format!(
                "The prices of {} are known only from secondary sources and may differ from AWS's.",
                list(&items.iter().map(|i| i.key().to_owned()).collect::<Vec<_>>())
            ),
            Self::AccountsOnlyInBill { accounts } => format!(
                "The bill covers accounts the store has no events of: {}.",
                list(accounts)
            ),
            Self::AccountsOnlyInEstimate { accounts } => format!(
                "The estimate covers accounts no bill read covers: {}.",
                list(accounts)
            ),
            Self::Truncated => {
                "Cost Explorer had more pages than are read at once: the bill shown is incomplete."
                    .to_owned()
            }
        }
    }
}

/// What [`reasons`] reads.
pub(super) struct ReasonInputs<'a> {
    pub(super) inputs: &'a Inputs,
    pub(super) prices: &'a Prices,
    pub(super) base: &'a Estimate,
    pub(super) window_secs: i64,
    pub(super) months: &'a [MonthHead],
    pub(super) rows: &'a [BillRow],
    pub(super) off_bill: MicroUsd,
    pub(super) item_costs: &'a BTreeMap<LineItem, MicroUsd>,
    pub(super) bill_accounts: &'a BTreeSet<&'a str>,
    pub(super) truncated: bool,
}

/// The facts that explain a difference, in the order they are shown.
pub(super) fn reasons(r: ReasonInputs<'_>) -> Vec<Reason> {
    let mut out = vec![Reason::Window {
        window_secs: r.window_secs,
    }];
    if let Some(current) = r.months.iter().find(|m| m.to_date) {
        out.push(Reason::MonthToDate {
            month: current.month,
            days: current.days,
        });
    }
    let estimated: Vec<Month> = r
        .months
        .iter()
        .filter(|m| m.estimated)
        .map(|m| m.month)
        .collect();
    if !estimated.is_empty() {
        out.push(Reason::EstimatedByAws { months: estimated });
    }
    if r.off_bill > MicroUsd::ZERO {
        out.push(Reason::NotOnTheCloudTrailBill { cost: r.off_bill });
    }
    let not_estimated: BTreeSet<UsageClass> = r
        .rows
        .iter()
        .filter(|row| row.estimate.is_none() && row.months.iter().any(|u| u.cost.0 != 0))
        .map(|row| row.class.clone())
        .collect();
    if !not_estimated.is_empty() {
        out.push(Reason::NotEstimated {
            classes: not_estimated.into_iter().collect(),
        });
    }
    let with_data: BTreeSet<usize> = r
        .base
        .lines
        .iter()
        .filter(|l| l.item == LineItem::DataEvents)
        .map(|l| l.trail)
        .collect();
    let silent: Vec<String> = r
        .inputs
        .trails
        .iter()
        .enumerate()
        .filter(|(t, trail)| {
            trail.is_logging
                && trail.selectors.data.iter().any(|d| d.read || d.write)
                && !with_data.contains(t)
        })
        .map(|(_, trail)| trail.name.clone())
        .collect();
    if !silent.is_empty() {
        out.push(Reason::DataEventsNotIngested { trails: silent });
    }
    if r.inputs.volumes.iter().any(|v| v.basis == Basis::Entered) {
        out.push(Reason::EnteredVolumes);
    }
    let with_confidence = |confidence: Confidence| -> Vec<PriceItem> {
        PriceItem::ALL
            .iter()
            .copied()
            .filter(|&item| {
                std::iter::once(r.prices.items.get(&item))
                    .chain(r.prices.regions.values().map(|p| p.get(&item)))
                    .flatten()
                    .any(|f| f.confidence == confidence)
            })
            .collect()
    };
    let configured = with_confidence(Confidence::Configured);
    if !configured.is_empty() {
        out.push(Reason::PricesConfigured { items: configured });
    }
    let priced = |item: PriceItem| {
        LineItem::ALL.iter().any(|&l| {
            l.price_item() == Some(item)
                && usage_class(l).is_some()
                && r.item_costs.get(&l).is_some_and(|c| *c > MicroUsd::ZERO)
        })
    };
    let secondary: Vec<PriceItem> = with_confidence(Confidence::Secondary)
        .into_iter()
        .filter(|&item| priced(item))
        .collect();
    if !secondary.is_empty() {
        out.push(Reason::SecondaryPrices { items: secondary });
    }
    let estimate_accounts: BTreeSet<&str> = r
        .base
        .lines
        .iter()
        .filter(|l| l.cost > MicroUsd::ZERO || l.item == LineItem::FreeCopy)
        .filter_map(|l| r.base.accounts.get(l.account).map(|a| a.name.as_str()))
        .collect();
    let only_bill: Vec<String> = r
        .bill_accounts
        .difference(&estimate_accounts)
        .map(|a| (*a).to_owned())
        .collect();
    if !only_bill.is_empty() {
        out.push(Reason::AccountsOnlyInBill {
            accounts: only_bill,
        });
    }
    let only_estimate: Vec<String> = estimate_accounts
        .difference(r.bill_accounts)
        .map(|a| (*a).to_owned())
        .collect();
    if !only_estimate.is_empty() {
        out.push(Reason::AccountsOnlyInEstimate {
            accounts: only_estimate,
        });
    }
    if r.truncated {
        out.push(Reason::Truncated);
    }
    out
}
