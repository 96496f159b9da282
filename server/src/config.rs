//! The typed configuration: defaults, then `trailscope.toml` (from `--config` or `TRAILSCOPE_CONFIG`), then
//! `TRAILSCOPE_*` environment variables, then command-line flags.
use anyhow::{Context, bail};
use app::ssr::auth::Role;
use app::ssr::auth::proxy::ProxySettings;
use app::ssr::aws::{AwsAccount, Redacted};
use app::ssr::ingest::IngestLimits;
use app::ssr::ingest::s3::S3Archive;
use axum::http::HeaderName;
use ipnet::IpNet;
use serde::Deserialize;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Folder of the store (`trailscope.db`) and the generated demo archive (`demo/`).
    /// File key `data_dir`, env `TRAILSCOPE_DATA_DIR`, flag `--data-dir`. Default `./data`.
    pub data_dir: PathBuf,
    /// Address the server listens on. File key `addr`, env `TRAILSCOPE_ADDR` or cargo-leptos'
    /// `LEPTOS_SITE_ADDR`. Default `127.0.0.1:3000`.
    pub addr: SocketAddr,
    /// Whether to serve the generated demo archive when the store is empty. File key `demo`, env
    /// `TRAILSCOPE_DEMO` (`true`/`false`). Default true.
    pub demo: bool,
    /// Mark the session cookie `Secure` (sent over HTTPS only). File key `secure_cookies`, env
    /// `TRAILSCOPE_SECURE_COOKIES`. Default: on unless the server listens on a loopback address.
    pub secure_cookies: Option<bool>,
    /// Reverse proxies whose `X-Forwarded-For` (and sign-on header) are believed: addresses or CIDR ranges.
    /// File key `trusted_proxies` (a list), env `TRAILSCOPE_TRUSTED_PROXIES` (comma-separated). Default none.
    pub trusted_proxies: Vec<IpNet>,
    /// Single sign-on through a trusted proxy (e.g. oauth2-proxy's `X-Forwarded-User`): the header naming the
    /// signed-in user. File key `proxy_user_header`, env `TRAILSCOPE_PROXY_USER_HEADER`. Default off; needs
    /// `trusted_proxies`.
    pub proxy_user_header: Option<HeaderName>,
    /// The role of proxy-signed-in users who are not Trailscope users (`viewer` or `admin`); unset refuses
    /// them. File key `proxy_default_role`, env `TRAILSCOPE_PROXY_DEFAULT_ROLE`.
    pub proxy_default_role: Option<Role>,
    /// AWS accounts to read (`[[accounts]]` tables: `name`, `profile`, `role_arn`, `external_id`, `regions`,
    /// `identity_center_region`). Without any, env `TRAILSCOPE_REGIONS` (comma-separated) means the
    /// default-credential account in those Regions. Credentials always come from the AWS SDK's default chain.
    /// `identity_center_region` is the Region of the IAM Identity Center instance, where Identity Center user
    /// names are asked (`DescribeUser`); unset, it is sought among `regions` and remembered. Set it on a
    /// delegated administrator account to let that account name the users too.
    pub accounts: Vec<AwsAccount>,
    /// Minutes between trail configuration refreshes while serving. File key `trails_refresh_minutes`, env
    /// `TRAILSCOPE_TRAILS_REFRESH_MINUTES`. Default 60; 0 turns the background refresh off.
    pub trails_refresh_minutes: u32,
    /// Minutes between Event History syncs while serving. File key `sync_minutes`, env
    /// `TRAILSCOPE_SYNC_MINUTES`. Default 5; 0 turns the background sync off.
    pub sync_minutes: u32,
    /// Days a first Event History sync reads back (1–90, AWS keeps 90). File key `sync_window_days`, env
    /// `TRAILSCOPE_SYNC_WINDOW_DAYS`. Default 90.
    pub sync_window_days: u32,
    /// Trail archives in S3 (`s3://bucket[/prefix]`, the trail's bucket and key prefix) that `serve` ingests in
    /// the background with the default credentials. File key `s3_archives` (a list), env
    /// `TRAILSCOPE_S3_ARCHIVES` (comma-separated). Default none. An archive turns the demo off.
    pub s3_archives: Vec<S3Archive>,
    /// Minutes between ingests of `s3_archives` while serving. File key `s3_ingest_minutes`, env
    /// `TRAILSCOPE_S3_INGEST_MINUTES`. Default 15; 0 turns the background ingest off.
    pub s3_ingest_minutes: u32,
    /// Bytes one trail log file may decompress to (and be, compressed) when `ingest` or `serve` reads it; a
    /// larger one is reported by key, not stored, and tried again next run. File key `ingest_max_file_bytes`,
    /// env `TRAILSCOPE_INGEST_MAX_FILE_BYTES`. Default 256 MiB (268435456), five times the largest files
    /// CloudTrail writes; each parser thread holds at most one such file (see `IngestLimits`).
    pub ingest_max_file_bytes: usize,
    /// Bytes of JSON one record may span in a log file; a longer record is reported by its ordinal and not
    /// stored, the rest of its file is. File key `ingest_max_record_bytes`, env
    /// `TRAILSCOPE_INGEST_MAX_RECORD_BYTES`. Default 4 MiB (4194304); CloudTrail's records stay below 1 MiB.
    pub ingest_max_record_bytes: usize,
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
        }
    }
}

