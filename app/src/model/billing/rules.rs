//! Which events a trail delivers, read from its selectors' typed facts. Each rule names the AWS page it
//! follows. Matching is per event class (see [`EventClass`]): a class is delivered or not as a whole, so
//! where a selector narrows below what volumes are counted by (an object prefix inside a bucket, an
//! `eventName` condition), the whole class counts as delivered and the estimate is an upper bound.
use super::inputs::{BillingTrail, EventClass};
use crate::model::selectors::{
    DataRule, DataScope, InsightCategory, InsightType, Management, ResourceMatch, ResourceType,
    Selected,
};

/// Whether `trail` delivers events of `class` (in an account and Region it covers).
pub fn delivers(trail: &BillingTrail, class: &EventClass) -> bool {
    let s = &trail.selectors;
    match class {
        EventClass::Management {
            read_only,
            event_source,
        } => delivers_management(&s.management, *read_only, event_source.as_deref()),
        EventClass::Data {
            resource_type,
            read_only,
            resource,
        } => {
            let resource_type = ResourceType::parse(resource_type);
            s.data.iter().any(|rule| {
                rule.resource_type == resource_type
                    && if *read_only { rule.read } else { rule.write }
                    && covers(rule, resource.as_deref())
            })
        }
        // "Logging network activity events": one selector per event source; conditions (errorCode,
        // vpcEndpointId) only narrow it, so the class counts as delivered.
        EventClass::NetworkActivity { event_source } => s
            .network_activity
            .iter()
            .any(|rule| &rule.event_source == event_source),
    }
}

/// Management events of one kind and source: the kind must be logged, and the source not excluded
/// ("Logging management events": `ExcludeManagementEventSources` takes AWS KMS and the RDS Data API;
/// advanced selectors' `eventSource NotEquals` per kind).
pub fn delivers_management(m: &Management, read_only: bool, event_source: Option<&str>) -> bool {
    let kind = if read_only { m.read } else { m.write };
    let Some(source) = event_source else {
        return kind;
    };
    let per_kind = if read_only {
        &m.excluded_from_reads
    } else {
        &m.excluded_from_writes
    };
    kind && !m.excluded_sources.iter().any(|s| s == source) && !per_kind.iter().any(|s| s == source)
}

/// Whether a data rule covers events on `resource` (the bucket name for S3 objects, the ARN otherwise;
/// `None` for events that name none, which only a rule on every resource covers).
fn covers(rule: &DataRule, resource: Option<&str>) -> bool {
    let DataScope { selected, except } = &rule.scope;
    let Some(resource) = resource else {
        return *selected == Selected::All;
    };
    let t = &rule.resource_type;
    let selected = match selected {
        Selected::All => true,
        Selected::Any(matches) => matches
            .iter()
            .any(|m| matches_resource(t, m, resource, true)),
    };
    selected
        && !except
            .iter()
            .any(|m| matches_resource(t, m, resource, false))
}

/// Whether `m` takes in the events on `resource`. `partial` says what a match on part of the resource
/// (a prefix inside a bucket) counts as: covered when selecting (an upper bound), not excluded when
/// excepting.
fn matches_resource(t: &ResourceType, m: &ResourceMatch, resource: &str, partial: bool) -> bool {
    let s3 = *t == ResourceType::S3Object;
    let bucket_of = |path: &str| path.split('/').next().unwrap_or(path).to_owned();
    // The resource's ARN as selectors write it: `arn:aws:s3:::bucket/` for a bucket's objects.
    let arn = if s3 {
        format!("arn:aws:s3:::{resource}/")
    } else {
        resource.to_owned()
    };
    match m {
        ResourceMatch::Every => true,
        ResourceMatch::Bucket(bucket) => s3 && bucket == resource,
        ResourceMatch::BucketNamePrefix(prefix) => s3 && resource.starts_with(prefix.as_str()),
        ResourceMatch::ObjectPrefix(path) | ResourceMatch::Object(path) => {
            partial && s3 && bucket_of(path) == resource
        }
        ResourceMatch::Function {
            name,
            region,
            account,
        } => arn_names(
            resource,
            "lambda",
            region,
            account,
            &format!("function:{name}"),
        ),
        ResourceMatch::Table {
            name,
            region,
            account,
        } => arn_names(
            resource,
            "dynamodb",
            region,
            account,
            &format!("table/{name}"),
        ),
        ResourceMatch::ArnPrefix(prefix) => {
            arn.starts_with(prefix.as_str()) || (partial && prefix.starts_with(arn.as_str()))
        }
        ResourceMatch::Arn(exact) => {
            arn == *exact
                || (!s3 && exact.starts_with(&format!("{arn}:")))
                || (partial && s3 && exact.starts_with(arn.as_str()))
        }
        ResourceMatch::ArnSuffix(suffix) => !s3 && arn.ends_with(suffix.as_str()),
    }
}

/// `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE…` names this resource (a Lambda version or alias
/// qualifier after it still matches the function).
fn arn_names(arn: &str, service: &str, region: &str, account: &str, resource: &str) -> bool {
    let mut parts = arn.splitn(6, ':');
    let (_, _, svc, reg, acct, rest) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next().unwrap_or(""),
    );
    svc == Some(service)
        && reg == Some(region)
        && acct == Some(account)
        && (rest == resource || rest.starts_with(&format!("{resource}:")))
}

/// How many times Insights analyzes each management event of a kind, and each data event, on `trail`
/// ("Costs for Insights events": with both types on, write management events are analyzed twice (API
/// call rate and API error rate) and read events once (error rate only); data events are analyzed once
/// per type that covers data events). Returns (reads, writes, data).
pub fn insights_passes(trail: &BillingTrail) -> (u64, u64, u64) {
    let mut passes = (0, 0, 0);
    for rule in &trail.selectors.insights {
        let management = rule.categories.contains(&InsightCategory::Management);
        let data = rule.categories.contains(&InsightCategory::Data);
        match rule.insight_type {
            InsightType::ApiCallRate => {
                passes.1 += u64::from(management);
                passes.2 += u64::from(data);
            }
            InsightType::ApiErrorRate => {
                passes.0 += u64::from(management);
                passes.1 += u64::from(management);
                passes.2 += u64::from(data);
            }
            InsightType::Other(_) => {}
        }
    }
    passes
}

/// The trail's own log bucket is covered by one of its S3 data rules: it logs the `PutObject` of its own
/// deliveries, each delivery making more events to deliver ("Managing CloudTrail trail costs").
pub fn logs_own_bucket(trail: &BillingTrail) -> Option<usize> {
    let bucket = trail.s3_bucket_name.as_deref()?;
    trail.selectors.data.iter().position(|rule| {
        rule.resource_type == ResourceType::S3Object && rule.write && covers(rule, Some(bucket))
    })
}
