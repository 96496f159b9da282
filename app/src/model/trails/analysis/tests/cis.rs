//! The CIS controls per account, with their reasons and fixes.
use super::*;

#[test]
fn cis_controls_pass_and_fail_with_reasons() {
    struct Case {
        name: &'static str,
        trail: T,
        control: &'static str,
        passed: bool,
        reason: &'static str,
        fix: &'static str,
    }
    let multi = || trail(MGMT, "us-east-1", "main").multi();
    let single = || trail(MGMT, "us-east-1", "main");
    let log_group = json!("arn:aws:logs:us-east-1:111111111111:log-group:cloudtrail:*");
    let s3_writes = r#"{"EventSelectors": [{"ReadWriteType": "All"}, {"ReadWriteType": "WriteOnly",
        "IncludeManagementEvents": false,
        "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}]}]}"#;
    let s3_all = r#"{"EventSelectors": [{"ReadWriteType": "All",
        "DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}]}]}"#;
    let cases = [
        Case {
            name: "3.1 multi-Region, logging, all management events",
            trail: multi(),
            control: "3.1",
            passed: true,
            reason: "main is multi-Region, logging and recording all management events.",
            fix: "Nothing to fix.",
        },
        Case {
            name: "3.1 single-Region",
            trail: single(),
            control: "3.1",
            passed: false,
            reason: "No multi-Region trail is logging all management events: main is \
                     single-Region (us-east-1).",
            fix: "Make main multi-Region: aws cloudtrail update-trail --name main --region \
                  us-east-1 --is-multi-region-trail",
        },
        Case {
            name: "3.1 stopped",
            trail: multi().stopped(),
            control: "3.1",
            passed: false,
            reason: "main is not logging",
            fix: "Start main: aws cloudtrail start-logging --name main --region us-east-1",
        },
        Case {
            name: "3.1 write-only",
            trail: multi().selectors(WRITE_ONLY),
            control: "3.1",
            passed: false,
            reason: "main records write-only management events",
            fix: "aws cloudtrail put-event-selectors --trail-name main --region us-east-1",
        },
        Case {
            name: "3.1 AWS KMS events excluded",
            trail: multi().selectors(
                r#"{"EventSelectors": [{"ExcludeManagementEventSources": ["kms.amazonaws.com"]}]}"#,
            ),
            control: "3.1",
            passed: false,
            reason: "main records read and write management events, excluding AWS KMS events",
            fix: "put-event-selectors",
        },
        Case {
            name: "3.2 validation on",
            trail: multi(),
            control: "3.2",
            passed: true,
            reason: "Log file validation is on for main.",
            fix: "Nothing to fix.",
        },
        Case {
            name: "3.2 validation off",
            trail: multi().set("LogFileValidationEnabled", json!(false)),
            control: "3.2",
            passed: false,
            reason: "Log file validation is off for main.",
            fix: "Turn on log file validation for main: aws cloudtrail update-trail --name main \
                  --region us-east-1 --enable-log-file-validation",
        },
        Case {
            name: "3.2 no multi-Region trail",
            trail: single(),
            control: "3.2",
            passed: false,
            reason: "No multi-Region trail covers this account",
            fix: "--is-multi-region-trail --enable-log-file-validation",
        },
        Case {
            name: "3.5 KMS key set",
            trail: multi(),
            control: "3.5",
            passed: true,
            reason: "Log files are encrypted with a KMS key (SSE-KMS) for main.",
            fix: "Nothing to fix.",
        },
        Case {
            name: "3.5 no KMS key",
            trail: multi().set("KmsKeyId", Value::Null),
            control: "3.5",
            passed: false,
            reason: "Log files are not encrypted with a KMS key (SSE-KMS) for main.",
            fix: "aws cloudtrail update-trail --name main --region us-east-1 --kms-key-id <KMS \
                  key ARN>",
        },
        Case {
            name: "3.8 S3 write data events",
            trail: multi().selectors(s3_writes),
            control: "3.8",
            passed: true,
            reason: "main logs S3 object-level write events for all buckets.",
            fix: "Nothing to fix.",
        },
        Case {
            name: "3.9 S3 write data events only",
            trail: multi().selectors(s3_writes),
            control: "3.9",
            passed: false,
            reason: "main logs write-only data events for all S3 objects in the account.",
            fix: r#""DataResources": [{"Type": "AWS::S3::Object", "Values": ["arn:aws:s3"]}]"#,
        },
        Case {
            name: "3.9 S3 read and write data events",
            trail: multi().selectors(s3_all),
            control: "3.9",
            passed: true,
            reason: "main logs S3 object-level read events for all buckets.",
            fix: "Nothing to fix.",
        },
        Case {
            name: "3.8 no data events",
            trail: multi(),
            control: "3.8",
            passed: false,
            reason: "main logs no S3 data events.",
            fix: "aws cloudtrail put-event-selectors --trail-name main --region us-east-1",
        },
        Case {
            name: "3.8 single-Region trail with S3 data events",
            trail: single().selectors(s3_all),
            control: "3.8",
            passed: false,
            reason: "No logging multi-Region trail covers this account (see 3.1)",
            fix: "Create and start a multi-Region trail (see 3.1)",
        },
        Case {
            name: "CloudWatch Logs delivered 2 h ago",
            trail: multi()
                .set("CloudWatchLogsLogGroupArn", log_group.clone())
                .status("LatestCloudWatchLogsDeliveryTime", json!(NOW - 2 * HOUR)),
            control: "3.4 (v1.5.0)",
            passed: true,
            reason: "main delivers to arn:aws:logs:us-east-1:111111111111:log-group:cloudtrail:* \
                     (last 2 h ago).",
            fix: "Nothing to fix.",
        },
        Case {
            name: "CloudWatch Logs not set up",
            trail: multi(),
            control: "3.4 (v1.5.0)",
            passed: false,
            reason: "main has no CloudWatch Logs log group",
            fix: "--cloud-watch-logs-log-group-arn <log group ARN> --cloud-watch-logs-role-arn \
                  <role ARN>",
        },
        Case {
            name: "CloudWatch Logs delivery 3 days old",
            trail: multi()
                .set("CloudWatchLogsLogGroupArn", log_group)
                .status("LatestCloudWatchLogsDeliveryTime", json!(NOW - 3 * DAY))
                .status(
                    "LatestCloudWatchLogsDeliveryError",
                    json!("AccessDeniedException"),
                ),
            control: "3.4 (v1.5.0)",
            passed: false,
            reason: "main last delivered to CloudWatch Logs 3 days ago (error \
                     AccessDeniedException)",
            fix: "lets CloudTrail call logs:CreateLogStream and logs:PutLogEvents",
        },
    ];
    for case in cases {
        let m = Snapshot::default()
            .everywhere(MGMT, &REGIONS, &[&case.trail])
            .matrix();
        let check = cis(&m, MGMT, case.control);
        assert_eq!(check.passed, case.passed, "{}: {check:#?}", case.name);
        assert_contains(&check.reason, case.reason);
        assert_contains(&check.fix, case.fix);
    }
}

#[test]
fn every_account_gets_every_control_in_order() {
    let main = trail(MGMT, "us-east-1", "main").multi();
    let m = Snapshot::default()
        .ok(MGMT, "us-east-1", &[&main])
        .ok(MEMBER, "us-east-1", &[])
        .matrix();
    let controls: Vec<(&str, &str)> = m
        .cis
        .iter()
        .map(|c| (c.account.as_str(), c.control.as_str()))
        .collect();
    let order = ["3.1", "3.2", "3.5", "3.8", "3.9", "3.4 (v1.5.0)"];
    let expected: Vec<(&str, &str)> = [MGMT, MEMBER]
        .iter()
        .flat_map(|a| order.map(|c| (*a, c)))
        .collect();
    assert_eq!(controls, expected);
    assert_eq!(CIS_VERSION, "3.0.0");
}