/// The file's keys; every one optional, unknown keys refused so typos do not go unnoticed.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    data_dir: Option<PathBuf>,
    addr: Option<String>,
    demo: Option<bool>,
    secure_cookies: Option<bool>,
    trusted_proxies: Option<Vec<String>>,
    proxy_user_header: Option<String>,
    proxy_default_role: Option<String>,
    accounts: Option<Vec<FileAccount>>,
    trails_refresh_minutes: Option<u32>,
    sync_minutes: Option<u32>,
    sync_window_days: Option<u32>,
    s3_archives: Option<Vec<String>>,
    s3_ingest_minutes: Option<u32>,
    ingest_max_file_bytes: Option<usize>,
    ingest_max_record_bytes: Option<usize>,
}

/// One `[[accounts]]` table.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileAccount {
    name: Option<String>,
    profile: Option<String>,
    role_arn: Option<String>,
    external_id: Option<String>,
    regions: Option<Vec<String>>,
    identity_center_region: Option<String>,
}

impl From<FileAccount> for AwsAccount {
    fn from(a: FileAccount) -> Self {
        AwsAccount {
            name: a.name,
            profile: a.profile,
            role_arn: a.role_arn,
            external_id: a.external_id.map(Redacted),
            regions: a.regions.unwrap_or_default(),
            identity_center_region: a.identity_center_region,
        }
    }
}

/// `us-east-1,eu-west-1` → Regions, refusing anything that is not shaped like a Region name.
pub fn parse_regions(value: &str, from: &str) -> anyhow::Result<Vec<String>> {
    value
        .split(',')
        .map(str::trim)
        .filter(|r| !r.is_empty())
        .map(|r| {
            let shaped = r.split('-').count() >= 3
                && r.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if shaped {
                Ok(r.to_owned())
            } else {
                bail!("{from}: {r:?} is not a Region name like us-east-1")
            }
        })
        .collect()
}

fn parse_addr(value: &str, from: &str) -> anyhow::Result<SocketAddr> {
    value
        .parse()
        .with_context(|| format!("{from}: {value:?} is not an address like 127.0.0.1:3000"))
}

fn parse_bool(value: &str, from: &str) -> anyhow::Result<bool> {
    match value.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => bail!("{from}: {value:?} is not true or false"),
    }
}

fn parse_proxy(value: &str, from: &str) -> anyhow::Result<IpNet> {
    let value = value.trim();
    value
        .parse::<IpNet>()
        .or_else(|_| value.parse::<IpAddr>().map(IpNet::from))
        .with_context(|| format!("{from}: {value:?} is not an address or range like 10.0.0.0/8"))
}

