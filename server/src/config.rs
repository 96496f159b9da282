//! The typed configuration, layered by the `config` crate: the defaults of [`Config::default`], then
//! `trailscope.toml` (from `--config` or `TRAILSCOPE_CONFIG`), then `TRAILSCOPE_*` environment
//! variables, then command-line flags (applied by the commands).
//!
//! Each key is stated once, as a field of [`Config`]: its file key is the field's name, its
//! environment variable is `TRAILSCOPE_` and the name in capitals (lists comma-separated), and its
//! default is in `Default for Config`. Two names are not of that form: cargo-leptos'
//! `LEPTOS_SITE_ADDR` also sets `addr`, and `TRAILSCOPE_REGIONS` stands for `[[accounts]]` when
//! there are none. Unknown file keys are refused so typos do not go unnoticed.
mod de;
mod webhooks;

use anyhow::{Context, bail};
use app::model::billing::{PriceOverride, Volume};
use app::ssr::auth::Role;
use app::ssr::auth::proxy::ProxySettings;
use app::ssr::aws::AwsAccount;
use app::ssr::billing::BillingSettings;
use app::ssr::ingest::IngestLimits;
use app::ssr::ingest::s3::S3Archive;
use axum::http::HeaderName;
use config::{ConfigError, Environment, File, FileFormat};
pub use de::parse_regions;
use ipnet::IpNet;
use serde::Deserialize;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
pub use webhooks::WebhookEntry;

/// The prefix of every key's environment variable.
const ENV_PREFIX: &str = "TRAILSCOPE_";
/// Other environment variables that set a key when its own is unset: cargo-leptos names the
/// address it serves on `LEPTOS_SITE_ADDR`.
const ENV_ALIASES: [(&str, &str); 1] = [("addr", "LEPTOS_SITE_ADDR")];

