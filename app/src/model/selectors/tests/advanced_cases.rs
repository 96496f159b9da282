//! Documented advanced selectors for data and network activity events, and Insights.
use super::*;

pub(super) const CASES: &[Case] = &[
    Case {
        // User Guide, Logging data events, "Log all data events by using advanced event
        // selectors" (its first three selectors).
        name: "advanced: all S3 objects, Lambda functions and DynamoDB tables",
        events: r#"{"TrailARN": "arn:aws:cloudtrail:us-east-1:111122223333:trail/TrailName",
            "AdvancedEventSelectors": [{"Name": "Log all events for all Amazon S3 buckets",
            "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Data"]},
            {"Field": "resources.type", "Equals": ["AWS::S3::Object"]}]},
            {"Name": "Log all events for Lambda functions", "FieldSelectors": [{
            "Field": "eventCategory", "Equals": ["Data"]}, {"Field": "resources.type",
            "Equals": ["AWS::Lambda::Function"]}]},
            {"Name": "Log all events for DynamoDB tables", "FieldSelectors": [{
            "Field": "eventCategory", "Equals": ["Data"]}, {"Field": "resources.type",
            "Equals": ["AWS::DynamoDB::Table"]}]}]}"#,
        insights: NONE,
        facts: &[
            "management --",
            "AWS::S3::Object RW all S3 objects in the account",
            "AWS::Lambda::Function RW all Lambda functions in the account",
            "AWS::DynamoDB::Table RW all DynamoDB tables in the account",
            "all management no, all S3 RW",
        ],
        lines: &[
            NO_MANAGEMENT,
            "Read and write data events for all S3 objects in the account.",
            "Read and write data events for all Lambda functions in the account.",
            "Read and write data events for all DynamoDB tables in the account.",
            NO_NETWORK,
            NO_INSIGHTS,
        ],
    },
    Case {
        // User Guide, Filtering data events, "Example 2: Filtering on the resources.ARN and
        // userIdentity.arn fields" (its arn:partition placeholder kept).
        name: "advanced: one bucket, except calls by a scanner role",
        events: r#"{"AdvancedEventSelectors": [{"Name": "S3EventSelector", "FieldSelectors": [{
            "Field": "eventCategory", "Equals": ["Data"]}, {"Field": "resources.type",
            "Equals": ["AWS::S3::Object"]}, {"Field": "resources.ARN",
            "StartsWith": ["arn:partition:s3:::amzn-s3-demo-bucket/"]},
            {"Field": "userIdentity.arn",
            "NotStartsWith": [
            "arn:aws:sts::123456789012:assumed-role/bucket-scanner-role"]}]}]}"#,
        insights: NONE,
        facts: &[
            "management --",
            "AWS::S3::Object RW objects in bucket amzn-s3-demo-bucket",
            "all management no, all S3 --",
        ],
        lines: &[
            NO_MANAGEMENT,
            "Read and write data events for objects in bucket amzn-s3-demo-bucket, only when \
             user identity ARN does not start with \
             arn:aws:sts::123456789012:assumed-role/bucket-scanner-role.",
            NO_NETWORK,
            NO_INSIGHTS,
        ],
    },
    Case {
        // Archived User Guide, Logging data events, "Log events by using advanced event
        // selectors" (the put-event-selectors input).
        name: "advanced: several Equals and StartsWith values OR together",
        events: r#"{"AdvancedEventSelectors": [{
            "Name": "Log readOnly and writeOnly management events", "FieldSelectors": [{
            "Field": "eventCategory", "Equals": ["Management"]}]},
            {"Name": "Log PutObject and DeleteObject events for two S3 prefixes",
            "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Data"]},
            {"Field": "resources.type", "Equals": ["AWS::S3::Object"]}, {"Field": "eventName",
            "Equals": ["PutObject", "DeleteObject"]}, {"Field": "resources.ARN",
            "StartsWith": ["arn:aws:s3:::mybucket/prefix",
            "arn:aws:s3:::mybucket2/prefix2"]}]}]}"#,
        insights: NONE,
        facts: &[
            "management RW",
            "AWS::S3::Object RW objects under mybucket/prefix or objects under \
             mybucket2/prefix2",
            "all management yes, all S3 --",
        ],
        lines: &[
            ALL_MANAGEMENT,
            "Read and write data events for objects under mybucket/prefix or objects under \
             mybucket2/prefix2, only when event name is PutObject or DeleteObject.",
            NO_NETWORK,
            NO_INSIGHTS,
        ],
    },
    Case {
        // User Guide, Filtering data events, "Example showing multiple conditions for the
        // resources.ARN field".
        name: "advanced: every operator on resources.ARN (SELECTs OR, DESELECTs AND)",
        events: r#"{"AdvancedEventSelectors": [{"Name": "S3Select", "FieldSelectors": [{
            "Field": "eventCategory", "Equals": ["Data"]}, {"Field": "resources.type",
            "Equals": ["AWS::S3::Object"]}, {"Field": "resources.ARN",
            "Equals": ["arn:aws:s3:::amzn-s3-demo-bucket/object1"],
            "StartsWith": ["arn:aws:s3:::amzn-s3-demo-bucket/"], "EndsWith": ["object3"],
            "NotStartsWith": ["arn:aws:s3:::amzn-s3-demo-bucket/deselect"],
            "NotEndsWith": ["object5"],
            "NotEquals": ["arn:aws:s3:::amzn-s3-demo-bucket/object6"]}]}]}"#,
        insights: NONE,
        facts: &[
            "management --",
            "AWS::S3::Object RW objects in bucket amzn-s3-demo-bucket, object \
             amzn-s3-demo-bucket/object1 or resources whose ARN ends with object3, except \
             objects under amzn-s3-demo-bucket/deselect, object amzn-s3-demo-bucket/object6 \
             and resources whose ARN ends with object5",
            "all management no, all S3 --",
        ],
        lines: &[
            NO_MANAGEMENT,
            "Read and write data events for objects in bucket amzn-s3-demo-bucket, object \
             amzn-s3-demo-bucket/object1 or resources whose ARN ends with object3, except \
             objects under amzn-s3-demo-bucket/deselect, object amzn-s3-demo-bucket/object6 \
             and resources whose ARN ends with object5.",
            NO_NETWORK,
            NO_INSIGHTS,
        ],
    },
    Case {
        // User Guide, Managing trails with the AWS CLI, "Example trail with specific advanced
        // event selectors" (input). Its Lambda ARN says "function/" where Lambda ARNs say
        // "function:", so it is shown verbatim rather than as a function name.
        name: "advanced: management, S3, Lambda and AWS KMS VpceAccessDenied network activity",
        events: r#"{"AdvancedEventSelectors": [{
            "Name": "Log readOnly and writeOnly management events", "FieldSelectors": [{
            "Field": "eventCategory", "Equals": ["Management"]}]},
            {"Name": "Log PutObject and DeleteObject events for all but one bucket",
            "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Data"]},
            {"Field": "resources.type", "Equals": ["AWS::S3::Object"]}, {"Field": "eventName",
            "Equals": ["PutObject", "DeleteObject"]}, {"Field": "resources.ARN",
            "NotStartsWith": ["arn:aws:s3:::amzn-s3-demo-bucket/"]}]},
            {"Name": "Log data plane actions on MyLambdaFunction", "FieldSelectors": [{
            "Field": "eventCategory", "Equals": ["Data"]}, {"Field": "resources.type",
            "Equals": ["AWS::Lambda::Function"]}, {"Field": "resources.ARN",
            "Equals": ["arn:aws:lambda:us-east-2:111122223333:function/MyLambdaFunction"]}]},
            {"Name": "Audit AccessDenied AWS KMS events over a VPC endpoint",
            "FieldSelectors": [{"Field": "eventCategory", "Equals": ["NetworkActivity"]},
            {"Field": "eventSource", "Equals": ["kms.amazonaws.com"]}, {"Field": "errorCode",
            "Equals": ["VpceAccessDenied"]}]}]}"#,
        insights: NONE,
        facts: &[
            "management RW",
            "AWS::S3::Object RW all S3 objects in the account, except objects in bucket \
             amzn-s3-demo-bucket",
            "AWS::Lambda::Function RW the resource \
             arn:aws:lambda:us-east-2:111122223333:function/MyLambdaFunction",
            "all management yes, all S3 --",
        ],
        lines: &[
            ALL_MANAGEMENT,
            "Read and write data events for all S3 objects in the account, except objects in \
             bucket amzn-s3-demo-bucket, only when event name is PutObject or DeleteObject.",
            "Read and write data events for the resource \
             arn:aws:lambda:us-east-2:111122223333:function/MyLambdaFunction.",
            "Network activity events (calls through VPC endpoints) for AWS KMS, only when \
             error code is VpceAccessDenied (denied by a VPC endpoint policy).",
            NO_INSIGHTS,
        ],
    },
    Case {
        // User Guide, Logging network activity events, "Log EC2 VpceAccessDenied events over a
        // specific VPC endpoint".
        name: "network activity: Amazon EC2 access denied over one VPC endpoint",
        events: r#"{"TrailARN": "arn:aws:cloudtrail:us-east-1:111122223333:trail/TrailName",
            "AdvancedEventSelectors": [{
            "Name": "Audit AccessDenied EC2 events over a specific VPC endpoint",
            "FieldSelectors": [{"Field": "eventCategory", "Equals": ["NetworkActivity"]},
            {"Field": "eventSource", "Equals": ["ec2.amazonaws.com"]}, {"Field": "errorCode",
            "Equals": ["VpceAccessDenied"]}, {"Field": "vpcEndpointId",
            "Equals": ["vpce-example8c1b6b9b7"]}]}]}"#,
        insights: NONE,
        facts: &["management --", "all management no, all S3 --"],
        lines: &[
            NO_MANAGEMENT,
            NO_DATA,
            "Network activity events (calls through VPC endpoints) for Amazon EC2, only when \
             error code is VpceAccessDenied (denied by a VPC endpoint policy) and VPC endpoint \
             ID is vpce-example8c1b6b9b7.",
            NO_INSIGHTS,
        ],
    },
    Case {
        // User Guide, Managing trails with the AWS CLI, "Example trail that logs Insights
        // events".
        name: "Insights: both types on the default trail",
        events: NONE,
        insights: r#"{"InsightSelectors": [{"InsightType": "ApiErrorRateInsight"},
            {"InsightType": "ApiCallRateInsight"}],
            "TrailARN": "arn:aws:cloudtrail:us-east-2:123456789012:trail/TrailName3"}"#,
        facts: &["management RW", "all management yes, all S3 --"],
        lines: &[
            ALL_MANAGEMENT,
            NO_DATA,
            NO_NETWORK,
            "Insights: API error rate (management events).",
            "Insights: API call rate (management events).",
        ],
    },
    Case {
        // InsightSelector API Reference (EventCategories); ApiCallRateInsight needs write
        // management events (User Guide, Managing trails with the AWS CLI).
        name: "Insights: call rate on management and data events of a read-only trail",
        events: r#"{"EventSelectors": [{"ReadWriteType": "ReadOnly"}]}"#,
        insights: r#"{"InsightSelectors": [{"InsightType": "ApiCallRateInsight",
            "EventCategories": ["Management", "Data"]}]}"#,
        facts: &["management R-", "all management no, all S3 --"],
        lines: &[
            "Read-only management events.",
            NO_DATA,
            NO_NETWORK,
            "Insights: API call rate (management and data events).",
            "Warning: API call rate Insights on management events need write management \
             events, which the trail does not log.",
        ],
    },
];
