//! Reads trail configuration from AWS: per account and Region, `DescribeTrails` (shadow trails included) and
//! each listed trail's `GetTrailStatus` (status is per Region); then per trail, once, `GetEventSelectors` and
//! `GetInsightSelectors`; into the wire-shaped snapshot types. All Regions of an account are read at once; calls go through the SDK's standard retry
//! policy (throttling and 5xx are retried with backoff). A failure is recorded where it happened — a Region,
//! a trail's status, a trail's selectors — and never hides the rest.
use crate::model::selectors::{
    AdvancedEventSelector, DataResource, EventSelector, EventSelectorsResponse, FieldSelector,
    InsightSelector, InsightSelectorsResponse,
};
use crate::model::trails::{
    RegionOutcome, RegionTrails, Trail, TrailRecord, TrailStatus, TrailsSnapshot,
};
use crate::ssr::aws::clients::{AccountClients, AwsClients};
use crate::ssr::aws::{describe, means_region_not_enabled};
use aws_sdk_cloudtrail::Client;
use aws_sdk_cloudtrail::primitives::DateTime;
use std::collections::BTreeMap;

/// Reads every configured account and Region.
pub async fn collect(aws: &AwsClients, now: i64) -> TrailsSnapshot {
    let mut regions = Vec::new();
    for account in aws.accounts() {
        regions.extend(collect_account(account).await);
    }
    TrailsSnapshot {
        taken_at: now,
        regions,
    }
}

async fn collect_account(account: &AccountClients) -> Vec<RegionTrails> {
    let wanted = account.account().regions();
    let id = match account.id().await {
        Ok(id) => id,
        Err(error) => {
            return wanted
                .iter()
                .map(|region| RegionTrails {
                    account: account.account().label(),
                    region: region.clone(),
                    outcome: RegionOutcome::Failed {
                        error: error.to_string(),
                    },
                    trails: Vec::new(),
                })
                .collect();
        }
    };
    let mut clients = BTreeMap::new();
    for region in &wanted {
        match account.cloudtrail(region).await {
            Ok(client) => {
                clients.insert(region.clone(), client);
            }
            Err(error) => tracing::error!(%error, "a configured Region has no client"),
        }
    }
    let mut listings = tokio::task::JoinSet::new();
    for (region, client) in &clients {
        let (client, id, region) = (client.clone(), id.clone(), region.clone());
        listings.spawn(async move { collect_region(&client, &id, &region).await });
    }
    let mut regions = Vec::new();
    while let Some(listing) = listings.join_next().await {
        match listing {
            Ok(region) => regions.push(region),
            Err(error) => tracing::error!(%error, "a Region's collection task failed"),
        }
    }
    regions.sort_by(|a, b| a.region.cmp(&b.region));
    add_selectors(&mut regions, &clients).await;
    regions
}

/// Selectors belong to a trail, not to a Region: read each trail's once, in its home Region when that Region
/// is read too (outside it, shadow trails' selectors are not always answered), else where it is listed.
async fn add_selectors(regions: &mut [RegionTrails], clients: &BTreeMap<String, Client>) {
    let mut read_in: BTreeMap<String, String> = BTreeMap::new();
    for listing in regions.iter() {
        for record in &listing.trails {
            let home = record
                .trail
                .home_region
                .as_deref()
                .unwrap_or(&listing.region);
            let region = if clients.contains_key(home) {
                home
            } else {
                &listing.region
            };
            read_in
                .entry(record.trail.trail_arn.clone())
                .or_insert_with(|| region.to_owned());
        }
    }
    let mut reads = tokio::task::JoinSet::new();
    for (arn, region) in read_in {
        if let Some(client) = clients.get(&region) {
            let client = client.clone();
            reads.spawn(async move {
                let selectors = read_selectors(&client, &arn).await;
                (arn, selectors)
            });
        }
    }
    let mut read = BTreeMap::new();
    while let Some(result) = reads.join_next().await {
        match result {
            Ok((arn, selectors)) => {
                read.insert(arn, selectors);
            }
            Err(error) => tracing::error!(%error, "a trail's selector task failed"),
        }
    }
    for record in regions.iter_mut().flat_map(|r| r.trails.iter_mut()) {
        if let Some((events, insights, error)) = read.get(&record.trail.trail_arn) {
            record.event_selectors = events.clone();
            record.insight_selectors = insights.clone();
            record.selectors_error = error.clone();
        }
    }
}

