//! The demo's trails snapshot, in CloudTrail's wire shapes, with the problems a real estate has: an
//! organization trail with every safeguard in production, a second production trail copying management events
//! in us-west-2 (billed twice), a data-events trail on all S3 buckets, staging's only trail stopped by the
//! intruder, a legacy staging trail with validation off and an S3 delivery error, a development account with
//! Regions no trail logs and a stale delivery, and an opt-in Region not enabled anywhere.
use super::catalog::{ACCOUNTS, REGIONS};
use super::incidents::staging_trail_stopped_at;
use crate::model::selectors::{
    AdvancedEventSelector, EventSelector, EventSelectorsResponse, FieldSelector, InsightSelector,
    InsightSelectorsResponse,
};
use crate::model::time::{HOUR, MINUTE};
use crate::model::trails::{
    RegionOutcome, RegionTrails, Trail, TrailRecord, TrailStatus, TrailsSnapshot,
};

/// An opt-in Region none of the demo accounts enabled.
const NOT_ENABLED_REGION: &str = "af-south-1";

struct DemoTrail {
    account: &'static str,
    name: &'static str,
    home: &'static str,
    multi_region: bool,
    organization: bool,
    validation: bool,
    kms: bool,
    cloudwatch: bool,
    /// Seconds before `end` of the last delivery; `None` when the trail is stopped.
    delivered_ago: Option<i64>,
    delivery_error: Option<&'static str>,
    selectors: fn() -> EventSelectorsResponse,
    insights: bool,
}

fn all_management() -> EventSelectorsResponse {
    EventSelectorsResponse {
        event_selectors: vec![EventSelector {
            read_write_type: Some("All".to_owned()),
            include_management_events: Some(true),
            ..EventSelector::default()
        }],
        ..EventSelectorsResponse::default()
    }
}

fn field(name: &str, equals: &[&str]) -> FieldSelector {
    FieldSelector {
        field: name.to_owned(),
        equals: equals.iter().map(|v| (*v).to_owned()).collect(),
        ..FieldSelector::default()
    }
}

/// Advanced selectors: every S3 object and every Lambda function, read and write; no management events.
fn all_s3_and_lambda_data() -> EventSelectorsResponse {
    let data = |name: &str, resource: &str| AdvancedEventSelector {
        name: Some(name.to_owned()),
        field_selectors: vec![
            field("eventCategory", &["Data"]),
            field("resources.type", &[resource]),
        ],
    };
    EventSelectorsResponse {
        advanced_event_selectors: vec![
            data("All S3 objects", "AWS::S3::Object"),
            data("All Lambda functions", "AWS::Lambda::Function"),
        ],
        ..EventSelectorsResponse::default()
    }
}

fn trails() -> [DemoTrail; 7] {
    let (prod, staging, dev) = (ACCOUNTS[0].id, ACCOUNTS[1].id, ACCOUNTS[2].id);
    let base = |account, name, home| DemoTrail {
        account,
        name,
        home,
        multi_region: false,
        organization: false,
        validation: true,
        kms: false,
        cloudwatch: false,
        delivered_ago: Some(4 * MINUTE),
        delivery_error: None,
        selectors: all_management,
        insights: false,
    };
    [
        DemoTrail {
            multi_region: true,
            organization: true,
            kms: true,
            cloudwatch: true,
            insights: true,
            delivered_ago: Some(3 * MINUTE),
            ..base(prod, "org-trail", "us-east-1")
        },
        DemoTrail {
            multi_region: true,
            selectors: all_s3_and_lambda_data,
            ..base(prod, "s3-lambda-data-events", "us-east-1")
        },
        DemoTrail {
            validation: false,
            ..base(prod, "security-team-copy", "us-west-2")
        },
        DemoTrail {
            multi_region: true,
            delivered_ago: None,
            ..base(staging, "management-events", "us-east-1")
        },
        DemoTrail {
            validation: false,
            delivery_error: Some("AccessDenied"),
            delivered_ago: Some(19 * HOUR),
            ..base(staging, "legacy-eu", "eu-west-1")
        },
        base(dev, "dev-trail", "us-east-1"),
        DemoTrail {
            delivered_ago: Some(3 * HOUR + 10 * MINUTE),
            ..base(dev, "dev-usw2", "us-west-2")
        },
    ]
}

