//! Selectors AWS would refuse or that moto keeps: each problem becomes a warning.
use super::*;

pub(super) const CASES: &[Case] = &[
    Case {
        name: "unknown values and fields: warnings, never coverage",
        events: r#"{"AdvancedEventSelectors": [{"Name": "odd", "FieldSelectors": [{
            "Field": "eventCategory", "Equals": ["Data"]}, {"Field": "resources.type",
            "Equals": ["AWS::S3::Object"]}, {"Field": "readOnly", "Equals": ["TRUE"]},
            {"Field": "eventTime", "StartsWith": ["2024"]}]}]}"#,
        insights: r#"{"InsightSelectors": [{"InsightType": "ApiLatencyInsight"}]}"#,
        facts: &[
            "management --",
            "AWS::S3::Object -- all S3 objects in the account",
            "all management no, all S3 --",
        ],
        lines: &[
            NO_MANAGEMENT,
            "No data events for all S3 objects in the account, only when eventTime starts with \
             2024.",
            NO_NETWORK,
            "Insights: ApiLatencyInsight (management events).",
            "Warning: Advanced event selector \"odd\": readOnly value \"TRUE\" is neither true \
             nor false.",
            "Warning: Advanced event selector \"odd\": its readOnly condition matches neither \
             read nor write events.",
            "Warning: Advanced event selector \"odd\": eventTime is not a field trails accept \
             for data events.",
            "Warning: Insights type \"ApiLatencyInsight\" is not ApiCallRateInsight or \
             ApiErrorRateInsight.",
        ],
    },
    Case {
        name: "basic selector with an unknown ReadWriteType, event source and resource type",
        events: r#"{"EventSelectors": [{"ReadWriteType": "Sometimes",
            "ExcludeManagementEventSources": ["iam.amazonaws.com"],
            "DataResources": [{"Type": "AWS::SNS::Topic",
            "Values": ["arn:aws:sns:us-east-1:123456789012:myTopic"]}]}]}"#,
        insights: NONE,
        facts: &[
            "management --",
            "AWS::SNS::Topic -- resources whose ARN starts with \
             arn:aws:sns:us-east-1:123456789012:myTopic",
            "all management no, all S3 --",
        ],
        lines: &[
            NO_MANAGEMENT,
            "No data events for resources whose ARN starts with \
             arn:aws:sns:us-east-1:123456789012:myTopic.",
            NO_NETWORK,
            NO_INSIGHTS,
            "Warning: Basic event selector 1 has ReadWriteType \"Sometimes\", which is not \
             All, ReadOnly or WriteOnly; it is counted as logging nothing.",
            "Warning: Basic event selector 1 excludes iam.amazonaws.com; trails can exclude \
             only kms.amazonaws.com and rdsdata.amazonaws.com.",
            "Warning: Basic event selector 1 has data resource type \"AWS::SNS::Topic\"; basic \
             selectors accept only AWS::S3::Object, AWS::Lambda::Function and \
             AWS::DynamoDB::Table.",
        ],
    },
    Case {
        // moto stores selectors without validating them (AWS-FACTS.md 5.2).
        name: "malformed advanced selectors: no eventCategory, a Lake-only category, a \
               contradiction",
        events: r#"{"AdvancedEventSelectors": [{"Name": "no category", "FieldSelectors": [{
            "Field": "resources.type", "Equals": ["AWS::S3::Object"]}]}, {"FieldSelectors": [{
            "Field": "eventCategory", "Equals": ["Insight"]}]}, {"Name": "contradiction",
            "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Data"]},
            {"Field": "resources.type", "Equals": ["AWS::S3::Object"]}, {"Field": "eventName",
            "Equals": ["GetObject"], "NotEquals": ["GetObject"]}]}]}"#,
        insights: NONE,
        facts: &[
            "management --",
            "AWS::S3::Object RW all S3 objects in the account",
            "all management no, all S3 --",
        ],
        lines: &[
            NO_MANAGEMENT,
            "Read and write data events for all S3 objects in the account, only when event \
             name is GetObject and event name is not GetObject.",
            NO_NETWORK,
            NO_INSIGHTS,
            "Warning: Advanced event selector \"no category\" has no eventCategory, which AWS \
             requires, so what it logs is unknown.",
            "Warning: Advanced event selector 2 uses eventCategory Insight, which only event \
             data stores accept.",
            "Warning: Advanced event selector 2 matches no event category a trail logs, so it \
             logs nothing.",
            "Warning: Advanced event selector \"contradiction\": the conditions on eventName \
             exclude every value they include, so it logs nothing.",
        ],
    },
    Case {
        // moto keeps basic selectors when advanced ones are put (AWS-FACTS.md 5.2).
        name: "both basic and advanced selectors",
        events: r#"{"EventSelectors": [{"ReadWriteType": "WriteOnly"}],
            "AdvancedEventSelectors": [{"FieldSelectors": [{"Field": "eventCategory",
            "Equals": ["Management"]}, {"Field": "readOnly", "Equals": ["true"]}]}]}"#,
        insights: NONE,
        facts: &["management RW", "all management yes, all S3 --"],
        lines: &[
            ALL_MANAGEMENT,
            NO_DATA,
            NO_NETWORK,
            NO_INSIGHTS,
            "Warning: The trail reports both basic and advanced event selectors; AWS keeps \
             only one kind per trail, so this shows both and may overstate what is logged.",
        ],
    },
    Case {
        name: "other partitions, an S3 value without the bucket's slash, a Lambda value on S3",
        events: r#"{"EventSelectors": [{"ReadWriteType": "ReadOnly",
            "IncludeManagementEvents": false, "DataResources": [{"Type": "AWS::S3::Object",
            "Values": ["arn:aws-us-gov:s3", "arn:aws-cn:s3:::cn-bucket/",
            "arn:aws:s3:::amzn-s3-demo-bucket"]}, {"Type": "AWS::Lambda::Function",
            "Values": ["arn:aws-cn:lambda"]}, {"Type": "AWS::S3::Object",
            "Values": ["arn:aws:lambda"]}]}]}"#,
        insights: NONE,
        facts: &[
            "management --",
            "AWS::S3::Object R- all S3 objects in the account",
            "AWS::S3::Object R- objects in bucket cn-bucket",
            "AWS::S3::Object R- objects in buckets whose name starts with amzn-s3-demo-bucket",
            "AWS::Lambda::Function R- all Lambda functions in the account",
            "AWS::S3::Object R- resources whose ARN starts with arn:aws:lambda",
            "all management no, all S3 R-",
        ],
        lines: &[
            NO_MANAGEMENT,
            "Read-only data events for all S3 objects in the account.",
            "Read-only data events for objects in bucket cn-bucket.",
            "Read-only data events for objects in buckets whose name starts with \
             amzn-s3-demo-bucket.",
            "Read-only data events for all Lambda functions in the account.",
            "Read-only data events for resources whose ARN starts with arn:aws:lambda.",
            NO_NETWORK,
            NO_INSIGHTS,
            "Warning: Basic event selector 1: \"arn:aws:s3:::amzn-s3-demo-bucket\" has no \
             slash after the bucket name, so it matches every bucket whose name starts with \
             \"amzn-s3-demo-bucket\".",
            "Warning: Basic event selector 1: \"arn:aws:lambda\" is not an ARN of S3 objects, \
             so it never matches.",
        ],
    },
];