type Selectors = (
    EventSelectorsResponse,
    InsightSelectorsResponse,
    Option<String>,
);

async fn read_selectors(client: &Client, arn: &str) -> Selectors {
    let (events, events_error) = match client.get_event_selectors().trail_name(arn).send().await {
        Ok(out) => (wire_event_selectors(&out), None),
        Err(error) => (EventSelectorsResponse::default(), Some(describe(&error))),
    };
    let (insights, insights_error) =
        match client.get_insight_selectors().trail_name(arn).send().await {
            Ok(out) => (wire_insight_selectors(&out), None),
            // AWS's normal answer for a trail without Insights.
            Err(error)
                if error
                    .as_service_error()
                    .is_some_and(|e| e.is_insight_not_enabled_exception()) =>
            {
                (InsightSelectorsResponse::default(), None)
            }
            Err(error) => (InsightSelectorsResponse::default(), Some(describe(&error))),
        };
    (events, insights, events_error.or(insights_error))
}

/// One account's Region.
pub async fn collect_region(client: &Client, account: &str, region: &str) -> RegionTrails {
    let mut out = RegionTrails {
        account: account.to_owned(),
        region: region.to_owned(),
        outcome: RegionOutcome::Ok,
        trails: Vec::new(),
    };
    let listed = match client
        .describe_trails()
        .include_shadow_trails(true)
        .send()
        .await
    {
        Ok(listed) => listed,
        Err(error) if means_region_not_enabled(&error, region) => {
            out.outcome = RegionOutcome::NotEnabled;
            return out;
        }
        Err(error) => {
            let error = describe(&error);
            tracing::warn!(account, region, %error, "DescribeTrails failed");
            out.outcome = RegionOutcome::Failed { error };
            return out;
        }
    };
    for trail in listed.trail_list() {
        out.trails.push(collect_trail(client, trail).await);
    }
    out
}

async fn collect_trail(client: &Client, trail: &aws_sdk_cloudtrail::types::Trail) -> TrailRecord {
    let trail = wire_trail(trail);
    // Shadow and organization trails must be named by ARN outside their home.
    let (status, status_error) = match client
        .get_trail_status()
        .name(&trail.trail_arn)
        .send()
        .await
    {
        Ok(status) => (Some(wire_status(&status)), None),
        Err(error) => (None, Some(describe(&error))),
    };
    TrailRecord {
        trail,
        status,
        status_error,
        event_selectors: EventSelectorsResponse::default(),
        insight_selectors: InsightSelectorsResponse::default(),
        selectors_error: None,
    }
}

fn epoch(time: Option<&DateTime>) -> Option<f64> {
    time.map(|t| t.secs() as f64 + f64::from(t.subsec_nanos()) / 1e9)
}

fn wire_trail(t: &aws_sdk_cloudtrail::types::Trail) -> Trail {
    let text = |v: Option<&str>| v.map(str::to_owned);
    Trail {
        name: t.name().unwrap_or_default().to_owned(),
        trail_arn: t.trail_arn().unwrap_or_default().to_owned(),
        home_region: text(t.home_region()),
        s3_bucket_name: text(t.s3_bucket_name()),
        s3_key_prefix: text(t.s3_key_prefix()),
        sns_topic_arn: text(t.sns_topic_arn()),
        include_global_service_events: t.include_global_service_events(),
        is_multi_region_trail: t.is_multi_region_trail(),
        is_organization_trail: t.is_organization_trail(),
        log_file_validation_enabled: t.log_file_validation_enabled(),
        cloud_watch_logs_log_group_arn: text(t.cloud_watch_logs_log_group_arn()),
        cloud_watch_logs_role_arn: text(t.cloud_watch_logs_role_arn()),
        kms_key_id: text(t.kms_key_id()),
        has_custom_event_selectors: t.has_custom_event_selectors(),
        has_insight_selectors: t.has_insight_selectors(),
    }
}