fn record(t: &DemoTrail, end: i64) -> TrailRecord {
    let arn = format!(
        "arn:aws:cloudtrail:{}:{}:trail/{}",
        t.home, t.account, t.name
    );
    let at = |secs: i64| Some(secs as f64);
    let stopped_at = staging_trail_stopped_at(end);
    let status = TrailStatus {
        is_logging: t.delivered_ago.is_some(),
        latest_delivery_time: at(end - t.delivered_ago.unwrap_or(end - stopped_at)),
        latest_delivery_error: t.delivery_error.map(str::to_owned),
        latest_digest_delivery_time: if t.validation {
            at(end - t.delivered_ago.unwrap_or(end - stopped_at) - 20 * MINUTE)
        } else {
            None
        },
        latest_cloud_watch_logs_delivery_time: if t.cloudwatch { at(end - MINUTE) } else { None },
        start_logging_time: at(end - 400 * 24 * HOUR),
        stop_logging_time: if t.delivered_ago.is_none() {
            at(stopped_at)
        } else {
            None
        },
        ..TrailStatus::default()
    };
    let bucket = bucket_name(t);
    let selectors = (t.selectors)();
    TrailRecord {
        trail: Trail {
            name: t.name.to_owned(),
            trail_arn: arn.clone(),
            home_region: Some(t.home.to_owned()),
            s3_bucket_name: Some(bucket),
            s3_key_prefix: None,
            sns_topic_arn: None,
            include_global_service_events: Some(true),
            is_multi_region_trail: Some(t.multi_region),
            is_organization_trail: Some(t.organization),
            log_file_validation_enabled: Some(t.validation),
            cloud_watch_logs_log_group_arn: t.cloudwatch.then(|| {
                format!(
                    "arn:aws:logs:{}:{}:log-group:cloudtrail:*",
                    t.home, t.account
                )
            }),
            cloud_watch_logs_role_arn: t
                .cloudwatch
                .then(|| format!("arn:aws:iam::{}:role/CloudTrailToCloudWatch", t.account)),
            kms_key_id: t.kms.then(|| {
                format!(
                    "arn:aws:kms:{}:{}:key/1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b",
                    t.home, t.account
                )
            }),
            has_custom_event_selectors: Some(!selectors.advanced_event_selectors.is_empty()),
            has_insight_selectors: Some(t.insights),
        },
        status: Some(status),
        status_error: None,
        event_selectors: EventSelectorsResponse {
            trail_arn: Some(arn.clone()),
            ..selectors
        },
        insight_selectors: InsightSelectorsResponse {
            trail_arn: Some(arn),
            insight_selectors: if t.insights {
                ["ApiCallRateInsight", "ApiErrorRateInsight"]
                    .iter()
                    .map(|kind| InsightSelector {
                        insight_type: Some((*kind).to_owned()),
                        event_categories: vec!["Management".to_owned()],
                    })
                    .collect()
            } else {
                Vec::new()
            },
        },
        selectors_error: None,
    }
}

fn bucket_name(t: &DemoTrail) -> String {
    format!("cloudtrail-{}-{}", t.account, t.name)
}

/// A trail the demo writes digest files for.
pub(super) struct DigestTrail {
    /// Index of its account in `ACCOUNTS`.
    pub account: usize,
    pub name: &'static str,
    pub home: &'static str,
    /// The Regions it logs (and has digests) in.
    pub regions: Vec<&'static str>,
    /// Its S3 bucket, as its digests name it.
    pub bucket: String,
    /// Its last delivery (epoch seconds): no digest ends after it.
    pub last_delivery_secs: i64,
}

/// The trails with log file validation on that log management events: their digests list the demo's log
/// files (which are per account and Region, not per trail, so a data-events-only trail gets none).
pub(super) fn digest_trails(end: i64) -> Vec<DigestTrail> {
    trails()
        .iter()
        .filter(|t| t.validation && !(t.selectors)().event_selectors.is_empty())
        .filter_map(|t| {
            let account = ACCOUNTS.iter().position(|a| a.id == t.account)?;
            let regions = REGIONS
                .iter()
                .map(|(r, _)| *r)
                .filter(|r| t.multi_region || *r == t.home)
                .collect();
            Some(DigestTrail {
                account,
                name: t.name,
                home: t.home,
                regions,
                bucket: bucket_name(t),
                last_delivery_secs: match t.delivered_ago {
                    Some(ago) => end - ago,
                    None => staging_trail_stopped_at(end),
                },
            })
        })
        .collect()
}

