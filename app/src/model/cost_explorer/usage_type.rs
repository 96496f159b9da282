//! CloudTrail's Cost Explorer usage types (`USE1-PaidEventsRecorded`, `EU-DataEventsRecorded`, …) read as a
//! Region and a typed [`UsageClass`]. The usage types are listed in the CloudTrail User Guide, "Viewing your
//! CloudTrail cost and usage with AWS Cost Explorer", and in the AWS Price List of the `AWSCloudTrail` service
//! code (<https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AWSCloudTrail/current/index.json>), which
//! names each usage type's Region; the prefix is the Region's billing code.
use serde::{Deserialize, Serialize};
use std::fmt;

/// The billing code that starts a usage type, and the Region it stands for. eu-west-1 kept its first code,
/// `EU`; the others are the Price List's `usageType` prefixes beside its `Region Code`.
pub const BILLING_CODES: &[(&str, &str)] = &[
    ("AFS1", "af-south-1"),
    ("APE1", "ap-east-1"),
    ("APE2", "ap-east-2"),
    ("APN1", "ap-northeast-1"),
    ("APN2", "ap-northeast-2"),
    ("APN3", "ap-northeast-3"),
    ("APS1", "ap-southeast-1"),
    ("APS2", "ap-southeast-2"),
    ("APS3", "ap-south-1"),
    ("APS4", "ap-southeast-3"),
    ("APS5", "ap-south-2"),
    ("APS6", "ap-southeast-4"),
    ("APS7", "ap-southeast-5"),
    ("APS9", "ap-southeast-7"),
    ("CAN1", "ca-central-1"),
    ("CAN2", "ca-west-1"),
    ("EU", "eu-west-1"),
    ("EUC1", "eu-central-1"),
    ("EUC2", "eu-central-2"),
    ("EUN1", "eu-north-1"),
    ("EUS1", "eu-south-1"),
    ("EUS2", "eu-south-2"),
    ("EUW2", "eu-west-2"),
    ("EUW3", "eu-west-3"),
    ("ILC1", "il-central-1"),
    ("MEC1", "me-central-1"),
    ("MES1", "me-south-1"),
    ("MXC1", "mx-central-1"),
    ("SAE1", "sa-east-1"),
    ("UGE1", "us-gov-east-1"),
    ("UGW1", "us-gov-west-1"),
    ("USE1", "us-east-1"),
    ("USE2", "us-east-2"),
    ("USW1", "us-west-1"),
    ("USW2", "us-west-2"),
];

/// What a CloudTrail usage type charges for, from its name after the Region's billing code.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum UsageClass {
    /// `FreeEventsRecorded`: the first copy of management events in each account and Region (no charge).
    FreeEvents,
    /// `PaidEventsRecorded`: further copies of management events ($2.00 per 100,000).
    PaidEvents,
    /// `DataEventsRecorded`: data events delivered by trails ($0.10 per 100,000).
    DataEvents,
    /// `NetworkEventsRecorded`: network activity events, always charged.
    NetworkEvents,
    /// `InsightsEvents`: management events analyzed by CloudTrail Insights.
    InsightsEvents,
    /// `DataInsightsEvents`: data events analyzed by CloudTrail Insights (trails only).
    DataInsightsEvents,
    /// `Ingestion-Bytes`: CloudTrail Lake ingestion with seven-year retention (GB).
    LakeIngestion,
    /// `Ingestion-Bytes-1yearstore-Live-CloudTrail-Logs`: Lake ingestion of CloudTrail events with one-year
    /// extendable retention (GB).
    LakeIngestionOneYearCloudTrail,
    /// `Ingestion-Bytes-1yearstore-Other-data-sources`: Lake ingestion of other sources (Insights, imported or
    /// non-AWS events) with one-year extendable retention (GB).
    LakeIngestionOneYearOther,
    /// `FreeTrialIngestion-Bytes`: Lake ingestion within the free trial (GB, no charge).
    LakeFreeTrialIngestion,
    /// `QueryScanned-Bytes`: data scanned by Lake queries (GB).
    LakeQueryScanned,
    /// Any other usage type, by its full name as Cost Explorer gave it.
    Other(String),
}

impl UsageClass {
    /// The class named by a usage type without its billing code (`PaidEventsRecorded`); `raw` is the whole
    /// usage type, kept by [`UsageClass::Other`].
    fn of_suffix(suffix: &str, raw: &str) -> Self {
        match suffix {
            "FreeEventsRecorded" => Self::FreeEvents,
            "PaidEventsRecorded" => Self::PaidEvents,
            "DataEventsRecorded" => Self::DataEvents,
            "NetworkEventsRecorded" => Self::NetworkEvents,
            "InsightsEvents" => Self::InsightsEvents,
            "DataInsightsEvents" => Self::DataInsightsEvents,
            "Ingestion-Bytes" => Self::LakeIngestion,
            "Ingestion-Bytes-1yearstore-Live-CloudTrail-Logs" => {
                Self::LakeIngestionOneYearCloudTrail
            }
            "Ingestion-Bytes-1yearstore-Other-data-sources" => Self::LakeIngestionOneYearOther,
            "FreeTrialIngestion-Bytes" => Self::LakeFreeTrialIngestion,
            "QueryScanned-Bytes" => Self::LakeQueryScanned,
            _ => Self::Other(raw.to_owned()),
        }
    }

