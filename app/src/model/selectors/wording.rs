//! The plain-language sentences the Trails page shows for decoded selectors: the one place their
//! words live. Every function here reads [`facts`](super::facts) and decides nothing.
mod warnings;

use super::facts::{
    Condition, DataRule, DataScope, DecodedSelectors, InsightCategory, InsightRule, InsightType,
    Management, NetworkRule, ResourceMatch, ResourceType, Selected,
};
use super::wire::Operator;

impl DecodedSelectors {
    /// Everything decoded, one sentence per line, for a plain list: management, data, network
    /// activity, Insights, then warnings.
    pub fn lines(&self) -> Vec<String> {
        let sentence = |text: String| format!("{text}.");
        let mut lines = vec![sentence(self.management.summary())];
        lines.extend(self.data.iter().map(|r| sentence(r.summary())));
        if self.data.is_empty() {
            lines.push("No data events.".to_owned());
        }
        lines.extend(self.network_activity.iter().map(|r| sentence(r.summary())));
        if self.network_activity.is_empty() {
            lines.push("No network activity events.".to_owned());
        }
        lines.extend(
            self.insights
                .iter()
                .map(|i| format!("Insights: {}.", i.words())),
        );
        if self.insights.is_empty() {
            lines.push("Insights events are not enabled.".to_owned());
        }
        lines.extend(
            self.warnings
                .iter()
                .map(|w| format!("Warning: {}", w.text())),
        );
        lines
    }
}

impl Management {
    /// E.g. "All management events (read and write)", "Write-only management events, excluding
    /// AWS KMS events"; no final full stop.
    pub fn summary(&self) -> String {
        let (read, write) = (self.read, self.write);
        let mut phrases = Vec::new();
        if !self.excluded_sources.is_empty() {
            let names: Vec<String> = (self.excluded_sources.iter())
                .map(|s| service_name(s).to_owned())
                .collect();
            phrases.push(format!("{} events", join_words(&names, "and")));
        }
        for (kind, sources) in [
            ("read", &self.excluded_from_reads),
            ("write", &self.excluded_from_writes),
        ] {
            phrases.extend(
                sources
                    .iter()
                    .map(|source| format!("{} {kind} events", service_name(source))),
            );
        }
        let only_when = conditions(&self.conditions);
        match (read, write) {
            (false, false) => "No management events".to_owned(),
            (true, true) if phrases.is_empty() && only_when.is_empty() => {
                "All management events (read and write)".to_owned()
            }
            _ => {
                let mut head = format!("{} management events", access_phrase(read, write));
                if !phrases.is_empty() {
                    head = format!("{head}, excluding {}", join_words(&phrases, "and"));
                }
                with_conditions(head, &only_when)
            }
        }
    }
}

impl DataRule {
    /// E.g. "Read and write data events for objects in bucket logs, only when event name is
    /// PutObject"; no final full stop.
    pub fn summary(&self) -> String {
        let head = format!(
            "{} data events for {}",
            access_phrase(self.read, self.write),
            self.scope.words(&self.resource_type)
        );
        with_conditions(head, &conditions(&self.conditions))
    }
}

impl DataScope {
    /// E.g. "all S3 objects in the account, except objects in bucket logs".
    pub fn words(&self, resource_type: &ResourceType) -> String {
        let base = match &self.selected {
            Selected::All => resource_type.all_words(),
            Selected::Any(matches) => {
                let words: Vec<String> = matches.iter().map(|m| m.words(resource_type)).collect();
                join_words(&words, "or")
            }
        };
        if self.except.is_empty() {
            return base;
        }
        let except: Vec<String> = self.except.iter().map(|m| m.words(resource_type)).collect();
        format!("{base}, except {}", join_words(&except, "and"))
    }
}

