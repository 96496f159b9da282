//! The estimate's shape: a total, subtotals per trail, account, Region and line item, and the lines
//! themselves, each with the inputs of its formula so a page or a terminal can show how it was reached.
use super::change::Change;
use super::inputs::Basis;
use super::money::{MicroUsd, Rate, compact_bytes, compact_count};
use super::prices::PriceItem;
use serde::{Deserialize, Serialize};

/// A month of CloudTrail charges.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// The date of the prices used (`YYYY-MM-DD`).
    pub prices_as_of: String,
    /// The what-if changes applied, in order.
    pub changes: Vec<Change>,
    /// Every line item added up.
    pub total: MicroUsd,
    /// Every trail of the inputs, in their order; lines name them by index.
    pub trails: Vec<TrailSubtotal>,
    /// Every account with events, sorted; lines name them by index.
    pub accounts: Vec<Subtotal>,
    /// Every Region with events, sorted; lines name them by index.
    pub regions: Vec<Subtotal>,
    /// One per line item kind, in [`LineItem::ALL`] order.
    pub items: Vec<ItemSubtotal>,
    /// One per trail, account, Region, item and copy, sorted in that order.
    pub lines: Vec<Line>,
    /// Events per month no trail delivers (only Event History holds them: free, and not archived).
    pub undelivered_events: u64,
}

/// A trail's share.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrailSubtotal {
    /// `TrailARN`.
    pub trail_arn: String,
    /// `Name`.
    pub name: String,
    /// The account that owns it.
    pub home_account: String,
    /// Its home Region.
    pub home_region: String,
    /// Whether it delivers anything (false when stopped, or turned off by a change).
    pub is_logging: bool,
    /// Its lines added up.
    pub cost: MicroUsd,
}

/// An account's or a Region's share.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Subtotal {
    /// The account ID or Region code.
    pub name: String,
    /// Its lines added up.
    pub cost: MicroUsd,
}

/// A line item kind's share.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ItemSubtotal {
    /// The kind.
    pub item: LineItem,
    /// Its lines' quantities added up (events, events analyzed, or bytes).
    pub quantity: u64,
    /// Its lines added up.
    pub cost: MicroUsd,
}

/// What a line charges for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LineItem {
    /// The first delivery of management events in an account and Region: free.
    FreeCopy,
    /// A further delivery of management events.
    PaidCopy,
    /// Data events delivered (every delivery is charged).
    DataEvents,
    /// Network activity events delivered (always charged).
    NetworkActivity,
    /// Management events analyzed by Insights.
    InsightsManagement,
    /// Data events analyzed by Insights.
    InsightsData,
    /// Events ingested into the trail's CloudWatch Logs log group.
    CloudWatchLogs,
    /// The trail's log files stored in S3 for a month.
    S3Storage,
}

impl LineItem {
    /// Every kind, in display order.
    pub const ALL: [Self; 8] = [
        Self::FreeCopy,
        Self::PaidCopy,
        Self::DataEvents,
        Self::NetworkActivity,
        Self::InsightsManagement,
        Self::InsightsData,
        Self::CloudWatchLogs,
        Self::S3Storage,
    ];

    /// The price file's item a line is charged at (`None` for the free first copy).
    pub fn price_item(self) -> Option<PriceItem> {
        match self {
            Self::FreeCopy => None,
            Self::PaidCopy => Some(PriceItem::PaidManagementCopy),
            Self::DataEvents => Some(PriceItem::DataEvents),
            Self::NetworkActivity => Some(PriceItem::NetworkActivityEvents),
            Self::InsightsManagement => Some(PriceItem::InsightsManagement),
            Self::InsightsData => Some(PriceItem::InsightsData),
            Self::CloudWatchLogs => Some(PriceItem::CloudwatchLogsIngestion),
            Self::S3Storage => Some(PriceItem::S3Storage),
        }
    }

    /// A few words, e.g. "paid copies".
    pub fn label(self) -> &'static str {
        match self {
            Self::FreeCopy => "free first copy",
            Self::PaidCopy => "paid copies",
            Self::DataEvents => "data events",
            Self::NetworkActivity => "network activity events",
            Self::InsightsManagement => "Insights on management events",
            Self::InsightsData => "Insights on data events",
            Self::CloudWatchLogs => "CloudWatch Logs ingestion",
            Self::S3Storage => "S3 storage",
        }
    }
}

/// One charge and the inputs of its formula: `cost = quantity × rate` (rounded to the micro-dollar).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Line {
    /// Index into [`Estimate::trails`].
    pub trail: usize,
    /// Index into [`Estimate::accounts`]: the account the events happened in.
    pub account: usize,
    /// Index into [`Estimate::regions`]: the Region the events happened in.
    pub region: usize,
    /// What it charges for.
    pub item: LineItem,
    /// For management copies, which delivery of the events this is (1 = first, free); 0 otherwise.
    pub copy: u32,
    /// Read events behind the line (delivered, or watched by Insights).
    pub read_events: u64,
    /// Write events behind the line.
    pub write_events: u64,
    /// What the rate multiplies: events delivered, events analyzed (Insights), or bytes.
    pub quantity: u64,
    /// The price applied.
    pub rate: Rate,
    /// `quantity × rate`.
    pub cost: MicroUsd,
    /// Whether the volumes behind it were measured or entered.
    pub basis: Basis,
}

/// "1st", "2nd", "3rd", "4th"…
pub fn ordinal(n: u32) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    format!("{n}{suffix}")
}

impl Estimate {
    /// The line's formula in words, e.g. "prod-audit in us-east-1: 4.1M management events, 2nd copy →
    /// 4.1M × $2.00/100k = $82.00".
    pub fn formula(&self, line: &Line) -> String {
        let trail = self.trails.get(line.trail).map_or("?", |t| t.name.as_str());
        let region = self
            .regions
            .get(line.region)
            .map_or("?", |r| r.name.as_str());
        let events = compact_count(line.read_events + line.write_events);
        let what = match line.item {
            LineItem::FreeCopy => format!("{events} management events, 1st copy (free)"),
            LineItem::PaidCopy => {
                format!("{events} management events, {} copy", ordinal(line.copy))
            }
            LineItem::DataEvents => format!("{events} data events"),
            LineItem::NetworkActivity => format!("{events} network activity events"),
            LineItem::InsightsManagement => format!(
                "Insights on {} read and {} write management events: {} analyzed",
                compact_count(line.read_events),
                compact_count(line.write_events),
                compact_count(line.quantity)
            ),
            LineItem::InsightsData => format!(
                "Insights on {events} data events: {} analyzed",
                compact_count(line.quantity)
            ),
            LineItem::CloudWatchLogs => {
                format!(
                    "{events} events to CloudWatch Logs, {}",
                    compact_bytes(line.quantity)
                )
            }
            LineItem::S3Storage => {
                format!(
                    "{events} events in S3, {} for a month",
                    compact_bytes(line.quantity)
                )
            }
        };
        let quantity = match line.item {
            LineItem::CloudWatchLogs | LineItem::S3Storage => compact_bytes(line.quantity),
            _ => compact_count(line.quantity),
        };
        format!(
            "{trail} in {region}: {what} → {quantity} × {} = {}",
            line.rate.display(),
            line.cost.display()
        )
    }
}
