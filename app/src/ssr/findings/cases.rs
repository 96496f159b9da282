//! The built-in rules' test cases: each `app/rules/NAME.yml` has `NAME.cases.json` beside it, with records that
//! must make it fire (`match`) and records that must not (`no_match`). A case is a merge patch (RFC 7396) over an
//! IAM user's management event shaped like the examples of the CloudTrail User Guide ("CloudTrail record
//! contents"), optionally repeated (`repeat` times, `every_secs` apart, `{n}` in its strings replaced by the
//! repetition's number) and followed by further steps (`then`, each `after_secs` after the previous step's last
//! record) for correlations.
use super::builtin::BUILTIN;
use super::engine::Evaluator;
use super::rules::RuleSet;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::path::PathBuf;

#[derive(Deserialize)]
struct Cases {
    #[serde(rename = "match")]
    matching: Vec<Case>,
    no_match: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    note: String,
    #[serde(flatten)]
    first: Step,
    #[serde(default)]
    then: Vec<Step>,
}

/// One record, repeated.
#[derive(Deserialize)]
struct Step {
    record: Value,
    #[serde(default = "one")]
    repeat: u32,
    #[serde(default)]
    every_secs: i64,
    /// Seconds from the previous step's last record to this step's first.
    #[serde(default)]
    after_secs: i64,
}

fn one() -> u32 {
    1
}

/// 2026-11-20T10:00:00Z.
const BASE_TIME_SECS: i64 = 1_795_682_400;

fn base(n: u32, time_secs: i64) -> Value {
    json!({
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "IAMUser",
            "principalId": "AIDAEXAMPLEPRINCIPAL1",
            "arn": "arn:aws:iam::111122223333:user/alice",
            "accountId": "111122223333",
            "accessKeyId": "AKIAEXAMPLEACCESSKEY",
            "userName": "alice"
        },
        "eventTime": crate::model::time::format_rfc3339(time_secs),
        "eventSource": "sts.amazonaws.com",
        "eventName": "GetCallerIdentity",
        "awsRegion": "us-east-1",
        "sourceIPAddress": "198.51.100.7",
        "userAgent": "aws-cli/2.15.30 Python/3.11.8 Linux/6.1 exe/x86_64",
        "requestParameters": null,
        "responseElements": null,
        "requestID": format!("7d4b2a1c-0000-4000-8000-{n:012}"),
        "eventID": format!("3f0c9b6e-0000-4000-8000-{n:012}"),
        "readOnly": false,
        "eventType": "AwsApiCall",
        "managementEvent": true,
        "recipientAccountId": "111122223333",
        "eventCategory": "Management"
    })
}

fn merge(target: &mut Value, patch: &Value) {
    match (target, patch) {
        (Value::Object(target), Value::Object(patch)) => {
            for (key, value) in patch {
                if value.is_null() {
                    target.remove(key);
                } else {
                    merge(target.entry(key.clone()).or_insert(Value::Null), value);
                }
            }
        }
        (target, patch) => *target = patch.clone(),
    }
}