/// Everything `trailscope` is configured with.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Folder of the store (`trailscope.db`) and the generated demo archive (`demo/`); the flag
    /// `--data-dir` overrides it.
    pub data_dir: PathBuf,
    /// Address the server listens on, e.g. `127.0.0.1:3000`.
    pub addr: SocketAddr,
    /// Whether to serve the generated demo archive when the store is empty (`true`/`false`; the
    /// environment also takes `1`/`0`, `yes`/`no`, `on`/`off`).
    pub demo: bool,
    /// Mark the session cookie `Secure` (sent over HTTPS only). Unset: on unless the server listens
    /// on a loopback address (see [`Config::secure_cookies`]).
    pub secure_cookies: Option<bool>,
    /// Reverse proxies whose `X-Forwarded-For` (and sign-on header) are believed: addresses or CIDR
    /// ranges. None by default.
    #[serde(deserialize_with = "de::proxies")]
    pub trusted_proxies: Vec<IpNet>,
    /// Single sign-on through a trusted proxy (e.g. oauth2-proxy's `X-Forwarded-User`): the header
    /// naming the signed-in user. Off by default; needs `trusted_proxies`.
    #[serde(deserialize_with = "de::header")]
    pub proxy_user_header: Option<HeaderName>,
    /// The role of proxy-signed-in users who are not Trailscope users (`viewer` or `admin`); unset
    /// refuses them.
    #[serde(deserialize_with = "de::role")]
    pub proxy_default_role: Option<Role>,
    /// AWS accounts to read (`[[accounts]]` tables: `name`, `profile`, `role_arn`, `external_id`,
    /// `regions`, `identity_center_region`, `cost_explorer`). Without any, `TRAILSCOPE_REGIONS`
    /// (comma-separated) means the default-credential account in those Regions. Credentials always
    /// come from the AWS SDK's default chain. `identity_center_region` is the Region of the IAM
    /// Identity Center instance, where Identity Center user names are asked (`DescribeUser`); unset,
    /// it is sought among `regions` and remembered. Set it on a delegated administrator account to
    /// let that account name the users too. `cost_explorer = true` reads CloudTrail's real usage and
    /// cost from Cost Explorer (`ce:GetCostAndUsage`, $0.01 per request; off by default).
    /// `external_id` is kept redacted in logs.
    #[serde(deserialize_with = "de::accounts")]
    pub accounts: Vec<AwsAccount>,
    /// Minutes between trail configuration refreshes while serving; 0 turns the background
    /// refresh off.
    pub trails_refresh_minutes: u32,
    /// Minutes between Event History syncs while serving; 0 turns the background sync off.
    pub sync_minutes: u32,
    /// Days a first Event History sync reads back (1–90, AWS keeps 90).
    pub sync_window_days: u32,
    /// Trail archives in S3 (`s3://bucket[/prefix]`, the trail's bucket and key prefix) that
    /// `serve` ingests in the background with the default credentials. None by default. An archive
    /// turns the demo off.
    #[serde(deserialize_with = "de::archives")]
    pub s3_archives: Vec<S3Archive>,
    /// Minutes between ingests of `s3_archives` while serving; 0 turns the background ingest off.
    pub s3_ingest_minutes: u32,
    /// Bytes one trail log file may decompress to (and be, compressed) when `ingest` or `serve`
    /// reads it (at least 1024); a larger one is reported by key, not stored, and tried again next
    /// run. The default, 256 MiB, is five times the largest files CloudTrail writes; each parser
    /// thread holds at most one such file (see `IngestLimits`).
    pub ingest_max_file_bytes: usize,
    /// Bytes of JSON one record may span in a log file (at least 1024); a longer record is
    /// reported by its ordinal and not stored, the rest of its file is. The default is 4 MiB;
    /// CloudTrail's records stay below 1 MiB.
    pub ingest_max_record_bytes: usize,
    /// A folder of the user's own Sigma rules (`*.yml`/`*.yaml` directly in it, `logsource: product: aws,
    /// service: cloudtrail`, e.g. a checkout of SigmaHQ's CloudTrail rules), evaluated with the built-in ones.
    /// A file that cannot be used is reported by name and reason; the others still run. None by default.
    pub rules_dir: Option<PathBuf>,
    /// Seconds a stop (SIGTERM, SIGINT) may take: requests in flight finish, background jobs stop
    /// at their next step and a batch already being written commits; what still runs then is
    /// dropped (SQLite rolls back an unfinished batch). Keep it below the container runtime's own
    /// grace period (30 s by default in Docker, podman and Kubernetes).
    pub shutdown_grace_secs: u64,
    /// Prices that replace the built-in price file's (`app/src/model/billing/prices.json`): a table of
    /// item = dollars per the item's unit, e.g. `paid_management_copy = "2.00"`, or `ITEM@REGION` for one
    /// Region (`"s3_storage@eu-west-1" = "0.024"`). Items: `paid_management_copy`, `data_events`,
    /// `network_activity_events`, `insights_management`, `insights_data` (per 100,000 events),
    /// `cloudwatch_logs_ingestion` (per GB), `s3_storage` (per GB-month). In the environment:
    /// `item=price` pairs, comma-separated. None by default.
    #[serde(deserialize_with = "de::billing_prices")]
    pub billing_prices: Vec<PriceOverride>,
    /// Monthly volumes the store cannot measure (data events of a trail whose files are not ingested),
    /// entered by hand and labelled "entered": `[[billing_volumes]]` tables with `account`, `region`,
    /// `class` (`management-read`, `management-write`, either with `@kms.amazonaws.com` or
    /// `@rdsdata.amazonaws.com`; `data-read:AWS::S3::Object@BUCKET`, `data-write:TYPE[@RESOURCE]`;
    /// `network@SOURCE`) and `events_per_month`; in the environment, the same as a JSON array. Each
    /// replaces the measured figure of its account, Region and class. None by default.
    #[serde(deserialize_with = "de::billing_volumes")]
    pub billing_volumes: Vec<Volume>,
    /// Where new findings are POSTed: `[[findings_webhooks]]` tables with `name`, `kind` (`slack`: Slack's
    /// `{"text": …}`; `json`: the versioned JSON of `findings::webhooks::payload::Notification`), `url`
    /// (`http`/`https`; or `env:VARIABLE` / `file:PATH` holding it, as a Slack URL is a secret), `min_severity`
    /// (default `high`) and `headers` (name = `env:VARIABLE` or `file:PATH`: header values only come from the
    /// environment or a file). In the environment, the same tables as a JSON array. None by default.
    #[serde(deserialize_with = "webhooks::entries")]
    pub findings_webhooks: Vec<WebhookEntry>,
    /// The address people reach this Trailscope at (e.g. `https://trailscope.example.com`): notifications link
    /// to the Findings page there. None by default (no link).
    pub public_url: Option<String>,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from("data"),
            addr: SocketAddr::from(([127, 0, 0, 1], 3000)),
            demo: true,
            secure_cookies: None,
            trusted_proxies: Vec::new(),
            proxy_user_header: None,
            proxy_default_role: None,
            accounts: Vec::new(),
            trails_refresh_minutes: 60,
            sync_minutes: 5,
            sync_window_days: 90,
            s3_archives: Vec::new(),
            s3_ingest_minutes: 15,
            ingest_max_file_bytes: IngestLimits::DEFAULT_MAX_FILE_BYTES,
            ingest_max_record_bytes: IngestLimits::DEFAULT_MAX_RECORD_BYTES,
            rules_dir: None,
            // Comfortably inside the 30 s container runtimes wait between SIGTERM and SIGKILL.
            shutdown_grace_secs: 20,
            billing_prices: Vec::new(),
            billing_volumes: Vec::new(),
            findings_webhooks: Vec::new(),
            public_url: None,
        }
    }
}

