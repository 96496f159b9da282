//! Prices with their date, source and confidence, from `prices.json` (compiled in), per Region where they
//! differ, and overridable: the server's `billing_prices` configuration key applies [`PriceOverride`]s.
use super::money::{MicroUsd, Rate, Unit};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The price file: `app/src/model/billing/prices.json`.
const PRICES_JSON: &str = include_str!("prices.json");

/// Everything the estimate is priced with.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Prices {
    /// When the figures were last checked, `YYYY-MM-DD`.
    pub as_of: String,
    /// Always `USD`.
    pub currency: String,
    /// What the figures are (Region, pricing plan).
    pub note: String,
    /// The default figure of each item.
    pub items: BTreeMap<PriceItem, PriceFigure>,
    /// Figures that differ in a Region: Region code → item → figure.
    #[serde(default)]
    pub regions: BTreeMap<String, BTreeMap<PriceItem, PriceFigure>>,
}

/// What is priced.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PriceItem {
    /// A copy of a management event after the first in its account and Region.
    PaidManagementCopy,
    /// A delivery of a data event.
    DataEvents,
    /// A delivery of a network activity event.
    NetworkActivityEvents,
    /// A management event analyzed by Insights.
    InsightsManagement,
    /// A data event analyzed by Insights.
    InsightsData,
    /// A GB of events ingested into CloudWatch Logs.
    CloudwatchLogsIngestion,
    /// A GB-month of log files in S3.
    S3Storage,
}

impl PriceItem {
    /// Every item, in file order.
    pub const ALL: [Self; 7] = [
        Self::PaidManagementCopy,
        Self::DataEvents,
        Self::NetworkActivityEvents,
        Self::InsightsManagement,
        Self::InsightsData,
        Self::CloudwatchLogsIngestion,
        Self::S3Storage,
    ];

    /// The item's key in the price file and in `billing_prices`, e.g. `paid_management_copy`.
    pub fn key(self) -> &'static str {
        match self {
            Self::PaidManagementCopy => "paid_management_copy",
            Self::DataEvents => "data_events",
            Self::NetworkActivityEvents => "network_activity_events",
            Self::InsightsManagement => "insights_management",
            Self::InsightsData => "insights_data",
            Self::CloudwatchLogsIngestion => "cloudwatch_logs_ingestion",
            Self::S3Storage => "s3_storage",
        }
    }

    /// The item of a key, if it is one.
    pub fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|item| item.key() == key)
    }
}

/// One price with where it comes from.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PriceFigure {
    /// The price of `per` units, in dollars as written (`"2.00"`).
    pub price_usd: String,
    /// Units the price is for.
    pub per: u64,
    /// What the units are.
    pub unit: Unit,
    /// The page the figure comes from.
    pub source: String,
    /// How sure the figure is.
    pub confidence: Confidence,
    /// What it prices and anything to know.
    pub note: String,
}

impl PriceFigure {
    /// The figure as a rate. Errors: its `price_usd` is not an amount of dollars.
    pub fn rate(&self) -> Result<Rate, String> {
        Ok(Rate {
            price: MicroUsd::parse_usd(&self.price_usd)?,
            per: self.per,
            unit: self.unit,
        })
    }
}

/// How a figure is known; the UI says so for anything not primary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// Stated on the AWS pricing page or in the AWS documentation.
    Primary,
    /// Known only from secondary sources (AWS Price List extracts, third-party summaries).
    Secondary,
    /// Set in this installation's configuration.
    Configured,
}

/// One `billing_prices` entry: an item's price (in dollars per the file's unit), for every Region or one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PriceOverride {
    /// The item.
    pub item: PriceItem,
    /// `None` for every Region.
    pub region: Option<String>,
    /// The new price of the item's `per` units.
    pub price: MicroUsd,
}

/// The rates of one Region, resolved.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RegionRates {
    rates: [Rate; 7],
}

impl RegionRates {
    /// The rate of an item.
    pub fn get(&self, item: PriceItem) -> Rate {
        self.rates[item as usize]
    }
}

impl Prices {
    /// The compiled-in price file. Errors: it does not parse (a test keeps it parsing) or lacks an item.
    pub fn builtin() -> Result<Self, String> {
        let prices: Self = serde_json::from_str(PRICES_JSON)
            .map_err(|e| format!("app/src/model/billing/prices.json: {e}"))?;
        prices.check()?;
        Ok(prices)
    }

    /// Checks every figure reads as a rate, the defaults and each Region's. Errors: the first that does
    /// not, named.
    pub fn check(&self) -> Result<(), String> {
        self.rates_for("")?;
        self.regions
            .keys()
            .try_for_each(|region| self.rates_for(region).map(|_| ()))
    }

    /// The rates of a Region; a Region whose figures do not read (which [`Prices::check`] refuses) gets
    /// the defaults, and defaults that do not read are zero.
    pub fn rates_in(&self, region: &str) -> RegionRates {
        self.rates_for(region)
            .or_else(|_| self.rates_for(""))
            .unwrap_or(RegionRates {
                rates: [Rate::per_100k_events(MicroUsd::ZERO); 7],
            })
    }

    /// The figure of an item in a Region (the Region's own when it has one).
    pub fn figure(&self, item: PriceItem, region: &str) -> Option<&PriceFigure> {
        self.regions
            .get(region)
            .and_then(|r| r.get(&item))
            .or_else(|| self.items.get(&item))
    }

    /// Every rate of a Region. Errors: an item without a figure, or a figure that is not an amount,
    /// naming the item.
    pub fn rates_for(&self, region: &str) -> Result<RegionRates, String> {
        let mut rates = [Rate::per_100k_events(MicroUsd::ZERO); 7];
        for item in PriceItem::ALL {
            let figure = self
                .figure(item, region)
                .ok_or_else(|| format!("prices: no figure for {}", item.key()))?;
            rates[item as usize] = figure
                .rate()
                .map_err(|e| format!("prices: {}: {e}", item.key()))?;
        }
        Ok(RegionRates { rates })
    }

    /// These prices with configured overrides applied, each marked [`Confidence::Configured`] with
    /// `source` naming where it was set.
    pub fn with_overrides(mut self, overrides: &[PriceOverride], source: &str) -> Self {
        for o in overrides {
            let Some(base) = self.items.get(&o.item).cloned() else {
                continue;
            };
            let figure = PriceFigure {
                price_usd: format!("{}.{:06}", o.price.0 / 1_000_000, o.price.0 % 1_000_000),
                source: source.to_owned(),
                confidence: Confidence::Configured,
                note: format!(
                    "Set in the configuration; the file said ${}.",
                    base.price_usd
                ),
                ..base
            };
            match &o.region {
                None => {
                    self.items.insert(o.item, figure);
                }
                Some(region) => {
                    self.regions
                        .entry(region.clone())
                        .or_default()
                        .insert(o.item, figure);
                }
            }
        }
        self
    }
}
