//! The `trailscope` process: command line, configuration, logging, and the subcommands.
#![forbid(unsafe_code)]

use clap::Parser;
use std::io::IsTerminal;
use std::process::ExitCode;
use trailscope::{cli, commands};

/// mimalloc, tuned by `trailscope_alloc::tune` (see that crate: the workspace's one `unsafe` call).
#[global_allocator]
static ALLOCATOR: trailscope_alloc::MiMalloc = trailscope_alloc::MiMalloc;

fn main() -> ExitCode {
    trailscope_alloc::tune();
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