/// The snapshot as collection would have taken it at `end`: every demo account in every demo Region (plus one
/// opt-in Region they never enabled), each listing the trails DescribeTrails would show there.
pub fn demo_trails(end: i64) -> TrailsSnapshot {
    let trails = trails();
    let org_accounts: Vec<&str> = ACCOUNTS
        .iter()
        .filter(|a| a.org_id.is_some())
        .map(|a| a.id)
        .collect();
    let mut regions = Vec::new();
    for account in ACCOUNTS.iter().map(|a| a.id) {
        for region in REGIONS.iter().map(|(r, _)| *r).chain([NOT_ENABLED_REGION]) {
            if region == NOT_ENABLED_REGION {
                regions.push(RegionTrails {
                    account: account.to_owned(),
                    region: region.to_owned(),
                    outcome: RegionOutcome::NotEnabled,
                    trails: Vec::new(),
                });
                continue;
            }
            let listed = trails
                .iter()
                .filter(|t| {
                    let owns =
                        t.account == account || (t.organization && org_accounts.contains(&account));
                    owns && (t.home == region || t.multi_region)
                })
                .map(|t| record(t, end))
                .collect();
            regions.push(RegionTrails {
                account: account.to_owned(),
                region: region.to_owned(),
                outcome: RegionOutcome::Ok,
                trails: listed,
            });
        }
    }
    TrailsSnapshot {
        taken_at: end,
        regions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::trails::analysis::{CoverageState, GapKind, matrix};

    #[test]
    fn the_demo_snapshot_shows_the_planted_problems() {
        let end = 1_795_694_400;
        let coverage = matrix(&demo_trails(end));
        let (prod, staging, dev) = (ACCOUNTS[0].id, ACCOUNTS[1].id, ACCOUNTS[2].id);
        let state = |account: &str, region: &str| {
            coverage
                .cells
                .iter()
                .find(|c| c.account == account && c.region == region)
                .map(|c| c.state)
        };
        for region in REGIONS.iter().map(|(r, _)| *r) {
            assert_eq!(
                state(prod, region),
                Some(CoverageState::Covered),
                "{region}"
            );
        }
        assert_eq!(
            state(staging, "us-east-1"),
            Some(CoverageState::NotCovered),
            "the intruder stopped staging's only all-Region trail"
        );
        assert_eq!(
            state(staging, "eu-west-1"),
            Some(CoverageState::StaleDelivery)
        );
        assert_eq!(state(dev, "eu-west-1"), Some(CoverageState::NotCovered));
        assert_eq!(state(dev, "us-west-2"), Some(CoverageState::StaleDelivery));
        assert_eq!(state(dev, "us-east-1"), Some(CoverageState::Covered));
        for account in [prod, staging, dev] {
            assert_eq!(
                state(account, NOT_ENABLED_REGION),
                Some(CoverageState::NotEnabled)
            );
        }
        let has_gap = |kind: GapKind, text: &str| {
            coverage
                .gaps
                .iter()
                .any(|g| g.kind == kind && g.message.contains(text))
        };
        assert!(
            has_gap(GapKind::DuplicateManagementEvents, "security-team-copy"),
            "{:#?}",
            coverage.gaps
        );
        assert!(
            has_gap(GapKind::DeliveryError, "AccessDenied"),
            "{:#?}",
            coverage.gaps
        );
        assert!(
            has_gap(GapKind::TrailStopped, "management-events"),
            "{:#?}",
            coverage.gaps
        );
        assert!(
            has_gap(GapKind::ValidationOff, "legacy-eu"),
            "{:#?}",
            coverage.gaps
        );
        let cis = |account: &str, control: &str| {
            coverage
                .cis
                .iter()
                .find(|c| c.account == account && c.control == control)
                .map(|c| c.passed)
        };
        assert_eq!(cis(prod, "3.1"), Some(true));
        assert_eq!(cis(prod, "3.8"), Some(true), "the S3 data-events trail");
        assert_eq!(cis(staging, "3.1"), Some(false));
        assert_eq!(cis(dev, "3.1"), Some(false), "single-Region trails only");
    }
}