    /// Whether the quantity counts events (the others count GB, or whatever Cost Explorer's unit says).
    pub fn counts_events(&self) -> bool {
        matches!(
            self,
            Self::FreeEvents
                | Self::PaidEvents
                | Self::DataEvents
                | Self::NetworkEvents
                | Self::InsightsEvents
                | Self::DataInsightsEvents
        )
    }
}

impl fmt::Display for UsageClass {
    /// The class for people: "paid management event copies", or an unknown usage type's own name.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self {
            Self::FreeEvents => "management events, first copy (free)",
            Self::PaidEvents => "paid management event copies",
            Self::DataEvents => "data events",
            Self::NetworkEvents => "network activity events",
            Self::InsightsEvents => "Insights: management events analyzed",
            Self::DataInsightsEvents => "Insights: data events analyzed",
            Self::LakeIngestion => "Lake ingestion, seven-year retention",
            Self::LakeIngestionOneYearCloudTrail => {
                "Lake ingestion of CloudTrail events, one-year retention"
            }
            Self::LakeIngestionOneYearOther => {
                "Lake ingestion of other sources, one-year retention"
            }
            Self::LakeFreeTrialIngestion => "Lake ingestion, free trial",
            Self::LakeQueryScanned => "Lake query data scanned",
            Self::Other(raw) => raw,
        };
        f.write_str(label)
    }
}

/// The Region a billing code stands for (`USE1` → `us-east-1`).
pub fn region_of_billing_code(code: &str) -> Option<&'static str> {
    BILLING_CODES
        .iter()
        .find(|(known, _)| *known == code)
        .map(|(_, region)| *region)
}

/// A usage type read as (Region, class). The Region is `None` when the name starts with no billing code this
/// table knows (a new Region's code: its class is still read from the rest), or with none at all.
pub fn classify(usage_type: &str) -> (Option<&'static str>, UsageClass) {
    if let Some((prefix, rest)) = usage_type.split_once('-') {
        if let Some(region) = region_of_billing_code(prefix) {
            return (Some(region), UsageClass::of_suffix(rest, usage_type));
        }
        let looks_like_a_code = (2..=5).contains(&prefix.len())
            && prefix
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if looks_like_a_code {
            return (None, UsageClass::of_suffix(rest, usage_type));
        }
    }
    (None, UsageClass::of_suffix(usage_type, usage_type))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_types_read_as_region_and_class() {
        for (usage_type, region, class) in [
            (
                "USE1-FreeEventsRecorded",
                Some("us-east-1"),
                UsageClass::FreeEvents,
            ),
            (
                "APN1-PaidEventsRecorded",
                Some("ap-northeast-1"),
                UsageClass::PaidEvents,
            ),
            (
                "EU-DataEventsRecorded",
                Some("eu-west-1"),
                UsageClass::DataEvents,
            ),
            (
                "APS2-NetworkEventsRecorded",
                Some("ap-southeast-2"),
                UsageClass::NetworkEvents,
            ),
            (
                "USW2-InsightsEvents",
                Some("us-west-2"),
                UsageClass::InsightsEvents,
            ),
            (
                "EUC1-DataInsightsEvents",
                Some("eu-central-1"),
                UsageClass::DataInsightsEvents,
            ),
            (
                "USE2-Ingestion-Bytes",
                Some("us-east-2"),
                UsageClass::LakeIngestion,
            ),
            (
                "USE1-Ingestion-Bytes-1yearstore-Live-CloudTrail-Logs",
                Some("us-east-1"),
                UsageClass::LakeIngestionOneYearCloudTrail,
            ),
            (
                "APS3-Ingestion-Bytes-1yearstore-Other-data-sources",
                Some("ap-south-1"),
                UsageClass::LakeIngestionOneYearOther,
            ),
            (
                "EUW2-FreeTrialIngestion-Bytes",
                Some("eu-west-2"),
                UsageClass::LakeFreeTrialIngestion,
            ),
            (
                "SAE1-QueryScanned-Bytes",
                Some("sa-east-1"),
                UsageClass::LakeQueryScanned,
            ),
            // A Region this table does not know yet: the class is still read.
            ("XYZ9-PaidEventsRecorded", None, UsageClass::PaidEvents),
            ("PaidEventsRecorded", None, UsageClass::PaidEvents),
            (
                "USE1-Storage-ByteHrs",
                Some("us-east-1"),
                UsageClass::Other("USE1-Storage-ByteHrs".into()),
            ),
            (
                "something-else",
                None,
                UsageClass::Other("something-else".into()),
            ),
        ] {
            assert_eq!(classify(usage_type), (region, class), "{usage_type}");
        }
    }

    #[test]
    fn each_billing_code_stands_for_one_region() {
        let mut regions: Vec<&str> = BILLING_CODES.iter().map(|(_, r)| *r).collect();
        regions.sort_unstable();
        regions.dedup();
        assert_eq!(regions.len(), BILLING_CODES.len());
        assert!(UsageClass::DataEvents.counts_events());
        assert!(!UsageClass::LakeQueryScanned.counts_events());
        assert_eq!(UsageClass::Other("X-Y".into()).to_string(), "X-Y");
    }
}
