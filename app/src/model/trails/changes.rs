//! What changed between two trail snapshots: trails that appeared or went, logging turned on or off,
//! validation, encryption, multi-Region and selector changes. A stopped trail is the first thing an intruder
//! touches; this is how the Trails page says so, and when.
use super::{TrailRecord, TrailsSnapshot};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Changes between two snapshots, each a sentence about one trail.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SnapshotChanges {
    /// When the earlier snapshot was taken (epoch seconds).
    pub since: i64,
    /// When the later snapshot was taken: epoch seconds UTC.
    pub until: i64,
    /// One sentence per change, e.g. that a trail stopped logging.
    pub changes: Vec<String>,
}

/// Each trail once, by ARN: its home listing when there is one.
fn trails_by_arn(snapshot: &TrailsSnapshot) -> BTreeMap<&str, &TrailRecord> {
    let mut trails: BTreeMap<&str, &TrailRecord> = BTreeMap::new();
    for region in &snapshot.regions {
        for record in &region.trails {
            let is_home = record.trail.home_region.as_deref() == Some(region.region.as_str());
            let entry = trails
                .entry(record.trail.trail_arn.as_str())
                .or_insert(record);
            if is_home {
                *entry = record;
            }
        }
    }
    trails
}

fn on_off(value: Option<bool>) -> &'static str {
    if value == Some(true) { "on" } else { "off" }
}

/// What changed from `before` to `after`, trail by trail (by ARN).
pub fn changes(before: &TrailsSnapshot, after: &TrailsSnapshot) -> SnapshotChanges {
    let (old, new) = (trails_by_arn(before), trails_by_arn(after));
    let mut changes = Vec::new();
    for (arn, record) in &new {
        let name = &record.trail.name;
        let Some(previous) = old.get(arn) else {
            changes.push(format!("Trail {name} appeared ({arn})."));
            continue;
        };
        let logging = |r: &TrailRecord| r.status.as_ref().map(|s| s.is_logging);
        match (logging(previous), logging(record)) {
            (Some(true), Some(false)) => changes.push(format!("Trail {name} stopped logging.")),
            (Some(false), Some(true)) => changes.push(format!("Trail {name} started logging.")),
            _ => {}
        }
        let (p, t) = (&previous.trail, &record.trail);
        if p.log_file_validation_enabled != t.log_file_validation_enabled {
            changes.push(format!(
                "Trail {name}: log file validation turned {}.",
                on_off(t.log_file_validation_enabled)
            ));
        }
        if p.is_multi_region_trail != t.is_multi_region_trail {
            changes.push(format!(
                "Trail {name}: multi-Region turned {}.",
                on_off(t.is_multi_region_trail)
            ));
        }
        if p.kms_key_id != t.kms_key_id {
            changes.push(match &t.kms_key_id {
                Some(key) => format!("Trail {name}: now encrypted with KMS key {key}."),
                None => format!("Trail {name}: KMS encryption removed."),
            });
        }
        if p.s3_bucket_name != t.s3_bucket_name || p.s3_key_prefix != t.s3_key_prefix {
            changes.push(format!(
                "Trail {name}: now delivers to bucket {}.",
                t.s3_bucket_name.as_deref().unwrap_or("(none)")
            ));
        }
        if previous.event_selectors.event_selectors != record.event_selectors.event_selectors
            || previous.event_selectors.advanced_event_selectors
                != record.event_selectors.advanced_event_selectors
        {
            changes.push(format!("Trail {name}: event selectors changed."));
        }
        if previous.insight_selectors.insight_selectors
            != record.insight_selectors.insight_selectors
        {
            changes.push(format!("Trail {name}: Insights selectors changed."));
        }
    }
    for (arn, record) in &old {
        if !new.contains_key(arn) {
            changes.push(format!("Trail {} is gone ({arn}).", record.trail.name));
        }
    }
    SnapshotChanges {
        since: before.taken_at,
        until: after.taken_at,
        changes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn snapshot(taken_at: i64, trails: serde_json::Value) -> TrailsSnapshot {
        serde_json::from_value(serde_json::json!({
            "taken_at": taken_at,
            "regions": [{ "account": "111122223333", "region": "us-east-1", "outcome": { "state": "ok" }, "trails": trails }]
        }))
        .expect("snapshot")
    }

    fn trail(name: &str, logging: bool, validation: bool) -> serde_json::Value {
        serde_json::json!({
            "trail": { "Name": name, "TrailARN": format!("arn:aws:cloudtrail:us-east-1:111122223333:trail/{name}"),
                       "HomeRegion": "us-east-1", "LogFileValidationEnabled": validation },
            "status": { "IsLogging": logging },
            "status_error": null, "selectors_error": null,
            "event_selectors": {}, "insight_selectors": {}
        })
    }

    #[test]
    fn stopped_trails_validation_and_new_or_gone_trails_are_named() {
        let before = snapshot(
            100,
            serde_json::json!([trail("main", true, true), trail("old", true, true)]),
        );
        let after = snapshot(
            200,
            serde_json::json!([trail("main", false, false), trail("new", true, true)]),
        );
        let diff = changes(&before, &after);
        assert_eq!((diff.since, diff.until), (100, 200));
        assert_eq!(
            diff.changes,
            [
                "Trail main stopped logging.",
                "Trail main: log file validation turned off.",
                "Trail new appeared (arn:aws:cloudtrail:us-east-1:111122223333:trail/new).",
                "Trail old is gone (arn:aws:cloudtrail:us-east-1:111122223333:trail/old).",
            ]
        );
        assert!(changes(&after, &after).changes.is_empty());
    }
}
