//! docs/iam-policy.json is the least-privilege policy users give Trailscope. This test reads every AWS operation
//! the code calls (a method named after an operation of an AWS SDK crate the workspace depends on, found in
//! `app/src` and `server/src`) and fails when the policy lacks the IAM action one needs, or grants an action no
//! call needs. IAM action names: the Service Authorization Reference,
//! https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Operations whose IAM action is not `service:OperationName`, and actions a call needs besides its own.
/// Each from the Service Authorization Reference (S3: "Actions defined by Amazon S3", and HeadBucket's API
/// reference: "you must have the s3:ListBucket permission"; STS: GetCallerIdentity
/// "No permissions are required"; S3 with SSE-KMS: "Using server-side encryption with AWS KMS keys"; Cost
/// Explorer, whose crate is `aws-sdk-costexplorer`: "Actions defined by AWS Cost Explorer Service", prefix `ce`).
const ACTIONS_OF: &[(&str, &[&str])] = &[
    ("costexplorer:GetCostAndUsage", &["ce:GetCostAndUsage"]),
    ("s3:ListObjectsV2", &["s3:ListBucket"]),
    ("s3:HeadObject", &["s3:GetObject"]),
    ("s3:HeadBucket", &["s3:ListBucket"]),
    ("s3:GetObject", &["s3:GetObject", "kms:Decrypt"]),
    ("sts:GetCallerIdentity", &[]),
];

/// Code that calls AWS without naming an operation: aws-config's `AssumeRoleProvider` calls `sts:AssumeRole`.
const IMPLIED_BY_TYPE: &[(&str, &str)] = &[("AssumeRoleProvider", "sts:AssumeRole")];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// (IAM service prefix, operation module names) of every `aws-sdk-*` crate the workspace resolves.
fn sdk_operations() -> Vec<(String, BTreeSet<String>)> {
    let output = std::process::Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--offline"])
        .current_dir(workspace())
        .output()
        .expect("cargo metadata runs");
    assert!(
        output.status.success(),
        "cargo metadata: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let metadata: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("metadata is JSON");
    let mut services = Vec::new();
    for package in metadata["packages"].as_array().expect("packages") {
        let name = package["name"].as_str().unwrap_or_default();
        let Some(service) = name.strip_prefix("aws-sdk-") else {
            continue;
        };
        let manifest = PathBuf::from(package["manifest_path"].as_str().expect("manifest path"));
        let dir = manifest
            .parent()
            .expect("crate folder")
            .join("src/operation");
        let operations = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .filter_map(|entry| {
                let path = entry.ok()?.path();
                (path.extension()? == "rs")
                    .then(|| path.file_stem()?.to_str().map(str::to_owned))?
            })
            .collect();
        services.push((service.to_owned(), operations));
    }
    services
}

fn pascal(snake: &str) -> String {
    snake
        .split('_')
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect()
}

fn sources(dir: &Path, into: &mut Vec<(PathBuf, String)>) {
    for entry in std::fs::read_dir(dir).expect("source folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            sources(&path, into);
        } else if path.extension().is_some_and(|e| e == "rs") {
            into.push((
                path.clone(),
                std::fs::read_to_string(&path).expect("source file"),
            ));
        }
    }
}

/// IAM action → where the code needs it (file names), from the calls in the sources.
fn actions_the_code_needs() -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    for dir in ["app/src", "server/src"] {
        sources(&workspace().join(dir), &mut files);
    }
    let mut needed: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut need = |action: &str, file: &Path| {
        let name = file
            .strip_prefix(workspace())
            .unwrap_or(file)
            .display()
            .to_string();
        needed.entry(action.to_owned()).or_default().insert(name);
    };
    for (service, operations) in sdk_operations() {
        for operation in &operations {
            let call = format!(".{operation}()");
            for (path, text) in &files {
                if !text.contains(&call) {
                    continue;
                }
                let api = format!("{service}:{}", pascal(operation));
                match ACTIONS_OF.iter().find(|(name, _)| *name == api) {
                    Some((_, actions)) => actions.iter().for_each(|a| need(a, path)),
                    None => need(&api, path),
                }
            }
        }
    }
    for (token, action) in IMPLIED_BY_TYPE {
        for (path, text) in &files {
            if text.contains(token) {
                need(action, path);
            }
        }
    }
    needed
}

fn actions_the_policy_grants() -> BTreeSet<String> {
    let text = std::fs::read_to_string(workspace().join("docs/iam-policy.json"))
        .expect("docs/iam-policy.json");
    let policy: serde_json::Value = serde_json::from_str(&text).expect("the policy is JSON");
    let mut granted = BTreeSet::new();
    for statement in policy["Statement"].as_array().expect("Statement list") {
        assert_eq!(statement["Effect"], "Allow", "the policy only allows");
        match &statement["Action"] {
            serde_json::Value::String(action) => {
                granted.insert(action.clone());
            }
            serde_json::Value::Array(actions) => {
                granted.extend(
                    actions
                        .iter()
                        .map(|a| a.as_str().expect("action").to_owned()),
                );
            }
            other => panic!("unexpected Action {other}"),
        }
    }
    assert!(
        granted.iter().all(|a| !a.contains('*')),
        "no wildcard actions: {granted:?}"
    );
    granted
}

#[test]
fn the_policy_grants_exactly_what_the_code_calls() {
    let needed = actions_the_code_needs();
    let granted = actions_the_policy_grants();
    assert!(
        needed.contains_key("cloudtrail:LookupEvents"),
        "the scan found the calls: {needed:?}"
    );
    let missing: Vec<String> = needed
        .iter()
        .filter(|(action, _)| !granted.contains(*action))
        .map(|(action, files)| {
            format!(
                "{action} (called in {})",
                files.iter().cloned().collect::<Vec<_>>().join(", ")
            )
        })
        .collect();
    let unused: Vec<&String> = granted
        .iter()
        .filter(|action| !needed.contains_key(*action))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/iam-policy.json lacks: {missing:?}"
    );
    assert!(
        unused.is_empty(),
        "docs/iam-policy.json grants what no code calls: {unused:?}"
    );
}