fn wire_status(
    s: &aws_sdk_cloudtrail::operation::get_trail_status::GetTrailStatusOutput,
) -> TrailStatus {
    // AWS leaves a never-set error absent; an empty string means the same.
    let error = |v: Option<&str>| v.filter(|e| !e.is_empty()).map(str::to_owned);
    TrailStatus {
        is_logging: s.is_logging().unwrap_or(false),
        latest_delivery_time: epoch(s.latest_delivery_time()),
        latest_delivery_error: error(s.latest_delivery_error()),
        latest_digest_delivery_time: epoch(s.latest_digest_delivery_time()),
        latest_digest_delivery_error: error(s.latest_digest_delivery_error()),
        latest_notification_time: epoch(s.latest_notification_time()),
        latest_notification_error: error(s.latest_notification_error()),
        latest_cloud_watch_logs_delivery_time: epoch(s.latest_cloud_watch_logs_delivery_time()),
        latest_cloud_watch_logs_delivery_error: error(s.latest_cloud_watch_logs_delivery_error()),
        start_logging_time: epoch(s.start_logging_time()),
        stop_logging_time: epoch(s.stop_logging_time()),
    }
}

fn wire_event_selectors(
    out: &aws_sdk_cloudtrail::operation::get_event_selectors::GetEventSelectorsOutput,
) -> EventSelectorsResponse {
    EventSelectorsResponse {
        trail_arn: out.trail_arn().map(str::to_owned),
        event_selectors: out
            .event_selectors()
            .iter()
            .map(|s| EventSelector {
                read_write_type: s.read_write_type().map(|t| t.as_str().to_owned()),
                include_management_events: s.include_management_events(),
                data_resources: s
                    .data_resources()
                    .iter()
                    .map(|r| DataResource {
                        resource_type: r.r#type().map(str::to_owned),
                        values: r.values().to_vec(),
                    })
                    .collect(),
                exclude_management_event_sources: s.exclude_management_event_sources().to_vec(),
            })
            .collect(),
        advanced_event_selectors: out
            .advanced_event_selectors()
            .iter()
            .map(|s| AdvancedEventSelector {
                name: s.name().map(str::to_owned),
                field_selectors: s
                    .field_selectors()
                    .iter()
                    .map(|f| FieldSelector {
                        field: f.field().to_owned(),
                        equals: f.equals().to_vec(),
                        starts_with: f.starts_with().to_vec(),
                        ends_with: f.ends_with().to_vec(),
                        not_equals: f.not_equals().to_vec(),
                        not_starts_with: f.not_starts_with().to_vec(),
                        not_ends_with: f.not_ends_with().to_vec(),
                    })
                    .collect(),
            })
            .collect(),
    }
}

fn wire_insight_selectors(
    out: &aws_sdk_cloudtrail::operation::get_insight_selectors::GetInsightSelectorsOutput,
) -> InsightSelectorsResponse {
    InsightSelectorsResponse {
        trail_arn: out.trail_arn().map(str::to_owned),
        insight_selectors: out
            .insight_selectors()
            .iter()
            .map(|s| InsightSelector {
                insight_type: s.insight_type().map(|t| t.as_str().to_owned()),
                event_categories: s
                    .event_categories()
                    .iter()
                    .map(|c| c.as_str().to_owned())
                    .collect(),
            })
            .collect(),
    }
}
