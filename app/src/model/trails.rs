//! Trail configuration as collected from AWS (or written by the demo): one snapshot per collection run, in
//! CloudTrail's own JSON wire shapes (PascalCase members, epoch-second numbers), so the same types read the
//! SDK's answers, the demo's files and the store.
pub mod analysis;
pub mod changes;

use crate::model::selectors::{EventSelectorsResponse, InsightSelectorsResponse};
use serde::{Deserialize, Serialize};

/// Every configured account and Region at one moment.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TrailsSnapshot {
    /// When the collection ran (epoch seconds).
    pub taken_at: i64,
    pub regions: Vec<RegionTrails>,
}

/// What one account's Region answered.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegionTrails {
    pub account: String,
    pub region: String,
    pub outcome: RegionOutcome,
    /// Every trail `DescribeTrails` lists here, shadow trails (multi-Region and organization trails whose home
    /// is elsewhere) included.
    pub trails: Vec<TrailRecord>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum RegionOutcome {
    Ok,
    /// The Region is not enabled for the account (opt-in Region), so nothing can log there.
    NotEnabled,
    /// Collection failed (no permission, network, …); the error says why.
    Failed {
        error: String,
    },
}

/// One trail as seen from one Region, with its status and selectors.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrailRecord {
    pub trail: Trail,
    /// `GetTrailStatus`; `None` when that call failed (`status_error` says why).
    pub status: Option<TrailStatus>,
    pub status_error: Option<String>,
    #[serde(default)]
    pub event_selectors: EventSelectorsResponse,
    #[serde(default)]
    pub insight_selectors: InsightSelectorsResponse,
    /// Why the selectors could not be read, if they could not (then they read as empty).
    pub selectors_error: Option<String>,
}

/// `DescribeTrails`' `Trail`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Trail {
    pub name: String,
    #[serde(rename = "TrailARN")]
    pub trail_arn: String,
    pub home_region: Option<String>,
    pub s3_bucket_name: Option<String>,
    pub s3_key_prefix: Option<String>,
    #[serde(rename = "SnsTopicARN")]
    pub sns_topic_arn: Option<String>,
    pub include_global_service_events: Option<bool>,
    pub is_multi_region_trail: Option<bool>,
    pub is_organization_trail: Option<bool>,
    pub log_file_validation_enabled: Option<bool>,
    pub cloud_watch_logs_log_group_arn: Option<String>,
    pub cloud_watch_logs_role_arn: Option<String>,
    pub kms_key_id: Option<String>,
    pub has_custom_event_selectors: Option<bool>,
    pub has_insight_selectors: Option<bool>,
}

/// `GetTrailStatus`' answer. Times are epoch seconds (with milliseconds) as on the wire; a field AWS has never
/// set is absent.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TrailStatus {
    pub is_logging: bool,
    pub latest_delivery_time: Option<f64>,
    pub latest_delivery_error: Option<String>,
    pub latest_digest_delivery_time: Option<f64>,
    pub latest_digest_delivery_error: Option<String>,
    pub latest_notification_time: Option<f64>,
    pub latest_notification_error: Option<String>,
    pub latest_cloud_watch_logs_delivery_time: Option<f64>,
    pub latest_cloud_watch_logs_delivery_error: Option<String>,
    pub start_logging_time: Option<f64>,
    pub stop_logging_time: Option<f64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// moto never reports delivery errors; this is AWS's documented `get-trail-status` output (aws-cli
    /// `examples/cloudtrail/get-trail-status.rst`) with an S3 delivery error added as AWS reports one.
    #[test]
    fn documented_trail_status_reads_with_its_errors() {
        let status: TrailStatus = serde_json::from_str(
            r#"{
              "LatestNotificationTime": 1454022144.869,
              "LatestNotificationAttemptSucceeded": "2016-01-28T23:02:24Z",
              "LatestDeliveryAttemptTime": "2016-01-28T23:02:24Z",
              "LatestDeliveryTime": 1454022144.869,
              "TimeLoggingStarted": "2015-11-06T18:36:38Z",
              "LatestDeliveryAttemptSucceeded": "2016-01-28T23:02:24Z",
              "IsLogging": true,
              "LatestCloudWatchLogsDeliveryTime": 1454022144.918,
              "StartLoggingTime": 1446834998.695,
              "StopLoggingTime": 1446834996.0,
              "LatestNotificationAttemptTime": "2016-01-28T23:02:24Z",
              "TimeLoggingStopped": "2015-11-06T18:36:38Z",
              "LatestDeliveryError": "AccessDenied"
            }"#,
        )
        .expect("the documented shape parses");
        assert!(status.is_logging);
        assert_eq!(status.latest_delivery_time, Some(1_454_022_144.869));
        assert_eq!(
            status.latest_delivery_error.as_deref(),
            Some("AccessDenied")
        );
        assert_eq!(
            status.latest_digest_delivery_time, None,
            "absent: never set"
        );
        assert_eq!(status.stop_logging_time, Some(1_446_834_996.0));
    }
}
