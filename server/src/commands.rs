//! The subcommands other than `serve`'s server itself.
mod billing;
mod findings;
mod names;
mod sync;
mod tokens;
mod trails;
mod users;
mod validate;

use crate::cli::{ArchiveSource, Cli, Command, DemoArgs, IngestArgs, ServeArgs};
use crate::config::Config;
use crate::progress::ProgressLine;
use anyhow::Context;
use app::ssr::aws::clients::AwsClients;
use app::ssr::demo::{DemoOptions, write_demo};
use app::ssr::ingest::s3::{S3Archive, ingest_s3};
use app::ssr::ingest::{IngestLimits, IngestSummary, check_folder, ingest_into};
use app::ssr::store::Store;
use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

/// Threads that run the server's blocking work (store reads and writes, password hashing, record scans, static
/// files) at once; more wait their turn. Store reads beyond the pooled connections each open their own, with its
/// page cache, so tokio's default of 512 let a load test grow the server to 53–90 threads and 0.8–0.9 GiB
/// resident on 10M events (BENCHMARKS.md, Under load). The long holders are bounded apart, so short work (the
/// gate's session checks, logins) always finds a thread soon: request jobs 8 (`store::REQUEST_JOBS_MAX`) and
/// exports 4 (`export::EXPORTS_MAX`); bulk work (findings evaluation, syncs, ingests, integrity validation) runs
/// on a pool of its own (`app::ssr::background`).
const SERVE_BLOCKING_THREADS: usize = 32;

/// Runs the subcommand `cli` names (`serve` when none), with the configuration it points at.
///
/// Errors: the configuration cannot be loaded, or the subcommand fails (via `anyhow`); the exit code says
/// how a finished command ended.
pub fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let mut config = Config::load(cli.config.as_deref(), |name| std::env::var(name).ok())?;
    if let Some(dir) = cli.data_dir {
        config.data_dir = dir;
    }
    let command = cli.command.unwrap_or(Command::Serve(ServeArgs::default()));
    if command.is_bulk() {
        // Before any thread starts, so all of the command's threads run lowered.
        app::ssr::background::lower_this_thread();
    }
    match command {
        Command::Serve(args) => {
            if let Some(addr) = args.addr {
                config.addr = addr;
            }
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .max_blocking_threads(SERVE_BLOCKING_THREADS)
                .build()
                .context("cannot start the async runtime")?;
            let grace = std::time::Duration::from_secs(config.shutdown_grace_secs);
            let served = runtime.block_on(crate::serve::serve(config));
            // A batch a background job handed to a blocking thread (of the runtime or of the bulk pool) commits
            // within the grace period.
            let stopping = std::time::Instant::now();
            runtime.shutdown_timeout(grace);
            app::ssr::background::shutdown(grace.saturating_sub(stopping.elapsed()));
            served?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo(args) => demo(&args),
        Command::Ingest(args) => ingest(&config, &args),
        Command::Healthcheck => healthcheck(&config),
        Command::User(command) => users::run(&config, command),
        Command::Token(command) => tokens::run(&config, command),
        Command::Trails(args) => trails::run(&config, &args),
        Command::Billing(args) => billing::run(&config, &args),
        Command::Sync(args) => sync::run(&config, &args),
        Command::ResolveNames(args) => names::run(&config, &args),
        Command::Backup { dest } => backup(&config, &dest),
        Command::Validate(args) => validate::run(&config, &args),
        Command::Findings(args) => findings::run(&config, &args),
    }
}

fn backup(config: &Config, dest: &Path) -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    let summary = app::ssr::store::backup::backup(&config.data_dir, dest)?;
    println!(
        "backup: {} database(s), {} segment file(s), {} MB in {:.1} s → {}",
        summary.databases,
        summary.segments,
        summary.bytes / 1_000_000,
        started.elapsed().as_secs_f64(),
        dest.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn demo(args: &DemoArgs) -> anyhow::Result<ExitCode> {
    let end = match &args.end {
        Some(text) => app::model::time::parse_rfc3339(text)
            .with_context(|| format!("--end {text:?}: use YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ"))?,
        None => app::ssr::clock::now_secs(),
    };
    let options = DemoOptions {
        seed: args.seed,
        days: args.days,
        events: args.events,
        ..DemoOptions::ending_at(end)
    };
    let started = std::time::Instant::now();
    let line = ProgressLine::spinner(
        "demo",
        format!(
            "writing {} events over {} days",
            options.events, options.days
        ),
    );
    let summary = write_demo(&args.out, &options);
    line.end();
    let summary = summary?;
    println!(
        "demo archive: {} files, {} events, {} digest files, {} accounts × Regions, {} to {}, in {:.1} s → {}",
        summary.files,
        summary.events,
        summary.digest_files,
        summary.streams.len(),
        app::model::time::format_rfc3339(summary.start),
        app::model::time::format_rfc3339(summary.end),
        started.elapsed().as_secs_f64(),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

/// Ingests the folder `source` into the store of `data_dir` within `limits`, drawing a progress line on a
/// terminal. A wrong path is refused before a store is created for it.
fn ingest_folder_into(
    data_dir: &Path,
    source: &Path,
    limits: &IngestLimits,
) -> anyhow::Result<IngestSummary> {
    check_folder(source)?;
    let store = Store::open_in(data_dir)?;
    let line = ProgressLine::on_stderr("ingest", "files");
    let summary = ingest_into(&store, source, limits, &mut line.draw())?;
    line.end();
    Ok(summary)
}

/// Ingests the S3 archive into the store of `data_dir` within `limits` (with the default credential chain),
/// drawing a progress line on a terminal.
fn ingest_s3_into(
    data_dir: &Path,
    archive: &S3Archive,
    limits: &IngestLimits,
) -> anyhow::Result<IngestSummary> {
    let store = std::sync::Arc::new(Store::open_in(data_dir)?);
    let line = ProgressLine::on_stderr("ingest", "files");
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    let aws = AwsClients::new(Vec::new());
    let summary = runtime.block_on(ingest_s3(
        store,
        &aws,
        archive,
        limits,
        Box::new(line.draw()),
    ))?;
    line.end();
    Ok(summary)
}

fn ingest(config: &Config, args: &IngestArgs) -> anyhow::Result<ExitCode> {
    let summary = match &args.source {
        ArchiveSource::Folder(folder) => {
            ingest_folder_into(&config.data_dir, folder, &config.ingest_limits())?
        }
        ArchiveSource::S3(archive) => {
            ingest_s3_into(&config.data_dir, archive, &config.ingest_limits())?
        }
    };
    for problem in &summary.problems {
        eprintln!("problem: {}: {}", problem.key, problem.reason);
    }
    println!("ingest: {}", summary.line());
    Ok(if summary.is_clean() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

fn healthcheck(config: &Config) -> anyhow::Result<ExitCode> {
    use std::io::Read;
    use std::net::TcpStream;
    use std::time::Duration;
    let mut stream = TcpStream::connect_timeout(&config.addr, Duration::from_secs(3))
        .with_context(|| format!("no server answers at {}", config.addr))?;
    stream.set_read_timeout(Some(Duration::from_secs(3)))?;
    write!(
        stream,
        "GET /healthz HTTP/1.0\r\nHost: {}\r\n\r\n",
        config.addr
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let healthy = response.starts_with("HTTP/1.0 200") || response.starts_with("HTTP/1.1 200");
    if !healthy {
        eprintln!(
            "unhealthy: {}",
            response.lines().next().unwrap_or("no answer")
        );
    }
    Ok(if healthy {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
