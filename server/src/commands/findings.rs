//! `trailscope findings`: brings the findings up to date with the stored events, then prints them.
use crate::cli::FindingsArgs;
use crate::config::Config;
use anyhow::Context;
use app::model::findings::{Finding, FindingsFilter, FindingsReport};
use app::model::time::format_minute;
use app::ssr::findings::api::{FindingsQuery, report};
use app::ssr::findings::rules::RuleSet;
use app::ssr::findings::store::{evaluate_new, evaluated_with, reevaluate_all};
use app::ssr::store::Store;
use std::process::ExitCode;

/// Evaluates what is new (everything with `--reevaluate`), then prints the findings that pass the filters.
pub fn run(config: &Config, args: &FindingsArgs) -> anyhow::Result<ExitCode> {
    let filter = FindingsQuery {
        severity: args.severity.clone(),
        rule: args.rule.clone(),
        account: args.account.clone(),
        ..FindingsQuery::default()
    }
    .filter()
    .map_err(|e| anyhow::anyhow!("--{e}"))?;
    let store = Store::open_in(&config.data_dir)?;
    let rules = RuleSet::load(config.rules_dir.as_deref());
    for problem in rules.problems() {
        eprintln!("problem: {}: {}", problem.file, problem.reason);
    }
    // Evaluating with other rules from another folder than the stored findings had would drop them all (the
    // server would then evaluate everything again with its own): asked for with --reevaluate only.
    let stored = evaluated_with(&store).context("cannot read the findings")?;
    if let Some((_, dir)) = stored.filter(|(digest, dir)| {
        !args.reevaluate && *dir != rules.user_dir() && digest != rules.digest()
    }) {
        let name = |dir: &str| {
            if dir.is_empty() {
                "no rules_dir".to_owned()
            } else {
                format!("rules_dir {dir}")
            }
        };
        anyhow::bail!(
            "the stored findings were evaluated with {}, this command has {}: give it the server's \
             configuration (--config or TRAILSCOPE_RULES_DIR), or add --reevaluate to drop them and evaluate \
             every event with these rules",
            name(&dir),
            name(&rules.user_dir())
        );
    }
    let evaluate = if args.reevaluate {
        reevaluate_all
    } else {
        evaluate_new
    };
    evaluate(&store, &rules).context("cannot evaluate the detection rules")?;
    let report = report(&store, &rules, &filter).context("cannot read the findings")?;
    if args.format == "json" {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", table(&report, &filter));
    }
    Ok(ExitCode::SUCCESS)
}

/// The findings as a table: severity, count, first and last seen (UTC), technique, title, accounts.
fn table(report: &FindingsReport, filter: &FindingsFilter) -> String {
    let mut out = String::new();
    if report.findings.is_empty() {
        let filtered = *filter != FindingsFilter::default();
        out.push_str(&format!(
            "No findings{} ({} rules).\n",
            if filtered { " match the filters" } else { "" },
            report.rules
        ));
        return out;
    }
    out.push_str(&format!(
        "{:<13} {:>6}  {:<20}  {:<20}  {:<10} {}\n",
        "SEVERITY", "COUNT", "FIRST SEEN", "LAST SEEN", "TECHNIQUE", "RULE"
    ));
    for f in &report.findings {
        out.push_str(&row(f));
    }
    out.push_str(&format!(
        "{} findings from {} rules. Details: --format json, or --rule ID.\n",
        report.findings.len(),
        report.rules
    ));
    out
}

fn row(f: &Finding) -> String {
    format!(
        "{:<13} {:>6}  {:<20}  {:<20}  {:<10} {} [{}] accounts: {}\n",
        f.severity.as_str(),
        f.count,
        format_minute(f.first_seen_secs),
        format_minute(f.last_seen_secs),
        f.technique.as_deref().unwrap_or("-"),
        f.title,
        f.rule_id,
        f.accounts.join(", ")
    )
}