impl ResourceType {
    /// The resources of the type, e.g. "S3 objects"; an unknown type verbatim.
    pub fn label(&self) -> &str {
        match self {
            Self::S3Object => "S3 objects",
            Self::LambdaFunction => "Lambda functions",
            Self::DynamoDbTable => "DynamoDB tables",
            Self::Unnamed => "resources of any type",
            Self::Other(other) => other,
        }
    }

    /// Every resource of the type, e.g. "all S3 objects in the account".
    fn all_words(&self) -> String {
        match self {
            Self::Unnamed => self.label().to_owned(),
            Self::Other(other) => format!("all {other} resources"),
            _ => format!("all {} in the account", self.label()),
        }
    }
}

impl ResourceMatch {
    /// E.g. "objects under logs/prod", "function f (us-east-1, account 111122223333)".
    pub fn words(&self, resource_type: &ResourceType) -> String {
        match self {
            Self::Every => resource_type.all_words(),
            Self::Bucket(bucket) => format!("objects in bucket {bucket}"),
            Self::ObjectPrefix(path) => format!("objects under {path}"),
            Self::BucketNamePrefix(bucket) => {
                format!("objects in buckets whose name starts with {bucket}")
            }
            Self::Object(path) => format!("object {path}"),
            Self::Function {
                name,
                region,
                account,
            } => format!("function {name} ({region}, account {account})"),
            Self::Table {
                name,
                region,
                account,
            } => format!("table {name} ({region}, account {account})"),
            Self::ArnPrefix(prefix) => format!("resources whose ARN starts with {prefix}"),
            Self::Arn(arn) => format!("the resource {arn}"),
            Self::ArnSuffix(suffix) => format!("resources whose ARN ends with {suffix}"),
        }
    }
}

impl NetworkRule {
    /// E.g. "Network activity events (calls through VPC endpoints) for AWS KMS"; no full stop.
    pub fn summary(&self) -> String {
        let service = match self.event_source.as_str() {
            "" => "any event source",
            source => service_name(source),
        };
        let head = format!("Network activity events (calls through VPC endpoints) for {service}");
        with_conditions(head, &conditions(&self.conditions))
    }
}

impl InsightType {
    /// E.g. "API call rate"; an unknown type verbatim.
    pub fn label(&self) -> &str {
        match self {
            Self::ApiCallRate => "API call rate",
            Self::ApiErrorRate => "API error rate",
            Self::Other(other) => other,
        }
    }
}

impl InsightRule {
    /// E.g. "API call rate (management and data events)".
    pub fn words(&self) -> String {
        let categories: Vec<String> = (self.categories.iter())
            .map(|category| match category {
                InsightCategory::Management => "management".to_owned(),
                InsightCategory::Data => "data".to_owned(),
                InsightCategory::Other(other) => other.clone(),
            })
            .collect();
        format!(
            "{} ({} events)",
            self.insight_type.label(),
            join_words(&categories, "and")
        )
    }
}

/// Every condition in words, in order.
fn conditions(conditions: &[Condition]) -> Vec<String> {
    conditions.iter().flat_map(Condition::phrases).collect()
}