impl Config {
    /// Every key, in field order: the file keys; `TRAILSCOPE_` + the key in capitals is its
    /// environment variable.
    pub fn keys() -> &'static [&'static str] {
        de::keys::<Self>()
    }

    /// The environment variable of a key, e.g. `TRAILSCOPE_SYNC_MINUTES` for `sync_minutes`.
    pub fn env_name(key: &str) -> String {
        format!("{ENV_PREFIX}{}", key.to_ascii_uppercase())
    }

    /// The bounds `ingest` and the background S3 ingest read archive files within.
    pub fn ingest_limits(&self) -> IngestLimits {
        IngestLimits {
            max_file_bytes: self.ingest_max_file_bytes,
            max_record_bytes: self.ingest_max_record_bytes,
        }
    }

    /// How far back a first Event History sync reads, in seconds.
    pub fn sync_window_secs(&self) -> i64 {
        i64::from(self.sync_window_days) * 86_400
    }

    /// The billing settings: price overrides and entered volumes.
    pub fn billing_settings(&self) -> BillingSettings {
        BillingSettings {
            price_overrides: self.billing_prices.clone(),
            entered: self.billing_volumes.clone(),
        }
    }

    /// The proxy settings the gate uses.
    pub fn proxy_settings(&self) -> ProxySettings {
        ProxySettings {
            trusted: self.trusted_proxies.clone(),
            user_header: self.proxy_user_header.clone(),
            default_role: self.proxy_default_role,
        }
    }

    /// Whether session cookies are `Secure`: as configured, else unless listening on loopback only.
    pub fn secure_cookies(&self) -> bool {
        self.secure_cookies.unwrap_or(!self.addr.ip().is_loopback())
    }

    /// Loads the configuration; `env` reads one environment variable (a parameter so tests need not
    /// mutate the process environment).
    ///
    /// Errors: an unreadable file, an unknown file key, or a value that does not read as its key's
    /// type (naming the file or the environment variable, and the value), and the cross-key rules
    /// of [`Config::check`].
    pub fn load(file: Option<&Path>, env: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let file = file
            .map(Path::to_owned)
            .or_else(|| env("TRAILSCOPE_CONFIG").map(PathBuf::from));
        let mut layers = config::Config::builder();
        if let Some(path) = &file {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read config file {}", path.display()))?;
            layers = layers.add_source(File::from_str(&text, FileFormat::Toml));
        }
        // key → the variable that set it, to name it when its value is refused.
        let mut from_env: HashMap<&str, String> = HashMap::new();
        let mut vars = config::Map::new();
        for key in Self::keys() {
            let own = Self::env_name(key);
            let aliases = ENV_ALIASES.iter().filter(|(k, _)| k == key);
            let names = std::iter::once(own.clone()).chain(aliases.map(|(_, n)| (*n).to_owned()));
            if let Some((name, value)) = names.into_iter().find_map(|n| env(&n).map(|v| (n, v))) {
                vars.insert(own, value);
                from_env.insert(key, name);
            }
        }
        let environment = Environment::with_prefix(ENV_PREFIX.trim_end_matches('_'))
            .prefix_separator("_")
            .source(Some(vars));
        let mut config: Self = layers
            .add_source(environment)
            .build()
            .and_then(config::Config::try_deserialize)
            .map_err(|error| explain(error, &from_env, file.as_deref()))?;
        if let Some(regions) = env("TRAILSCOPE_REGIONS")
            && config.accounts.is_empty()
        {
            config.accounts = vec![AwsAccount {
                regions: parse_regions(&regions, "TRAILSCOPE_REGIONS")?,
                ..AwsAccount::default()
            }];
        }
        config.check()?;
        // Every webhook's secrets must resolve now, so a bad entry stops the start naming it.
        config.findings_webhooks(&env).map_err(|error| {
            match from_env.get("findings_webhooks") {
                Some(variable) => error.context(variable.clone()),
                None => error,
            }
        })?;
        Ok(config)
    }

    /// The `findings_webhooks`, their secrets read through `env` (one environment variable) and from files.
    ///
    /// Errors: the first entry that cannot be used, named, without its secrets.
    pub fn findings_webhooks(
        &self,
        env: impl Fn(&str) -> Option<String>,
    ) -> anyhow::Result<Vec<app::ssr::findings::webhooks::Webhook>> {
        webhooks::resolve(&self.findings_webhooks, &env)
    }

    /// The rules that span keys or bound a number: ingest bounds of at least 1024 bytes, a sync
    /// window of 1–90 days (Event History keeps 90), and no sign-on header without trusted
    /// proxies.
    fn check(&self) -> anyhow::Result<()> {
        for (key, bytes) in [
            ("ingest_max_file_bytes", self.ingest_max_file_bytes),
            ("ingest_max_record_bytes", self.ingest_max_record_bytes),
        ] {
            if bytes < 1024 {
                bail!("{key} must be at least 1024 bytes, not {bytes}");
            }
        }
        if !(1..=90).contains(&self.sync_window_days) {
            bail!(
                "sync_window_days must be 1 to 90 (Event History keeps 90 days), not {}",
                self.sync_window_days
            );
        }
        if let Some(url) = &self.public_url
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            bail!("public_url must start with https:// or http://, not {url:?}");
        }
        if self.proxy_user_header.is_some() && self.trusted_proxies.is_empty() {
            bail!(
                "proxy_user_header needs trusted_proxies: without them anyone could name themselves in that header"
            );
        }
        Ok(())
    }
}

/// Names where a refused value came from: the environment variable that set its key, else the
/// file.
fn explain(
    error: ConfigError,
    from_env: &HashMap<&str, String>,
    file: Option<&Path>,
) -> anyhow::Error {
    let key = match &error {
        ConfigError::Type { key: Some(key), .. } | ConfigError::At { key: Some(key), .. } => {
            key.split(['.', '[']).next()
        }
        _ => None,
    };
    let variable = key.and_then(|key| from_env.get(key));
    let context = match (variable, file) {
        (Some(name), _) => name.clone(),
        (None, Some(path)) => format!("config file {}", path.display()),
        (None, None) => "configuration".to_owned(),
    };
    anyhow::Error::new(error).context(context)
}

#[cfg(test)]
mod tests;
