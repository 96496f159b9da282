//! Billing (issue 12): what CloudTrail costs per month, per trail, account, Region and line item, from the
//! trails' selectors as typed facts and the event volumes the store measured (or that were entered), and
//! what a change would save. Pure, so the server and the browser (what-if, in WASM) run the same model.
//!
//! - `inputs`: the trails as billing sees them, volumes per account × Region × event class, log file sizes;
//! - `rules`: which events a trail delivers, and how often Insights analyzes them (each rule with its AWS
//!   page);
//! - `prices`: the price file (`prices.json`) with date, source and confidence, overridable;
//! - `daily`: the measured volumes by kind and day, which the page charts;
//! - `change`: what-if changes, with a text form for query strings;
//! - `estimate` / `breakdown`: the computation and its result, every line with its formula's inputs;
//! - `savings`: proposed changes, each priced by re-running the estimate;
//! - `against_bill`: the estimate beside CloudTrail's real bill from Cost Explorer, differences explained;
//! - `money`: integer micro-dollars and rates; rounding to the cent only when displayed.
mod against_bill;
mod breakdown;
mod change;
mod daily;
mod estimate;
mod inputs;
mod money;
mod prices;
mod rules;
mod savings;
#[cfg(test)]
mod tests;

pub use against_bill::{
    AgainstBill, BillRow, MonthHead, Reason, Unread, Usage, against_bill, no_account_words,
    usage_class,
};
pub use breakdown::{Estimate, ItemSubtotal, Line, LineItem, Subtotal, TrailSubtotal, ordinal};
pub use change::{Change, RuleChange, apply_all};
pub use daily::{DailyVolume, VolumeKind};
pub use estimate::estimate;
pub use inputs::{
    Basis, BillingTrail, EventClass, EventSize, Inputs, ResourceTypeName, Volume, data_resource,
    trails_from_snapshot,
};
pub use money::{GB_BYTES, MicroUsd, Rate, Unit, compact_bytes, compact_count, group_thousands};
pub use prices::{Confidence, PriceFigure, PriceItem, PriceOverride, Prices, RegionRates};
pub use rules::{delivers, insights_passes, logs_own_bucket};
pub use savings::{STEP_BUDGET_MS, Saving, SavingKind, Savings, SavingsRun, savings};

/// Days a month has in every estimate: measured volumes are scaled to this many days.
pub const MONTH_DAYS: i64 = 30;