impl Condition {
    /// The condition in words: one phrase for its SELECT values, one for its DESELECTs.
    pub fn phrases(&self) -> Vec<String> {
        let values = |operator: Operator| {
            (self.tests.iter())
                .filter(move |(op, _)| *op == operator)
                .flat_map(|(_, values)| values.iter())
        };
        let count: usize = self.tests.iter().map(|(_, values)| values.len()).sum();
        if self.field == "sessionCredentialFromConsole" && count == 1 {
            let console = "the call comes from an AWS Management Console session";
            match (
                values(Operator::Equals).next(),
                values(Operator::NotEquals).next(),
            ) {
                (Some(v), _) if v == "true" => return vec![console.to_owned()],
                (_, Some(v)) if v == "true" => {
                    return vec![console.replace("comes", "does not come")];
                }
                _ => {}
            }
        }
        let (mut selects, mut deselects) = (Vec::new(), Vec::new());
        for (operator, values) in self.tests.iter().filter(|(_, v)| !v.is_empty()) {
            let listed: Vec<String> = values.iter().map(|v| value_label(&self.field, v)).collect();
            let (words, many) = match operator {
                Operator::Equals => ("is", ""),
                Operator::StartsWith => ("starts with", ""),
                Operator::EndsWith => ("ends with", ""),
                Operator::NotEquals => ("is not", "is none of"),
                Operator::NotStartsWith => ("does not start with", "starts with none of"),
                Operator::NotEndsWith => ("does not end with", "ends with none of"),
            };
            match listed.as_slice() {
                _ if !operator.is_negated() => {
                    selects.push(format!("{words} {}", join_words(&listed, "or")));
                }
                [one] => deselects.push(format!("{words} {one}")),
                _ => deselects.push(format!("{many} {}", listed.join(", "))),
            }
        }
        let subject = field_label(&self.field);
        [(selects, "or"), (deselects, "and")]
            .into_iter()
            .filter(|(parts, _)| !parts.is_empty())
            .map(|(parts, conjunction)| format!("{subject} {}", join_words(&parts, conjunction)))
            .collect()
    }
}

fn field_label(field: &str) -> &str {
    match field {
        "eventName" => "event name",
        "eventSource" => "event source",
        "eventType" => "event type",
        "userIdentity.arn" => "user identity ARN",
        "resources.ARN" => "resource ARN",
        "resources.type" => "resource type",
        "errorCode" => "error code",
        "vpcEndpointId" => "VPC endpoint ID",
        "readOnly" => "the read-only flag",
        "sessionCredentialFromConsole" => "the console-session flag",
        other => other,
    }
}

fn value_label(field: &str, value: &str) -> String {
    match (field, value) {
        ("eventSource", source) => service_name(source).to_owned(),
        ("errorCode", "VpceAccessDenied") => {
            "VpceAccessDenied (denied by a VPC endpoint policy)".to_owned()
        }
        (_, other) => other.to_owned(),
    }
}

/// A person's name for an event source, or the source itself.
fn service_name(source: &str) -> &str {
    match source {
        "kms.amazonaws.com" => "AWS KMS",
        "rdsdata.amazonaws.com" => "Amazon RDS Data API",
        "s3.amazonaws.com" => "Amazon S3",
        "ec2.amazonaws.com" => "Amazon EC2",
        "cloudtrail.amazonaws.com" => "AWS CloudTrail",
        "secretsmanager.amazonaws.com" => "AWS Secrets Manager",
        "lambda.amazonaws.com" => "AWS Lambda",
        "dynamodb.amazonaws.com" => "Amazon DynamoDB",
        "iam.amazonaws.com" => "AWS IAM",
        "sts.amazonaws.com" => "AWS STS",
        "sns.amazonaws.com" => "Amazon SNS",
        "sqs.amazonaws.com" => "Amazon SQS",
        "rds.amazonaws.com" => "Amazon RDS",
        "ssm.amazonaws.com" => "AWS Systems Manager",
        "monitoring.amazonaws.com" => "Amazon CloudWatch",
        "bedrock.amazonaws.com" => "Amazon Bedrock",
        other => other,
    }
}

fn access_phrase(read: bool, write: bool) -> &'static str {
    match (read, write) {
        (true, true) => "Read and write",
        (true, false) => "Read-only",
        (false, true) => "Write-only",
        (false, false) => "No",
    }
}

fn with_conditions(head: String, conditions: &[String]) -> String {
    match conditions {
        [] => head,
        _ => format!("{head}, only when {}", join_words(conditions, "and")),
    }
}

/// `a`, `a or b`, `a, b or c`.
fn join_words(items: &[String], conjunction: &str) -> String {
    match items {
        [] => String::new(),
        [only] => only.clone(),
        [init @ .., last] => format!("{} {conjunction} {last}", init.join(", ")),
    }
}
