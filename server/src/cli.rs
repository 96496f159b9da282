//! The command line.
use app::ssr::ingest::s3::S3Archive;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "trailscope",
    version,
    about = "Self-hosted web dashboard for AWS CloudTrail"
)]
/// The command line: global options and one subcommand.
pub struct Cli {
    /// Configuration file (TOML).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Data directory holding the store and the demo archive [env: TRAILSCOPE_DATA_DIR; default: ./data].
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    #[command(subcommand)]
    /// What to do; `serve` when absent.
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
/// The subcommands.
pub enum Command {
    /// Serve the dashboard (the default). With an empty store and nothing configured, serves a demo archive.
    Serve(ServeArgs),
    /// Write a deterministic demo trail archive in CloudTrail's S3 key layout.
    Demo(DemoArgs),
    /// Load a trail archive into the store: a folder in CloudTrail's S3 key layout, or the bucket itself.
    Ingest(IngestArgs),
    /// Exit 0 if the local server answers /healthz (for container health checks).
    Healthcheck,
    /// Manage dashboard users.
    #[command(subcommand)]
    User(UserCommand),
    /// Read Event History (LookupEvents) of the configured accounts into the store, within AWS's 2 calls/s.
    Sync(TrailsArgs),
    /// Read trail configuration (trails, status, selectors) from AWS into the store and print the coverage.
    Trails(TrailsArgs),
    /// Print the monthly CloudTrail cost estimate from the store (the newest trails snapshot and the last 30
    /// days of events): per trail, account, Region and line item, with each line's formula, and the savings.
    Billing(BillingArgs),
    /// Name the IAM Identity Center users seen in events, asking the Identity Store API (DescribeUser) with the
    /// configured accounts; failures are kept per user and asked again a day later. `serve` does this itself.
    ResolveNames(TrailsArgs),
    /// Manage API tokens for scripts (`Authorization: Bearer …` on the read-only /api endpoints).
    #[command(subcommand)]
    Token(TokenCommand),
    /// Copy the store into a new folder, consistently, while the server keeps serving and ingesting.
    /// Restore: stop the server and put the folder's files in the data directory.
    Backup {
        /// A new or empty folder.
        #[arg(value_name = "DIR")]
        dest: PathBuf,
    },
    /// Evaluate the stored events not yet evaluated against the detection rules (built-in and `rules_dir`), then
    /// print the findings, most severe first. Exits 0 whatever was found; rule files that cannot be used are
    /// reported as `problem:` lines on stderr.
    Findings(FindingsArgs),
    /// Validate log file integrity with the trails' digest files, as `aws cloudtrail validate-logs` does, for
    /// every account, Region and trail at once, in S3 or in a folder. Exits 0 only when nothing is invalid.
    Validate(ValidateArgs),
}

impl Command {
    /// Whether the command is bulk work (a demo archive, an ingest, a sync, an evaluation, a validation, a
    /// backup), which runs at a lower CPU priority so that a server beside it answers first
    /// (`app::ssr::background`). An idle machine runs it as fast.
    pub fn is_bulk(&self) -> bool {
        matches!(
            self,
            Self::Demo(_)
                | Self::Ingest(_)
                | Self::Sync(_)
                | Self::Findings(_)
                | Self::Validate(_)
                | Self::Backup { .. }
        )
    }
}

#[derive(Debug, Subcommand)]
/// `trailscope token …`: API tokens.
pub enum TokenCommand {
    /// Create a token and print it once; only its hash is stored.
    Add {
        /// A name to tell tokens apart (letters, digits, . _ @ -).
        #[arg(long)]
        name: String,
        /// viewer (reads everything) or admin (also reads the admin endpoints).
        #[arg(long, value_parser = ["viewer", "admin"])]
        role: String,
        /// Days until the token stops working [default: until revoked].
        #[arg(long, value_name = "DAYS")]
        expires_days: Option<u32>,
    },
    /// Revoke a token: it stops working at once.
    Del {
        /// The token's name.
        name: String,
    },
    /// List tokens (names, roles, hints, last use; never the tokens).
    List,
}

#[derive(Debug, Subcommand)]
/// `trailscope user …`: dashboard users.
pub enum UserCommand {
    /// Add a user. Without --password-stdin a password is generated and printed once.
    Add {
        /// The user's login name (1 to 64 letters, digits or . _ @ -).
        name: String,
        /// viewer (reads everything) or admin (also manages users, tokens, syncs and settings).
        #[arg(long, value_parser = ["viewer", "admin"])]
        role: String,
        /// Read the password from the first line of standard input.
        #[arg(long)]
        password_stdin: bool,
    },
    /// Set a user's password. Without --password-stdin a password is generated and printed once.
    Passwd {
        /// The user's login name.
        name: String,
        #[arg(long)]
        /// Read the new password from standard input instead of generating one.
        password_stdin: bool,
    },
    /// Delete a user.
    Del {
        /// The user's login name.
        name: String,
    },
    /// List users with their roles.
    List,
}

#[derive(Debug, Default, Args)]
/// Options of `trailscope billing`: what-if changes, and CSV instead of the table.
pub struct BillingArgs {
    /// A what-if change (repeatable), e.g. `off@ARN` or `management:write@ARN`; as the API's `change`.
    #[arg(long = "change", value_name = "CHANGE")]
    pub changes: Vec<String>,
    /// Print the line items as CSV (the API's lines.csv) instead of the table.
    #[arg(long)]
    pub csv: bool,
}

#[derive(Debug, Default, Args)]
/// Options of `trailscope sync`, `trails` and `resolve-names`: which Regions to read.
pub struct TrailsArgs {
    /// A Region of the default-credential account (repeatable); replaces the configured accounts.
    #[arg(long = "region", value_name = "REGION")]
    pub regions: Vec<String>,
}

#[derive(Debug, Default, Args)]
/// Options of `trailscope serve`.
pub struct ServeArgs {
    /// Address to listen on [env: TRAILSCOPE_ADDR; default: 127.0.0.1:3000].
    #[arg(long, value_name = "ADDR")]
    pub addr: Option<std::net::SocketAddr>,
}

#[derive(Debug, Args)]
/// Options of `trailscope demo`.
pub struct DemoArgs {
    /// Folder to write the archive into.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Random seed: the same seed and end give byte-identical files.
    #[arg(long, default_value_t = app::ssr::demo::DemoOptions::DEFAULT_SEED)]
    pub seed: u64,
    /// Days of activity.
    #[arg(long, default_value_t = app::ssr::demo::DemoOptions::DEFAULT_DAYS)]
    pub days: u32,
    /// Background events (console sign-ins and planted incidents come on top).
    #[arg(long, default_value_t = app::ssr::demo::DemoOptions::DEFAULT_EVENTS)]
    pub events: u64,
    /// End of the archive, `YYYY-MM-DD` or RFC 3339 UTC [default: now].
    #[arg(long, value_name = "TIME")]
    pub end: Option<String>,
}

#[derive(Debug, Default, Args)]
/// Options of `trailscope findings`.
pub struct FindingsArgs {
    /// Only rules at this severity or above: informational, low, medium, high or critical.
    #[arg(long, value_name = "LEVEL")]
    pub severity: Option<String>,
    /// Only this rule (its id).
    #[arg(long, value_name = "ID")]
    pub rule: Option<String>,
    /// Only matches in this account (12-digit ID).
    #[arg(long, value_name = "ACCOUNT")]
    pub account: Option<String>,
    /// Drop the stored findings and evaluate every stored event again first.
    #[arg(long)]
    pub reevaluate: bool,
    /// Output: text (a table) or json (what GET /api/findings answers).
    #[arg(long, value_parser = ["text", "json"], default_value = "text")]
    pub format: String,
}

#[derive(Debug, Args)]
/// Options of `trailscope ingest`.
pub struct IngestArgs {
    /// A folder holding the layout of a trail bucket (`AWSLogs/…`, or any folder above it), or the trail's
    /// bucket and key prefix as `s3://bucket[/prefix]` (read with the AWS SDK's default credentials).
    #[arg(value_name = "DIR|s3://BUCKET[/PREFIX]", value_parser = ArchiveSource::parse)]
    pub source: ArchiveSource,
}

#[derive(Debug, Args)]
/// Options of `trailscope validate`.
pub struct ValidateArgs {
    /// The archive: a folder holding the bucket's layout (digests' metadata in `KEY.meta.json` sidecars), or
    /// `s3://bucket[/prefix]` (read with the AWS SDK's default credentials).
    #[arg(value_name = "DIR|s3://BUCKET[/PREFIX]", value_parser = ArchiveSource::parse)]
    pub source: ArchiveSource,
    /// Only this account (repeatable) [default: every account with digests].
    #[arg(long = "account", value_name = "ACCOUNT")]
    pub accounts: Vec<String>,
    /// Only this Region's digests (repeatable) [default: every Region with digests].
    #[arg(long = "region", value_name = "REGION")]
    pub regions: Vec<String>,
    /// Only this trail (its name).
    #[arg(long, value_name = "NAME")]
    pub trail: Option<String>,
    /// Validate log files delivered from this time on, `YYYY-MM-DD` or RFC 3339 UTC [default: the oldest digest].
    #[arg(long, value_name = "TIME")]
    pub start: Option<String>,
    /// … up to this time [default: now].
    #[arg(long, value_name = "TIME")]
    pub end: Option<String>,
    /// A folder of public key files (PEM, DER, or base64 as `aws cloudtrail list-public-keys` prints them)
    /// [default: CloudTrail's ListPublicKeys with the default credentials].
    #[arg(long, value_name = "DIR")]
    pub public_keys: Option<PathBuf>,
    /// Output: text (problems and a summary) or json (the whole report).
    #[arg(long, value_parser = ["text", "json"], default_value = "text")]
    pub format: String,
}

/// Where `ingest` reads an archive from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ArchiveSource {
    /// A local folder holding a trail bucket's layout.
    Folder(PathBuf),
    /// An S3 bucket and key prefix.
    S3(S3Archive),
}

