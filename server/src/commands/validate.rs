//! `trailscope validate`: log file integrity of an archive, printed as the CLI words it (problems, gaps, then
//! a summary per chain) or as the JSON report. Exit 0 only when nothing is invalid, as `aws cloudtrail
//! validate-logs` exits; 2 when the archive could not be validated at all.
use crate::cli::{ArchiveSource, ValidateArgs};
use crate::progress::ProgressLine;
use anyhow::Context;
use app::model::integrity::{ChainReport, Counts, DigestKind, IntegrityReport};
use app::model::time::{format_rfc3339, parse_rfc3339};
use app::ssr::integrity::progress::Progress;
use app::ssr::integrity::{IntegritySource, ValidateOptions, validate_counting};
use std::process::ExitCode;

fn time(text: &Option<String>, flag: &str) -> anyhow::Result<Option<i64>> {
    text.as_deref()
        .map(|text| {
            parse_rfc3339(text)
                .with_context(|| format!("{flag} {text:?}: use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ"))
        })
        .transpose()
}

pub fn run(config: &crate::config::Config, args: &ValidateArgs) -> anyhow::Result<ExitCode> {
    let start_secs = time(&args.start, "--start")?;
    let end_secs = time(&args.end, "--end")?.unwrap_or_else(app::ssr::clock::now_secs);
    if start_secs.is_some_and(|start| start > end_secs) {
        anyhow::bail!("--start must be before --end");
    }
    let source = match &args.source {
        ArchiveSource::Folder(path) => {
            if !path.is_dir() {
                eprintln!(
                    "error: cannot read archive folder {}: not a folder",
                    path.display()
                );
                return Ok(ExitCode::from(2));
            }
            IntegritySource::Folder(path.clone())
        }
        ArchiveSource::S3(archive) => IntegritySource::S3(archive.clone()),
    };
    let options = ValidateOptions {
        accounts: args.accounts.clone(),
        regions: args.regions.clone(),
        trail: args.trail.clone(),
        start_secs,
        end_secs,
        public_keys: args.public_keys.clone(),
        limits: config.ingest_limits(),
    };
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    // No account configuration: archives and public keys are read with the default credential chain.
    let aws = std::sync::Arc::new(app::ssr::aws::clients::AwsClients::new(Vec::new()));
    let progress = std::sync::Arc::new(Progress::default());
    let line = ProgressLine::on_stderr("validate", "files");
    let checked = runtime.block_on(line.poll_while(
        "log files",
        || {
            let (digests_done, digests_total, logs_done, logs_total) = progress.read();
            let done = (digests_done + logs_done) as u64;
            (done, (digests_total + logs_total) as u64, logs_done as u64)
        },
        validate_counting(&aws, &source, &options, &progress),
    ));
    line.end();
    let report = match checked {
        Ok(report) => report,
        Err(error) => {
            eprintln!("error: {error}");
            return Ok(ExitCode::from(2));
        }
    };
    if args.format == "json" {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print_text(&report);
    }
    Ok(if report.counts().is_clean() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn backfill_mark(kind: DigestKind) -> &'static str {
    match kind {
        DigestKind::Standard => "",
        DigestKind::Backfill => "(backfill) ",
    }
}

/// `valid/total NAME files valid[, invalid/total NAME files INVALID]`, the CLI's ratio; `None` for none.
fn ratio(valid: usize, invalid: usize, name: &str) -> Option<String> {
    let total = valid + invalid;
    (total > 0).then(|| {
        let mut text = format!("{valid}/{total} {name} files valid");
        if invalid > 0 {
            text.push_str(&format!(", {invalid}/{total} {name} files INVALID"));
        }
        text
    })
}

fn summary(counts: &Counts) -> String {
    let mut parts: Vec<String> = [
        ratio(counts.digests_valid, counts.digests_invalid, "digest"),
        ratio(
            counts.backfill_valid,
            counts.backfill_invalid,
            "backfill digest",
        ),
        ratio(counts.logs_valid, counts.logs_invalid, "log"),
    ]
    .into_iter()
    .flatten()
    .collect();
    if counts.gaps > 0 {
        parts.push(format!("{} gap(s) in delivery", counts.gaps));
    }
    if counts.unlisted_logs > 0 {
        parts.push(format!(
            "{} log file(s) no digest lists",
            counts.unlisted_logs
        ));
    }
    if parts.is_empty() {
        "No digests found".to_owned()
    } else {
        parts.join(", ")
    }
}

fn print_chain(chain: &ChainReport) {
    println!("{} (home Region {}):", chain.label(), chain.home_region);
    if let Some(error) = &chain.error {
        println!("  ERROR: {error}");
    }
    for digest in chain.digests.iter().filter(|d| !d.verdict.is_valid()) {
        let inferred = if digest.inferred {
            " (name inferred from the hourly cadence)"
        } else {
            ""
        };
        println!(
            "  {}Digest file\t{}\t{}{inferred}",
            backfill_mark(digest.kind),
            digest.location,
            digest.verdict.text()
        );
    }
    for log in chain.logs.iter().filter(|l| !l.verdict.is_valid()) {
        println!("  Log file\t{}\t{}", log.location, log.verdict.text());
    }
    for gap in &chain.gaps {
        println!("  {}{}", backfill_mark(gap.kind), gap.text());
    }
    for log in &chain.unlisted_logs {
        println!(
            "  Log file\t{}\tUNLISTED: no digest lists it (delivered {})",
            log.location,
            format_rfc3339(log.delivered_secs)
        );
    }
    let mut counts = Counts::default();
    counts.add(chain);
    println!("  {}", summary(&counts));
}

fn print_text(report: &IntegrityReport) {
    let start = report
        .start_secs
        .map_or_else(|| "the oldest digest".to_owned(), format_rfc3339);
    println!(
        "Validating log files in {} between {} and {}\n",
        report.source,
        start,
        format_rfc3339(report.end_secs)
    );
    for chain in &report.chains {
        print_chain(chain);
        println!();
    }
    println!(
        "Results for {} trail(s) × Region(s): {}",
        report.chains.len(),
        summary(&report.counts())
    );
}
