//! Documented basic selectors, and advanced ones for management events and one prefix.
use super::*;

pub(super) const CASES: &[Case] = &[
    Case {
        // The WriteOnly selector of "Example trail that logs relevant low-volume AWS KMS
        // events" (User Guide, Managing trails with the AWS CLI) plus the whole-bucket value
        // of the DataResource API Reference.
        name: "basic write-only with one whole S3 bucket",
        events: r#"{"EventSelectors": [{"ExcludeManagementEventSources": [],
            "IncludeManagementEvents": true, "DataResources": [{"Type": "AWS::S3::Object",
            "Values": ["arn:aws:s3:::amzn-s3-demo-bucket1/"]}],
            "ReadWriteType": "WriteOnly"}]}"#,
        insights: NONE,
        facts: &[
            "management -W",
            "AWS::S3::Object -W objects in bucket amzn-s3-demo-bucket1",
            "all management no, all S3 --",
        ],
        lines: &[
            "Write-only management events.",
            "Write-only data events for objects in bucket amzn-s3-demo-bucket1.",
            NO_NETWORK,
            NO_INSIGHTS,
        ],
    },
    Case {
        // aws-cli examples/cloudtrail/put-event-selectors.rst, Example 2 (its trailing comma
        // removed).
        name: "basic: two S3 bucket/prefix pairs and one Lambda function",
        events: r#"{"EventSelectors": [{"IncludeManagementEvents": true,
            "DataResources": [{"Values": ["arn:aws:s3:::amzn-s3-demo-bucket/prefix",
            "arn:aws:s3:::amzn-s3-demo-bucket2/prefix2"], "Type": "AWS::S3::Object"},
            {"Values": [
            "arn:aws:lambda:us-west-2:123456789012:function:hello-world-python-function"],
            "Type": "AWS::Lambda::Function"}], "ReadWriteType": "All"}],
            "TrailARN": "arn:aws:cloudtrail:us-east-2:123456789012:trail/TrailName"}"#,
        insights: NONE,
        facts: &[
            "management RW",
            "AWS::S3::Object RW objects under amzn-s3-demo-bucket/prefix",
            "AWS::S3::Object RW objects under amzn-s3-demo-bucket2/prefix2",
            "AWS::Lambda::Function RW function hello-world-python-function (us-west-2, account \
             123456789012)",
            "all management yes, all S3 --",
        ],
        lines: &[
            ALL_MANAGEMENT,
            "Read and write data events for objects under amzn-s3-demo-bucket/prefix.",
            "Read and write data events for objects under amzn-s3-demo-bucket2/prefix2.",
            "Read and write data events for function hello-world-python-function (us-west-2, \
             account 123456789012).",
            NO_NETWORK,
            NO_INSIGHTS,
        ],
    },
    Case {
        // aws-cli examples/cloudtrail/put-event-selectors.rst, Example 3 (its trailing comma
        // removed).
        name: "basic: all S3 objects and all Lambda functions",
        events: r#"{"EventSelectors": [{"IncludeManagementEvents": true,
            "DataResources": [{"Values": ["arn:aws:s3"], "Type": "AWS::S3::Object"},
            {"Values": ["arn:aws:lambda"], "Type": "AWS::Lambda::Function"}],
            "ReadWriteType": "All"}],
            "TrailARN": "arn:aws:cloudtrail:us-east-2:123456789012:trail/TrailName2"}"#,
        insights: NONE,
        facts: &[
            "management RW",
            "AWS::S3::Object RW all S3 objects in the account",
            "AWS::Lambda::Function RW all Lambda functions in the account",
            "all management yes, all S3 RW",
        ],
        lines: &[
            ALL_MANAGEMENT,
            "Read and write data events for all S3 objects in the account.",
            "Read and write data events for all Lambda functions in the account.",
            NO_NETWORK,
            NO_INSIGHTS,
        ],
    },
    Case {
        // User Guide, Managing trails with the AWS CLI, "Example trail that logs all management
        // and data events".
        name: "basic: arn:aws:s3::: form, all Lambda functions and all DynamoDB tables",
        events: r#"{"EventSelectors": [{"ExcludeManagementEventSources": [],
            "IncludeManagementEvents": true, "DataResources": [{"Values": ["arn:aws:s3:::"],
            "Type": "AWS::S3::Object"}, {"Values": ["arn:aws:lambda"],
            "Type": "AWS::Lambda::Function"}, {"Values": ["arn:aws:dynamodb"],
            "Type": "AWS::DynamoDB::Table"}], "ReadWriteType": "All"}],
            "TrailARN": "arn:aws:cloudtrail:us-east-2:123456789012:trail/TrailName2"}"#,
        insights: NONE,
        facts: &[
            "management RW",
            "AWS::S3::Object RW all S3 objects in the account",
            "AWS::Lambda::Function RW all Lambda functions in the account",
            "AWS::DynamoDB::Table RW all DynamoDB tables in the account",
            "all management yes, all S3 RW",
        ],
        lines: &[
            ALL_MANAGEMENT,
            "Read and write data events for all S3 objects in the account.",
            "Read and write data events for all Lambda functions in the account.",
            "Read and write data events for all DynamoDB tables in the account.",
            NO_NETWORK,
            NO_INSIGHTS,
        ],
    },
    Case {
        // Both documented exclusions (kms, rdsdata) on a WriteOnly selector.
        name: "basic write-only excluding AWS KMS and Amazon RDS Data API",
        events: r#"{"EventSelectors": [{"ReadWriteType": "WriteOnly",
            "ExcludeManagementEventSources": ["rdsdata.amazonaws.com",
            "kms.amazonaws.com"]}]}"#,
        insights: NONE,
        facts: &[
            "management -W excluding kms.amazonaws.com, rdsdata.amazonaws.com",
            "all management no, all S3 --",
        ],
        lines: &[
            "Write-only management events, excluding AWS KMS and Amazon RDS Data API events.",
            NO_DATA,
            NO_NETWORK,
            NO_INSIGHTS,
        ],
    },
    Case {
        name: "two basic selectors: read-only plus write-only is all management events",
        events: r#"{"EventSelectors": [{"ReadWriteType": "ReadOnly"},
            {"ReadWriteType": "WriteOnly"}]}"#,
        insights: NONE,
        facts: &["management RW", "all management yes, all S3 --"],
        lines: &[ALL_MANAGEMENT, NO_DATA, NO_NETWORK, NO_INSIGHTS],
    },
    Case {
        name: "two basic selectors: AWS KMS left out of read events only",
        events: r#"{"EventSelectors": [{"ReadWriteType": "ReadOnly",
            "ExcludeManagementEventSources": ["kms.amazonaws.com"]},
            {"ReadWriteType": "WriteOnly"}]}"#,
        insights: NONE,
        facts: &["management RW", "all management no, all S3 --"],
        lines: &[
            "Read and write management events, excluding AWS KMS read events.",
            NO_DATA,
            NO_NETWORK,
            NO_INSIGHTS,
        ],
    },
    Case {
        // Archived User Guide (awsdocs/aws-cloudtrail-user-guide), logging-management-events:
        // the output lists empty operator arrays.
        name: "advanced: all management events except AWS KMS",
        events: r#"{"AdvancedEventSelectors": [{
            "Name": "Log all management events except KMS events", "FieldSelectors": [{
            "Field": "eventCategory", "Equals": ["Management"], "StartsWith": [],
            "EndsWith": [], "NotEquals": [], "NotStartsWith": [], "NotEndsWith": []},
            {"Field": "eventSource", "Equals": [], "StartsWith": [], "EndsWith": [],
            "NotEquals": ["kms.amazonaws.com"], "NotStartsWith": [], "NotEndsWith": []}]}],
            "TrailARN": "arn:aws:cloudtrail:us-east-2:123456789012:trail/TrailName"}"#,
        insights: NONE,
        facts: &[
            "management RW excluding kms.amazonaws.com",
            "all management no, all S3 --",
        ],
        lines: &[
            "Read and write management events, excluding AWS KMS events.",
            NO_DATA,
            NO_NETWORK,
            NO_INSIGHTS,
        ],
    },
    Case {
        name: "advanced: read-only management events",
        events: r#"{"AdvancedEventSelectors": [{"Name": "Read-only management events",
            "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]},
            {"Field": "readOnly", "Equals": ["true"]}]}]}"#,
        insights: NONE,
        facts: &["management R-", "all management no, all S3 --"],
        lines: &[
            "Read-only management events.",
            NO_DATA,
            NO_NETWORK,
            NO_INSIGHTS,
        ],
    },
    Case {
        // User Guide, Logging data events, "Log all Amazon S3 events for a bucket"
        // (S3EventSelector), with a key prefix and readOnly false (Filtering data events).
        name: "advanced: write-only S3 data events under one prefix, no management events",
        events: r#"{"AdvancedEventSelectors": [{"Name": "S3EventSelector", "FieldSelectors": [{
            "Field": "eventCategory", "Equals": ["Data"]}, {"Field": "resources.type",
            "Equals": ["AWS::S3::Object"]}, {"Field": "resources.ARN",
            "StartsWith": ["arn:aws:s3:::amzn-s3-demo-bucket/logs/"]}, {"Field": "readOnly",
            "Equals": ["false"]}]}]}"#,
        insights: NONE,
        facts: &[
            "management --",
            "AWS::S3::Object -W objects under amzn-s3-demo-bucket/logs/",
            "all management no, all S3 --",
        ],
        lines: &[
            NO_MANAGEMENT,
            "Write-only data events for objects under amzn-s3-demo-bucket/logs/.",
            NO_NETWORK,
            NO_INSIGHTS,
        ],
    },
];