impl ArchiveSource {
    /// An `s3://` URL, else a folder; any other `scheme://` is refused rather than taken for a folder name.
    pub fn parse(text: &str) -> Result<Self, String> {
        let scheme = text.split_once("://").map(|(scheme, _)| scheme);
        match scheme {
            Some(scheme) if scheme.eq_ignore_ascii_case("s3") => {
                S3Archive::parse(text).map(Self::S3)
            }
            Some(_) => Err(format!(
                "{text:?} is neither a folder nor an s3:// URL (s3://bucket or s3://bucket/prefix)"
            )),
            None => Ok(Self::Folder(PathBuf::from(text))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ingest_source_is_a_folder_or_an_s3_url() {
        assert_eq!(
            ArchiveSource::parse("/srv/archive"),
            Ok(ArchiveSource::Folder("/srv/archive".into()))
        );
        assert_eq!(
            ArchiveSource::parse("s3://trail-logs/org"),
            Ok(ArchiveSource::S3(S3Archive {
                bucket: "trail-logs".into(),
                prefix: "org".into()
            }))
        );
        for (text, says) in [
            ("s3://", "names no bucket"),
            ("s3://Bad_Bucket", "not a bucket name"),
            (
                "https://trail-logs.s3.amazonaws.com/",
                "neither a folder nor an s3:// URL",
            ),
        ] {
            let error = ArchiveSource::parse(text).expect_err(text);
            assert!(error.contains(says), "{text}: {error}");
        }
    }
}
