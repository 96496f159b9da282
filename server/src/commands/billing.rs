//! `trailscope billing`: the monthly estimate from the store as a table in the terminal (or the line items
//! as CSV), with what-if changes as `--change`.
use crate::cli::BillingArgs;
use crate::config::Config;
use app::model::billing::{Basis, LineItem, SavingKind, compact_count};
use app::ssr::billing::{BillingReport, lines_to_csv, report};
use app::ssr::store::Store;
use std::io::Write;
use std::process::ExitCode;

pub fn run(config: &Config, args: &BillingArgs) -> anyhow::Result<ExitCode> {
    let store = Store::open_in(&config.data_dir)?;
    let pairs: Vec<(String, String)> = args
        .changes
        .iter()
        .map(|c| ("change".to_owned(), c.clone()))
        .collect();
    let report = report(
        &store,
        &config.billing_settings(),
        app::ssr::clock::now_secs(),
        &pairs,
    )
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut out = std::io::stdout().lock();
    if args.csv {
        out.write_all(&lines_to_csv(&report.estimate)?)?;
    } else {
        print_table(&mut out, &report)?;
    }
    Ok(ExitCode::SUCCESS)
}

fn print_table(out: &mut impl Write, r: &BillingReport) -> std::io::Result<()> {
    let e = &r.estimate;
    let window = Basis::Measured {
        window_secs: r.window_secs,
    };
    writeln!(
        out,
        "CloudTrail estimate per month: {} (volumes {}, prices of {})",
        e.total,
        if r.window_secs > 0 {
            window.label()
        } else {
            "none measured".to_owned()
        },
        e.prices_as_of
    )?;
    for change in &e.changes {
        writeln!(out, "what-if: {change}")?;
    }
    writeln!(out, "\n{:<40} {:>14}", "per trail", "")?;
    for t in e.trails.iter().filter(|t| t.cost.0 != 0 || t.is_logging) {
        let name = format!("{} ({}, {})", t.name, t.home_account, t.home_region);
        writeln!(out, "{name:<40} {:>14}", t.cost.display())?;
    }
    writeln!(out, "\n{:<40} {:>14}", "per account", "")?;
    for a in &e.accounts {
        writeln!(out, "{:<40} {:>14}", a.name, a.cost.display())?;
    }
    writeln!(out, "\n{:<40} {:>14}", "per Region", "")?;
    for region in &e.regions {
        writeln!(out, "{:<40} {:>14}", region.name, region.cost.display())?;
    }
    writeln!(
        out,
        "\n{:<40} {:>14} {:>14}",
        "per line item", "quantity", ""
    )?;
    for item in &e.items {
        let quantity = match item.item {
            LineItem::CloudWatchLogs | LineItem::S3Storage => {
                app::model::billing::compact_bytes(item.quantity)
            }
            _ => compact_count(item.quantity),
        };
        writeln!(
            out,
            "{:<40} {quantity:>14} {:>14}",
            item.item.label(),
            item.cost.display()
        )?;
    }
    writeln!(out, "\nlines")?;
    for line in e.lines.iter().filter(|l| l.quantity > 0) {
        writeln!(
            out,
            "  {} [{}, {}]",
            e.formula(line),
            e.accounts[line.account].name,
            line.basis.label()
        )?;
    }
    writeln!(out, "\nsavings (each re-estimated with its change)")?;
    for s in &r.savings.savings {
        let why = match &s.kind {
            SavingKind::DuplicateManagementCopies { paid_events } => {
                format!(
                    "{} paid copies of management events",
                    compact_count(*paid_events)
                )
            }
            SavingKind::ReadsLoggedTwice { paid_events } => {
                format!("{} read events logged twice", compact_count(*paid_events))
            }
            SavingKind::DataEventsOnEveryBucket { bucket, .. } => {
                format!("data events on every bucket; {bucket} is the busiest")
            }
            SavingKind::InsightsOutweighs { insights, rest } => {
                format!("Insights costs {insights}, the rest of the trail {rest}")
            }
            SavingKind::LogBucketLoop { bucket, .. } => {
                format!("logs data events on its own log bucket {bucket} (a loop)")
            }
        };
        writeln!(
            out,
            "  {:>12}  {}: {why} → {}",
            s.monthly.display(),
            s.trail_name,
            s.change
        )?;
    }
    if !r.savings.savings.is_empty() {
        writeln!(
            out,
            "  {:>12}  all together",
            r.savings.all_together.display()
        )?;
    }
    Ok(())
}
