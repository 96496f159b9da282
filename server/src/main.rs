//! The `trailscope` process: command line, configuration, logging, and the subcommands.

use clap::Parser;
use std::io::IsTerminal;
use std::process::ExitCode;
use trailscope::{cli, commands};

/// mimalloc instead of glibc's malloc: evaluating findings over 10M events spent a fifth of its CPU in glibc's
/// malloc and free, and under concurrent requests glibc's per-thread arenas grew the server's RSS (BENCHMARKS.md).
/// Its `override` feature makes it the C `malloc` too, so SQLite's page caches and sorters share it instead of
/// keeping a glibc arena of 30–45 MB per request thread (issue 16, `bench/load`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// How long mimalloc keeps memory a thread freed before returning it to the OS, in milliseconds (its default is
/// 10). Under `bench/load` (64 clients on a 10M-event store, an ingest and a sync beside them) the server's peak
/// RSS was 316 MiB with 10 and 276 MiB with 2, at the same throughput (626 and 629–645 requests/s); 0 (at once)
/// gave 235 MiB but a quarter fewer requests answered (BENCHMARKS.md, "Memory under load"). `bench/ingest` runs
/// as fast with either. `MIMALLOC_PURGE_DELAY` in the environment, when set, wins.
const PURGE_DELAY_MS: std::ffi::c_long = 2;

/// `mi_option_purge_delay` of mimalloc v2's `mimalloc.h` (the enum after `mi_option_eager_commit_delay`, which
/// `libmimalloc-sys` names; it does not name this one). mimalloc keeps the enum's numbering across versions.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t =
    libmimalloc_sys::mi_option_eager_commit_delay + 1;

/// Sets [`PURGE_DELAY_MS`] unless the environment sets mimalloc's purge delay itself.
#[allow(unsafe_code)]
fn tune_allocator() {
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: `mi_option_set` takes two plain integers and may be called from any thread at any time; the
        // purge delay is read afresh each time mimalloc schedules a purge.
        unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, PURGE_DELAY_MS) };
    }
}

fn main() -> ExitCode {
    tune_allocator();
    let cli = cli::Cli::parse();
    if let Err(error) = init_logging() {
        eprintln!("error: {error}");
        return ExitCode::from(2);
    }
    match commands::run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

/// Logs go to stderr, filtered by `TRAILSCOPE_LOG` (default `info`), as text (coloured only on a terminal) or,
/// with `TRAILSCOPE_LOG_FORMAT=json`, one JSON object a line for log shippers.
fn init_logging() -> Result<(), String> {
    let filter = tracing_subscriber::EnvFilter::try_from_env("TRAILSCOPE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match std::env::var("TRAILSCOPE_LOG_FORMAT").as_deref() {
        Ok("json") => builder.json().init(),
        Ok("text") | Err(_) => builder.with_ansi(std::io::stderr().is_terminal()).init(),
        Ok(other) => {
            return Err(format!(
                "TRAILSCOPE_LOG_FORMAT: {other:?} is neither text nor json"
            ));
        }
    }
    Ok(())
}
