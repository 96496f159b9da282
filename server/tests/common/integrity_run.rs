//! Running `trailscope validate` in the integrity tests and reading its report: one line per finding, so a
//! test states exactly what is found.
#![allow(dead_code)]
use super::digests::{Archive, STOPPED_HOUR, end_of};

/// `trailscope validate ARGS --format json`: its exit code and report.
pub fn validate(
    args: &[&str],
    env: &[(&str, String)],
) -> (i32, app::model::integrity::IntegrityReport) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_trailscope"))
        .arg("validate")
        .args(args)
        .args(["--format", "json"])
        .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
        .output()
        .expect("trailscope runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let report = serde_json::from_str(&stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON report ({e}): {stdout}\n{}",
            String::from_utf8_lossy(&output.stderr)
        )
    });
    (output.status.code().expect("exit code"), report)
}

/// Every finding of a report but valid ones, one line each, with `strip` (the folder or `s3://bucket/`) taken
/// off locations: `digest KEY VERDICT`, `backfill KEY VERDICT`, `inferred KEY VERDICT`, `log KEY VERDICT`,
/// `gap FROM TO`, `unlisted KEY`, `error TEXT`.
pub fn findings(report: &app::model::integrity::IntegrityReport, strip: &str) -> Vec<String> {
    use app::model::integrity::DigestKind;
    let short = |location: &str| {
        location
            .strip_prefix(strip)
            .unwrap_or(location)
            .trim_start_matches('/')
            .to_owned()
    };
    let mut lines = Vec::new();
    for chain in &report.chains {
        if let Some(error) = &chain.error {
            lines.push(format!("error {error}"));
        }
        for digest in chain.digests.iter().filter(|d| !d.verdict.is_valid()) {
            let what = match (digest.inferred, digest.kind) {
                (true, _) => "inferred",
                (false, DigestKind::Standard) => "digest",
                (false, DigestKind::Backfill) => "backfill",
            };
            lines.push(format!(
                "{what} {} {}",
                short(&digest.location),
                digest.verdict.text()
            ));
        }
        for log in chain.logs.iter().filter(|l| !l.verdict.is_valid()) {
            lines.push(format!(
                "log {} {}",
                short(&log.location),
                log.verdict.text()
            ));
        }
        for gap in &chain.gaps {
            lines.push(format!("gap {} {}", gap.from_secs, gap.to_secs));
        }
        for log in &chain.unlisted_logs {
            lines.push(format!("unlisted {}", short(&log.location)));
        }
    }
    lines.sort();
    lines
}

/// The gaps every untouched archive has: hour 6 of each of the four chains.
pub fn stopped_gaps() -> Vec<String> {
    (0..4)
        .map(|_| format!("gap {} {}", end_of(STOPPED_HOUR - 1), end_of(STOPPED_HOUR)))
        .collect()
}

/// After every digest: the folder runs' default `--end`.
pub const END: &str = "2026-11-21T00:00:00Z";

/// Validates `archive` written to a folder (keys from `--public-keys`) with these extra arguments: exit code,
/// findings, report.
pub fn run(
    archive: &Archive,
    extra: &[&str],
) -> (i32, Vec<String>, app::model::integrity::IntegrityReport) {
    let dir = tempfile::tempdir().expect("tempdir");
    let (root, keys) = (dir.path().join("archive"), dir.path().join("keys"));
    archive.write_folder(&root);
    Archive::write_public_keys(&keys);
    let (root, keys) = (root.display().to_string(), keys.display().to_string());
    let mut args = vec![root.as_str(), "--public-keys", keys.as_str()];
    if !extra.contains(&"--end") {
        args.extend(["--end", END]);
    }
    args.extend(extra);
    let (code, report) = validate(&args, &[]);
    (code, findings(&report, &root), report)
}

/// `expected` and the untouched archive's gaps, sorted as [`findings`] are.
pub fn with(mut expected: Vec<String>) -> Vec<String> {
    expected.extend(stopped_gaps());
    expected.sort();
    expected
}