fn parse_header(value: &str, from: &str) -> anyhow::Result<HeaderName> {
    HeaderName::try_from(value.trim())
        .with_context(|| format!("{from}: {value:?} is not a header name"))
}

fn parse_archive(value: &str, from: &str) -> anyhow::Result<S3Archive> {
    S3Archive::parse(value.trim()).map_err(|reason| anyhow::anyhow!("{from}: {reason}"))
}

fn parse_role(value: &str, from: &str) -> anyhow::Result<Role> {
    Role::parse(value.trim()).with_context(|| format!("{from}: {value:?} is not viewer or admin"))
}

impl Config {
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

    /// Loads the configuration; `env` reads one environment variable (a parameter so tests need not mutate
    /// the process environment).
    pub fn load(file: Option<&Path>, env: impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let mut config = Self::default();
        let file = file
            .map(Path::to_owned)
            .or_else(|| env("TRAILSCOPE_CONFIG").map(PathBuf::from));
        if let Some(path) = file {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("cannot read config file {}", path.display()))?;
            let parsed: FileConfig =
                toml::from_str(&text).with_context(|| format!("config file {}", path.display()))?;
            if let Some(dir) = parsed.data_dir {
                config.data_dir = dir;
            }
            if let Some(addr) = parsed.addr {
                config.addr = parse_addr(&addr, &format!("{} addr", path.display()))?;
            }
            if let Some(demo) = parsed.demo {
                config.demo = demo;
            }
            config.secure_cookies = parsed.secure_cookies.or(config.secure_cookies);
            let from = |key: &str| format!("{} {key}", path.display());
            if let Some(proxies) = parsed.trusted_proxies {
                config.trusted_proxies = proxies
                    .iter()
                    .map(|p| parse_proxy(p, &from("trusted_proxies")))
                    .collect::<anyhow::Result<_>>()?;
            }
            if let Some(header) = parsed.proxy_user_header {
                config.proxy_user_header = Some(parse_header(&header, &from("proxy_user_header"))?);
            }
            if let Some(role) = parsed.proxy_default_role {
                config.proxy_default_role = Some(parse_role(&role, &from("proxy_default_role"))?);
            }
            if let Some(accounts) = parsed.accounts {
                config.accounts = accounts.into_iter().map(AwsAccount::from).collect();
                for account in &config.accounts {
                    parse_regions(&account.regions.join(","), &from("accounts.regions"))?;
                    if let Some(region) = &account.identity_center_region {
                        parse_regions(region, &from("accounts.identity_center_region"))?;
                    }
                }
            }
            if let Some(minutes) = parsed.trails_refresh_minutes {
                config.trails_refresh_minutes = minutes;
            }
            if let Some(minutes) = parsed.sync_minutes {
                config.sync_minutes = minutes;
            }
            if let Some(days) = parsed.sync_window_days {
                config.sync_window_days = days;
            }
            if let Some(archives) = parsed.s3_archives {
                config.s3_archives = archives
                    .iter()
                    .map(|a| parse_archive(a, &from("s3_archives")))
                    .collect::<anyhow::Result<_>>()?;
            }
            if let Some(minutes) = parsed.s3_ingest_minutes {
                config.s3_ingest_minutes = minutes;
            }
            if let Some(bytes) = parsed.ingest_max_file_bytes {
                config.ingest_max_file_bytes = bytes;
            }
            if let Some(bytes) = parsed.ingest_max_record_bytes {
                config.ingest_max_record_bytes = bytes;
            }
        }
        if let Some(dir) = env("TRAILSCOPE_DATA_DIR") {
            config.data_dir = PathBuf::from(dir);
        }
        if let Some((name, addr)) = ["TRAILSCOPE_ADDR", "LEPTOS_SITE_ADDR"]
            .into_iter()
            .find_map(|n| env(n).map(|v| (n, v)))
        {
            config.addr = parse_addr(&addr, name)?;
        }
        if let Some(demo) = env("TRAILSCOPE_DEMO") {
            config.demo = parse_bool(&demo, "TRAILSCOPE_DEMO")?;
        }
        if let Some(secure) = env("TRAILSCOPE_SECURE_COOKIES") {
            config.secure_cookies = Some(parse_bool(&secure, "TRAILSCOPE_SECURE_COOKIES")?);
        }
        if let Some(proxies) = env("TRAILSCOPE_TRUSTED_PROXIES") {
            config.trusted_proxies = proxies
                .split(',')
                .filter(|p| !p.trim().is_empty())
                .map(|p| parse_proxy(p, "TRAILSCOPE_TRUSTED_PROXIES"))
                .collect::<anyhow::Result<_>>()?;
        }
        if let Some(header) = env("TRAILSCOPE_PROXY_USER_HEADER") {
            config.proxy_user_header = Some(parse_header(&header, "TRAILSCOPE_PROXY_USER_HEADER")?);
        }
        if let Some(role) = env("TRAILSCOPE_PROXY_DEFAULT_ROLE") {
            config.proxy_default_role = Some(parse_role(&role, "TRAILSCOPE_PROXY_DEFAULT_ROLE")?);
        }
        if let Some(regions) = env("TRAILSCOPE_REGIONS")
            && config.accounts.is_empty()
        {
            config.accounts = vec![AwsAccount {
                regions: parse_regions(&regions, "TRAILSCOPE_REGIONS")?,
                ..AwsAccount::default()
            }];
        }
        if let Some(minutes) = env("TRAILSCOPE_TRAILS_REFRESH_MINUTES") {
            config.trails_refresh_minutes = minutes.parse().with_context(|| {
                format!("TRAILSCOPE_TRAILS_REFRESH_MINUTES: {minutes:?} is not a number of minutes")
            })?;
        }
        if let Some(archives) = env("TRAILSCOPE_S3_ARCHIVES") {
            config.s3_archives = archives
                .split(',')
                .filter(|a| !a.trim().is_empty())
                .map(|a| parse_archive(a, "TRAILSCOPE_S3_ARCHIVES"))
                .collect::<anyhow::Result<_>>()?;
        }
        for (name, field) in [
            ("TRAILSCOPE_SYNC_MINUTES", &mut config.sync_minutes),
            ("TRAILSCOPE_SYNC_WINDOW_DAYS", &mut config.sync_window_days),
            (
                "TRAILSCOPE_S3_INGEST_MINUTES",
                &mut config.s3_ingest_minutes,
            ),
        ] {
            if let Some(value) = env(name) {
                *field = value
                    .parse()
                    .with_context(|| format!("{name}: {value:?} is not a whole number"))?;
            }
        }
        for (name, field) in [
            (
                "TRAILSCOPE_INGEST_MAX_FILE_BYTES",
                &mut config.ingest_max_file_bytes,
            ),
            (
                "TRAILSCOPE_INGEST_MAX_RECORD_BYTES",
                &mut config.ingest_max_record_bytes,
            ),
        ] {
            if let Some(value) = env(name) {
                *field = value
                    .parse()
                    .with_context(|| format!("{name}: {value:?} is not a whole number of bytes"))?;
            }
        }
        for (key, bytes) in [
            ("ingest_max_file_bytes", config.ingest_max_file_bytes),
            ("ingest_max_record_bytes", config.ingest_max_record_bytes),
        ] {
            if bytes < 1024 {
                bail!("{key} must be at least 1024 bytes, not {bytes}");
            }
        }
        if !(1..=90).contains(&config.sync_window_days) {
            bail!(
                "sync_window_days must be 1 to 90 (Event History keeps 90 days), not {}",
                config.sync_window_days
            );
        }
        if config.proxy_user_header.is_some() && config.trusted_proxies.is_empty() {
            bail!(
                "proxy_user_header needs trusted_proxies: without them anyone could name themselves in that header"
            );
        }
        Ok(config)
    }
}

#[cfg(test)]
mod tests;
