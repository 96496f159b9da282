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
    /// One entry per account and Region asked, in the order they were asked.
    pub regions: Vec<RegionTrails>,
}

/// What one account's Region answered.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RegionTrails {
    /// The 12-digit AWS account ID the Region was read in. (Wire and stored-snapshot name; kept as `account`.)
    pub account: String,
    /// The AWS Region code, e.g. `us-east-1`.
    pub region: String,
    /// Whether the Region answered, was not enabled for the account, or failed.
    pub outcome: RegionOutcome,
    /// Every trail `DescribeTrails` lists here, shadow trails (multi-Region and organization trails whose home
    /// is elsewhere) included.
    pub trails: Vec<TrailRecord>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
/// How reading one account-Region's trails ended.
pub enum RegionOutcome {
    /// DescribeTrails answered (possibly with no trails).
    Ok,
    /// The Region is not enabled for the account (opt-in Region), so nothing can log there.
    NotEnabled,
    /// Collection failed (no permission, network, …); the error says why.
    Failed {
        /// The error as the AWS SDK reported it, for display.
        error: String,
    },
}

/// One trail as seen from one Region, with its status and selectors.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TrailRecord {
    /// The trail as DescribeTrails returned it.
    pub trail: Trail,
    /// `GetTrailStatus`; `None` when that call failed (`status_error` says why).
    pub status: Option<TrailStatus>,
    /// Why GetTrailStatus failed, when it did (then `status` is `None`).
    pub status_error: Option<String>,
    #[serde(default)]
    /// GetEventSelectors' answer; empty when the trail has none or the call failed.
    pub event_selectors: EventSelectorsResponse,
    #[serde(default)]
    /// GetInsightSelectors' answer; empty when the trail has none or the call failed.
    pub insight_selectors: InsightSelectorsResponse,
    /// Why the selectors could not be read, if they could not (then they read as empty).
    pub selectors_error: Option<String>,
}

/// `DescribeTrails`' `Trail`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Trail {
    /// The trail's name (`Name`). See
    /// <https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_Trail.html>.
    pub name: String,
    #[serde(rename = "TrailARN")]
    /// The trail's ARN (`TrailARN`); it names the home Region, not the Region it was listed in.
    pub trail_arn: String,
    /// The Region the trail was created in (`HomeRegion`).
    pub home_region: Option<String>,
    /// The S3 bucket CloudTrail delivers log files to (`S3BucketName`).
    pub s3_bucket_name: Option<String>,
    /// The key prefix under the bucket (`S3KeyPrefix`); log files go under `<prefix>/AWSLogs/…`.
    pub s3_key_prefix: Option<String>,
    #[serde(rename = "SnsTopicARN")]
    /// The SNS topic notified of each delivery (`SnsTopicARN`).
    pub sns_topic_arn: Option<String>,
    /// Whether events of global services such as IAM are logged (`IncludeGlobalServiceEvents`).
    pub include_global_service_events: Option<bool>,
    /// Whether the trail logs every Region (`IsMultiRegionTrail`).
    pub is_multi_region_trail: Option<bool>,
    /// Whether the trail logs every account of the AWS Organization (`IsOrganizationTrail`).
    pub is_organization_trail: Option<bool>,
    /// Whether CloudTrail writes signed digest files (`LogFileValidationEnabled`).
    pub log_file_validation_enabled: Option<bool>,
    /// The CloudWatch Logs log group that receives the events (`CloudWatchLogsLogGroupArn`).
    pub cloud_watch_logs_log_group_arn: Option<String>,
    /// The role CloudTrail assumes to write to CloudWatch Logs (`CloudWatchLogsRoleArn`).
    pub cloud_watch_logs_role_arn: Option<String>,
    /// The KMS key that encrypts the log files (`KmsKeyId`): a key ARN.
    pub kms_key_id: Option<String>,
    /// Whether the trail has event selectors (`HasCustomEventSelectors`).
    pub has_custom_event_selectors: Option<bool>,
    /// Whether the trail has Insights selectors (`HasInsightSelectors`).
    pub has_insight_selectors: Option<bool>,
}

/// `GetTrailStatus`' answer. Times are epoch seconds (with milliseconds) as on the wire; a field AWS has never
/// set is absent.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct TrailStatus {
    /// Whether the trail is logging now (`IsLogging`). See
    /// <https://docs.aws.amazon.com/awscloudtrail/latest/APIReference/API_GetTrailStatus.html>.
    pub is_logging: bool,
    /// When CloudTrail last delivered a log file to S3 (`LatestDeliveryTime`): epoch seconds UTC, fractional.
    pub latest_delivery_time: Option<f64>,
    /// The S3 error of the last failed log delivery (`LatestDeliveryError`), e.g. `AccessDenied`.
    pub latest_delivery_error: Option<String>,
    /// When CloudTrail last delivered a digest file (`LatestDigestDeliveryTime`): epoch seconds UTC, fractional.
    pub latest_digest_delivery_time: Option<f64>,
    /// The S3 error of the last failed digest delivery (`LatestDigestDeliveryError`).
    pub latest_digest_delivery_error: Option<String>,
    /// When CloudTrail last published to the SNS topic (`LatestNotificationTime`): epoch seconds UTC, fractional.
    pub latest_notification_time: Option<f64>,
    /// The SNS error of the last failed notification (`LatestNotificationError`).
    pub latest_notification_error: Option<String>,
    /// When CloudTrail last delivered to CloudWatch Logs (`LatestCloudWatchLogsDeliveryTime`): epoch seconds
    /// UTC, fractional.
    pub latest_cloud_watch_logs_delivery_time: Option<f64>,
    /// The error of the last failed CloudWatch Logs delivery (`LatestCloudWatchLogsDeliveryError`).
    pub latest_cloud_watch_logs_delivery_error: Option<String>,
    /// When logging was last started (`StartLoggingTime`): epoch seconds UTC, fractional.
    pub start_logging_time: Option<f64>,
    /// When logging was last stopped (`StopLoggingTime`): epoch seconds UTC, fractional.
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