/// `patch` with `{n}` in its strings replaced by `n`.
fn numbered(patch: &Value, n: u32) -> Value {
    match patch {
        Value::String(text) => Value::String(text.replace("{n}", &n.to_string())),
        Value::Array(items) => Value::Array(items.iter().map(|v| numbered(v, n)).collect()),
        Value::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| (k.clone(), numbered(v, n)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The rule ids that fire on the case's records, evaluated in order with fresh windows; with
/// `restart_between_records`, each record meets a new engine that continues from the windows the previous one
/// saved (as after a restart of the server).
fn fired(rules: &RuleSet, case: &Case, restart_between_records: bool) -> BTreeSet<String> {
    let mut evaluator = Evaluator::new(rules).expect("the built-in rules compile");
    let mut ids = BTreeSet::new();
    let mut time = BASE_TIME_SECS;
    let mut count = 0;
    for (index, step) in std::iter::once(&case.first).chain(&case.then).enumerate() {
        if index > 0 {
            time += step.after_secs;
        }
        for n in 0..step.repeat {
            if n > 0 {
                time += step.every_secs;
            }
            if restart_between_records {
                let windows = evaluator.export_state();
                evaluator = Evaluator::new(rules).expect("the built-in rules compile");
                evaluator.import_state(&windows).expect("the windows load");
            }
            let mut record = base(count, time);
            count += 1;
            merge(&mut record, &numbered(&step.record, n));
            ids.extend(
                evaluator
                    .process(&record, time)
                    .into_iter()
                    .map(|m| m.rule_id),
            );
        }
    }
    ids
}

fn rules_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("rules")
}

fn cases_of(name: &str) -> Option<Cases> {
    let text = std::fs::read_to_string(rules_dir().join(format!("{name}.cases.json"))).ok()?;
    Some(serde_json::from_str(&text).expect("cases parse"))
}

#[test]
fn every_built_in_rule_loads_with_its_metadata() {
    let rules = RuleSet::load(None);
    assert_eq!(rules.problems(), [], "built-in rules must all load");
    for (name, text) in BUILTIN {
        let file = format!("builtin:{name}");
        let made: Vec<_> = rules.info().values().filter(|i| i.file == file).collect();
        assert_eq!(made.len(), 1, "{name} makes exactly one kind of finding");
        let info = made[0];
        assert!(info.description.is_some(), "{name} has a description");
        assert!(
            info.fix.as_deref().is_some_and(|f| f.len() > 20),
            "{name} has a fix"
        );
        assert_eq!(
            info.license.as_deref(),
            Some("Apache-2.0"),
            "{name} has a licence"
        );
        assert!(text.contains("\nlevel: "), "{name} has a level");
        assert!(text.contains("author: Trailscope"), "{name} is our own");
        assert!(text.contains("product: aws") && text.contains("service: cloudtrail"));
    }
}

#[test]
fn the_rules_folder_and_the_built_in_list_agree() {
    let mut on_disk: Vec<String> = std::fs::read_dir(rules_dir())
        .expect("app/rules")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .filter_map(|n| n.strip_suffix(".yml").map(str::to_owned))
        .collect();
    on_disk.sort();
    let listed: Vec<String> = BUILTIN.iter().map(|(n, _)| (*n).to_owned()).collect();
    assert_eq!(on_disk, listed, "add new rule files to builtin.rs (sorted)");
}

#[test]
fn every_built_in_rule_fires_on_its_cases_and_only_on_them() {
    let rules = RuleSet::load(None);
    let mut failures = Vec::new();
    for (name, _) in BUILTIN {
        let path = rules_dir().join(format!("{name}.cases.json"));
        let Ok(text) = std::fs::read_to_string(&path) else {
            failures.push(format!("{name}: no {}", path.display()));
            continue;
        };
        let cases: Cases = serde_json::from_str(&text).expect("cases parse");
        if cases.matching.is_empty() || cases.no_match.is_empty() {
            failures.push(format!(
                "{name}: needs at least one match and one no_match case"
            ));
        }
        let file = format!("builtin:{name}");
        let ids: BTreeSet<String> = rules
            .info()
            .values()
            .filter(|i| i.file == file)
            .map(|i| i.id.clone())
            .collect();
        for case in &cases.matching {
            if fired(&rules, case, false).is_disjoint(&ids) {
                failures.push(format!("{name}: does not fire on {:?}", case.note));
            }
        }
        for case in &cases.no_match {
            if !fired(&rules, case, false).is_disjoint(&ids) {
                failures.push(format!("{name}: fires on {:?}", case.note));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn correlation_windows_of_every_kind_survive_a_restart_between_records() {
    let rules = RuleSet::load(None);
    let mut kinds = BTreeSet::new();
    for (name, text) in BUILTIN {
        let Some(kind) = text
            .split("\ncorrelation:\n")
            .nth(1)
            .and_then(|c| c.lines().find_map(|l| l.trim().strip_prefix("type: ")))
        else {
            continue;
        };
        kinds.insert(kind);
        let cases = cases_of(name).expect("cases");
        for case in cases.matching.iter().chain(&cases.no_match) {
            assert_eq!(
                fired(&rules, case, true),
                fired(&rules, case, false),
                "{name}: {:?} across restarts",
                case.note
            );
        }
    }
    assert_eq!(
        kinds,
        BTreeSet::from(["event_count", "temporal", "temporal_ordered", "value_count"]),
        "the built-in rules use every correlation kind"
    );
}

#[test]
fn user_rules_load_from_a_folder_and_broken_ones_are_reported_by_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(
        dir.path().join("get-caller-identity.yml"),
        "title: Caller identity asked\nid: 0b5e2c4a-1111-4222-8333-944455556666\nlogsource:\n  product: aws\n  service: cloudtrail\ndetection:\n  selection:\n    eventName|startswith: GetCaller\n    userIdentity.type: IAMUser\n  condition: selection\nlevel: low\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("broken.yml"),
        "title: Half a rule\ndetection: [\n",
    )
    .expect("write");
    std::fs::write(
        dir.path().join("no-id.yml"),
        "title: No id\nlogsource:\n  product: aws\n  service: cloudtrail\ndetection:\n  s:\n    eventName: X\n  condition: s\n",
    )
    .expect("write");
    std::fs::write(dir.path().join("notes.txt"), "not a rule").expect("write");
    let rules = RuleSet::load(Some(dir.path()));
    let problems: Vec<(String, String)> = rules
        .problems()
        .iter()
        .map(|p| {
            (
                p.file.rsplit('/').next().unwrap_or_default().to_owned(),
                p.reason.clone(),
            )
        })
        .collect();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert_eq!(problems[0].0, "broken.yml");
    assert_eq!(problems[1].0, "no-id.yml");
    assert!(problems[1].1.contains("has no id"), "{problems:?}");
    let case = Case {
        note: "GetCallerIdentity".to_owned(),
        first: Step {
            record: json!({}),
            repeat: 1,
            every_secs: 0,
            after_secs: 0,
        },
        then: Vec::new(),
    };
    assert!(fired(&rules, &case, false).contains("0b5e2c4a-1111-4222-8333-944455556666"));
    assert!(
        rules.info().len() > BUILTIN.len(),
        "built-in rules still run"
    );
}
