//! Configuration layering (defaults → file → `TRAILSCOPE_*` environment) and its refusals.
use super::*;
use std::collections::HashMap;
use std::net::IpAddr;

fn env(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
    let vars: HashMap<String, String> = vars
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    move |name| vars.get(name).cloned()
}

#[test]
fn defaults_then_file_then_environment() -> anyhow::Result<()> {
    assert_eq!(Config::load(None, env(&[]))?, Config::default());
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("trailscope.toml");
    std::fs::write(
        &file,
        "data_dir = \"/srv/trailscope\"\naddr = \"0.0.0.0:8080\"\ndemo = false\n",
    )?;
    let from_file = Config::load(Some(&file), env(&[]))?;
    assert_eq!(
        from_file,
        Config {
            data_dir: "/srv/trailscope".into(),
            addr: "0.0.0.0:8080".parse()?,
            demo: false,
            ..Config::default()
        }
    );
    assert!(
        from_file.secure_cookies(),
        "Secure cookies by default when not on loopback"
    );
    assert!(
        !Config::default().secure_cookies(),
        "plain HTTP on localhost keeps working"
    );
    let forced = Config::load(Some(&file), env(&[("TRAILSCOPE_SECURE_COOKIES", "false")]))?;
    assert!(
        !forced.secure_cookies(),
        "a TLS-terminating proxy on another host may need it off"
    );
    let overridden = Config::load(
        Some(&file),
        env(&[
            ("TRAILSCOPE_DATA_DIR", "/tmp/x"),
            ("LEPTOS_SITE_ADDR", "127.0.0.1:3005"),
        ]),
    )?;
    assert_eq!(
        (overridden.data_dir, overridden.addr.port()),
        (PathBuf::from("/tmp/x"), 3005)
    );
    let via_env = Config::load(
        None,
        env(&[
            ("TRAILSCOPE_CONFIG", file.to_str().unwrap_or_default()),
            ("TRAILSCOPE_ADDR", "127.0.0.1:4000"),
        ]),
    )?;
    assert_eq!(via_env.addr.port(), 4000);
    Ok(())
}

#[test]
fn bad_values_are_named() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("t.toml");
    std::fs::write(&file, "data_dri = \"x\"\n")?;
    let err = Config::load(Some(&file), env(&[])).expect_err("unknown key");
    assert!(format!("{err:#}").contains("data_dri"), "{err:#}");
    let err =
        Config::load(None, env(&[("TRAILSCOPE_ADDR", "localhost")])).expect_err("bad address");
    assert!(format!("{err:#}").contains("TRAILSCOPE_ADDR"), "{err:#}");
    let err = Config::load(
        None,
        env(&[("TRAILSCOPE_PROXY_USER_HEADER", "X-Forwarded-User")]),
    )
    .expect_err("sign-on without a trusted proxy");
    assert!(format!("{err:#}").contains("trusted_proxies"), "{err:#}");
    let err = Config::load(None, env(&[("TRAILSCOPE_TRUSTED_PROXIES", "10.0.0.0/33")]))
        .expect_err("bad range");
    assert!(format!("{err:#}").contains("10.0.0.0/33"), "{err:#}");
    Ok(())
}

#[test]
fn accounts_come_from_the_file_or_from_trailscope_regions() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("t.toml");
    std::fs::write(
        &file,
        "[[accounts]]\nname = \"prod\"\nrole_arn = \"arn:aws:iam::111122223333:role/Reader\"\nexternal_id = \"x-123\"\nregions = [\"us-east-1\", \"eu-west-1\"]\nidentity_center_region = \"eu-central-1\"\ncost_explorer = true\n\n[[accounts]]\nprofile = \"dev\"\n",
    )?;
    let config = Config::load(Some(&file), env(&[("TRAILSCOPE_REGIONS", "us-west-2")]))?;
    assert_eq!(
        config.accounts.len(),
        2,
        "the file wins over TRAILSCOPE_REGIONS"
    );
    assert_eq!(config.accounts[0].regions(), ["us-east-1", "eu-west-1"]);
    assert_eq!(
        config.accounts[0].identity_center_region.as_deref(),
        Some("eu-central-1")
    );
    assert_eq!(config.accounts[1].identity_center_region, None);
    assert!(config.accounts[0].cost_explorer);
    assert!(
        !config.accounts[1].cost_explorer,
        "Cost Explorer is charged per request: off unless asked for"
    );
    assert!(
        config.accounts[1].regions().len() >= 17,
        "default: every commercial Region"
    );
    assert!(
        !format!("{:?}", config.accounts[0]).contains("x-123"),
        "the external ID stays out of logs"
    );
    let config = Config::load(None, env(&[("TRAILSCOPE_REGIONS", "us-east-1, eu-west-1")]))?;
    assert_eq!(config.accounts[0].regions(), ["us-east-1", "eu-west-1"]);
    assert_eq!(config.accounts[0].label(), "default credentials");
    let err =
        Config::load(None, env(&[("TRAILSCOPE_REGIONS", "useast1")])).expect_err("not a Region");
    assert!(format!("{err:#}").contains("useast1"), "{err:#}");
    std::fs::write(
        &file,
        "[[accounts]]\nidentity_center_region = \"Frankfurt\"\n",
    )?;
    let err = Config::load(Some(&file), env(&[])).expect_err("not a Region");
    assert!(
        format!("{err:#}").contains("identity_center_region"),
        "{err:#}"
    );
    Ok(())
}

#[test]
fn s3_archives_come_from_the_file_or_the_environment() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("t.toml");
    std::fs::write(
        &file,
        "s3_archives = [\"s3://trail-logs/org\", \"s3://other-logs\"]\ns3_ingest_minutes = 5\n",
    )?;
    let config = Config::load(Some(&file), env(&[]))?;
    let urls: Vec<String> = config.s3_archives.iter().map(ToString::to_string).collect();
    assert_eq!(urls, ["s3://trail-logs/org", "s3://other-logs"]);
    assert_eq!(config.s3_ingest_minutes, 5);
    assert_eq!(Config::default().s3_ingest_minutes, 15);
    let config = Config::load(
        Some(&file),
        env(&[
            ("TRAILSCOPE_S3_ARCHIVES", "s3://a-logs/x, s3://b-logs"),
            ("TRAILSCOPE_S3_INGEST_MINUTES", "0"),
        ]),
    )?;
    assert_eq!(config.s3_archives.len(), 2);
    assert_eq!(config.s3_archives[0].prefix, "x");
    assert_eq!(config.s3_ingest_minutes, 0);
    let err = Config::load(None, env(&[("TRAILSCOPE_S3_ARCHIVES", "trail-logs/x")]))
        .expect_err("not a URL");
    assert!(
        format!("{err:#}").contains("TRAILSCOPE_S3_ARCHIVES"),
        "{err:#}"
    );
    Ok(())
}

#[test]
fn ingest_bounds_come_from_the_file_or_the_environment() -> anyhow::Result<()> {
    assert_eq!(Config::default().ingest_limits(), IngestLimits::default());
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("t.toml");
    std::fs::write(
        &file,
        "ingest_max_file_bytes = 1073741824\ningest_max_record_bytes = 65536\n",
    )?;
    let config = Config::load(Some(&file), env(&[]))?;
    assert_eq!(
        config.ingest_limits(),
        IngestLimits {
            max_file_bytes: 1 << 30,
            max_record_bytes: 1 << 16
        }
    );
    let config = Config::load(
        Some(&file),
        env(&[("TRAILSCOPE_INGEST_MAX_FILE_BYTES", "2048")]),
    )?;
    assert_eq!(config.ingest_limits().max_file_bytes, 2048);
    let err = Config::load(None, env(&[("TRAILSCOPE_INGEST_MAX_RECORD_BYTES", "4MiB")]))
        .expect_err("not a number");
    assert!(
        format!("{err:#}").contains("TRAILSCOPE_INGEST_MAX_RECORD_BYTES"),
        "{err:#}"
    );
    let err =
        Config::load(None, env(&[("TRAILSCOPE_INGEST_MAX_FILE_BYTES", "0")])).expect_err("zero");
    assert!(
        format!("{err:#}").contains("ingest_max_file_bytes"),
        "{err:#}"
    );
    Ok(())
}

#[test]
fn proxy_sign_on_is_configured_by_file_or_environment() -> anyhow::Result<()> {
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("t.toml");
    std::fs::write(
        &file,
        "trusted_proxies = [\"10.0.0.0/8\", \"192.0.2.4\"]\nproxy_user_header = \"X-Forwarded-User\"\n",
    )?;
    let config = Config::load(Some(&file), env(&[]))?;
    let settings = config.proxy_settings();
    assert_eq!(settings.trusted.len(), 2);
    assert!(settings.trusted[1].contains(&"192.0.2.4".parse::<IpAddr>()?));
    assert_eq!(
        settings.user_header.as_ref().map(HeaderName::as_str),
        Some("x-forwarded-user")
    );
    assert_eq!(
        settings.default_role, None,
        "unknown users refused by default"
    );
    let config = Config::load(
        None,
        env(&[
            ("TRAILSCOPE_TRUSTED_PROXIES", "127.0.0.1, ::1"),
            ("TRAILSCOPE_PROXY_USER_HEADER", "Remote-User"),
            ("TRAILSCOPE_PROXY_DEFAULT_ROLE", "viewer"),
        ]),
    )?;
    assert_eq!(config.trusted_proxies.len(), 2);
    assert_eq!(config.proxy_default_role, Some(Role::Viewer));
    assert!(Config::default().proxy_settings().user_header.is_none());
    Ok(())
}

#[test]
fn every_key_is_read_from_its_environment_variable() -> anyhow::Result<()> {
    let keys = Config::keys();
    assert_eq!(keys.len(), 21, "{keys:?}");
    assert_eq!(Config::env_name("sync_minutes"), "TRAILSCOPE_SYNC_MINUTES");
    let config = Config::load(
        None,
        env(&[
            ("TRAILSCOPE_DEMO", "off"),
            ("TRAILSCOPE_SYNC_MINUTES", "7"),
            ("TRAILSCOPE_SYNC_WINDOW_DAYS", "30"),
            ("TRAILSCOPE_TRAILS_REFRESH_MINUTES", "0"),
            ("TRAILSCOPE_SHUTDOWN_GRACE_SECS", "5"),
            ("TRAILSCOPE_RULES_DIR", "/srv/trailscope-rules"),
            ("TRAILSCOPE_LOG", "debug"),
            ("TRAILSCOPE_ADMIN_PASSWORD", "not a key"),
        ]),
    )?;
    assert_eq!(
        (config.demo, config.sync_minutes, config.sync_window_days),
        (false, 7, 30)
    );
    assert_eq!(config.trails_refresh_minutes, 0);
    assert_eq!(config.shutdown_grace_secs, 5);
    assert_eq!(config.rules_dir, Some("/srv/trailscope-rules".into()));
    let err =
        Config::load(None, env(&[("TRAILSCOPE_SYNC_MINUTES", "often")])).expect_err("not a number");
    assert!(
        format!("{err:#}").contains("TRAILSCOPE_SYNC_MINUTES"),
        "{err:#}"
    );
    Ok(())
}

/// Billing prices and entered volumes read from the file and from the environment; a bad item, price,
/// class or account is refused by name.
#[test]
fn billing_prices_and_volumes_are_read_and_refused_by_name() -> anyhow::Result<()> {
    use app::model::billing::{Basis, EventClass, MicroUsd, PriceItem};
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("trailscope.toml");
    std::fs::write(
        &file,
        r#"
[billing_prices]
paid_management_copy = "2.50"
"s3_storage@eu-west-1" = 0.024

[[billing_volumes]]
account = "111122223333"
region = "us-east-1"
class = "data-write:AWS::S3::Object@invoices"
events_per_month = 2000000
"#,
    )?;
    let config = Config::load(Some(&file), env(&[]))?;
    let mut prices = config.billing_prices.clone();
    prices.sort_by_key(|p| p.item);
    assert_eq!(prices.len(), 2);
    assert_eq!(
        (prices[0].item, prices[0].region.as_deref(), prices[0].price),
        (PriceItem::PaidManagementCopy, None, MicroUsd(2_500_000))
    );
    assert_eq!(
        (prices[1].item, prices[1].region.as_deref(), prices[1].price),
        (PriceItem::S3Storage, Some("eu-west-1"), MicroUsd(24_000))
    );
    let volume = &config.billing_volumes[0];
    assert_eq!(volume.basis, Basis::Entered);
    assert_eq!(
        volume.class,
        EventClass::Data {
            resource_type: "AWS::S3::Object".to_owned(),
            read_only: false,
            resource: Some("invoices".to_owned()),
        }
    );
    let from_env = Config::load(
        None,
        env(&[
            ("TRAILSCOPE_BILLING_PRICES", "data_events=0.12"),
            (
                "TRAILSCOPE_BILLING_VOLUMES",
                r#"[{"account":"111122223333","region":"us-east-1","class":"network@s3.amazonaws.com","events_per_month":5}]"#,
            ),
        ]),
    )?;
    assert_eq!(from_env.billing_prices[0].price, MicroUsd(120_000));
    assert_eq!(from_env.billing_volumes[0].events_per_month, 5);
    for (var, value, says) in [
        ("TRAILSCOPE_BILLING_PRICES", "free_lunch=0", "free_lunch"),
        ("TRAILSCOPE_BILLING_PRICES", "data_events=cheap", "cheap"),
        (
            "TRAILSCOPE_BILLING_VOLUMES",
            r#"[{"account":"1","region":"us-east-1","class":"management-read","events_per_month":5}]"#,
            "12-digit",
        ),
        (
            "TRAILSCOPE_BILLING_VOLUMES",
            r#"[{"account":"111122223333","region":"us-east-1","class":"lots","events_per_month":5}]"#,
            "not an event class",
        ),
    ] {
        let err = Config::load(None, env(&[(var, value)])).expect_err(value);
        let text = format!("{err:#}");
        assert!(text.contains(var) && text.contains(says), "{text}");
    }
    Ok(())
}

/// The README's configuration table names every key, its environment variable and its default.
#[test]
fn the_readme_table_lists_every_key() -> anyhow::Result<()> {
    let readme = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../README.md"))?;
    let defaults = Config::default();
    let shown: HashMap<&str, String> = HashMap::from([
        ("data_dir", defaults.data_dir.display().to_string()),
        ("addr", defaults.addr.to_string()),
        ("demo", defaults.demo.to_string()),
        ("sync_minutes", defaults.sync_minutes.to_string()),
        ("sync_window_days", defaults.sync_window_days.to_string()),
        ("s3_ingest_minutes", defaults.s3_ingest_minutes.to_string()),
        (
            "shutdown_grace_secs",
            defaults.shutdown_grace_secs.to_string(),
        ),
        (
            "trails_refresh_minutes",
            defaults.trails_refresh_minutes.to_string(),
        ),
        (
            "ingest_max_file_bytes",
            defaults.ingest_max_file_bytes.to_string(),
        ),
        (
            "ingest_max_record_bytes",
            defaults.ingest_max_record_bytes.to_string(),
        ),
    ]);
    for key in Config::keys() {
        let row = readme
            .lines()
            .find(|line| {
                line.starts_with(&format!("| `{key}` |"))
                    || line.starts_with(&format!("| `[[{key}]]` |"))
            })
            .unwrap_or_else(|| panic!("README's configuration table has no row for {key}"));
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        assert!(
            cells[2].contains(&format!("`{}`", Config::env_name(key))),
            "{key}: {row}"
        );
        if let Some(default) = shown.get(key) {
            assert!(
                cells[3].contains(default.as_str()),
                "{key} defaults to {default}: {row}"
            );
        }
    }
    Ok(())
}

/// A container is configured by its environment alone: `TRAILSCOPE_ACCOUNTS` holds the `[[accounts]]` tables
/// as JSON, roles and external IDs included, and a bad one is refused naming the variable.
#[test]
fn accounts_read_through_roles_come_from_the_environment_too() -> anyhow::Result<()> {
    let accounts = r#"[{"name":"prod","role_arn":"arn:aws:iam::111122223333:role/TrailscopeReadOnly",
        "external_id":"x-123","regions":["us-east-1","eu-west-1"],"cost_explorer":true},{"name":"dev","profile":"dev"}]"#;
    let config = Config::load(None, env(&[("TRAILSCOPE_ACCOUNTS", accounts)]))?;
    assert_eq!(config.accounts.len(), 2);
    assert_eq!(
        config.accounts[0].role_arn.as_deref(),
        Some("arn:aws:iam::111122223333:role/TrailscopeReadOnly")
    );
    assert_eq!(config.accounts[0].regions(), ["us-east-1", "eu-west-1"]);
    assert_eq!(config.accounts[1].profile.as_deref(), Some("dev"));
    assert!(config.accounts[0].cost_explorer && !config.accounts[1].cost_explorer);
    assert!(
        !format!("{config:?}").contains("x-123"),
        "the external ID stays out of logs"
    );
    for bad in [
        r#"[{"name":"prod","colour":"red"}]"#,
        r#"[{"name":"prod","cost_explorer":"sometimes"}]"#,
        "prod=arn:aws:iam::1:role/R",
    ] {
        let err = Config::load(None, env(&[("TRAILSCOPE_ACCOUNTS", bad)])).expect_err(bad);
        assert!(
            format!("{err:#}").contains("TRAILSCOPE_ACCOUNTS"),
            "{err:#}"
        );
    }
    Ok(())
}

/// `[[findings_webhooks]]`: secrets come from the environment or a file, never the configuration file; a bad
/// entry is refused naming it, and neither the URL nor a header value shows in `Debug`.
#[test]
fn findings_webhooks_read_their_secrets_from_the_environment_or_a_file() -> anyhow::Result<()> {
    use app::model::findings::Severity;
    use app::ssr::findings::webhooks::WebhookKind;
    let dir = tempfile::tempdir()?;
    let token = dir.path().join("siem-token");
    std::fs::write(&token, "Bearer s3cr3t-from-file\n")?;
    let file = dir.path().join("trailscope.toml");
    std::fs::write(
        &file,
        format!(
            r#"
public_url = "https://trailscope.example.com"

[[findings_webhooks]]
name = "security-slack"
kind = "slack"
url = "env:SLACK_URL"

[[findings_webhooks]]
name = "siem"
kind = "json"
url = "https://siem.example.com/hooks/trailscope?key=abc"
min_severity = "medium"
headers = {{ Authorization = "file:{}", X-Tenant = "env:TENANT" }}
"#,
            token.display()
        ),
    )?;
    let vars = [
        (
            "SLACK_URL",
            "https://hooks.slack.com/services/T000/B000/XXXXSECRET",
        ),
        ("TENANT", "blue"),
    ];
    let config = Config::load(Some(&file), env(&vars))?;
    assert_eq!(
        config.public_url.as_deref(),
        Some("https://trailscope.example.com")
    );
    let hooks = config.findings_webhooks(env(&vars))?;
    assert_eq!(hooks.len(), 2);
    assert_eq!(
        (hooks[0].kind, hooks[0].min_severity),
        (WebhookKind::Slack, Severity::High)
    );
    assert_eq!(hooks[0].target(), "https://hooks.slack.com/…");
    assert_eq!(
        (hooks[1].kind, hooks[1].min_severity),
        (WebhookKind::Json, Severity::Medium)
    );
    let auth = hooks[1]
        .headers
        .iter()
        .find(|(n, _)| n == "authorization")
        .map(|(_, v)| v.to_str().unwrap_or_default().to_owned());
    assert_eq!(auth.as_deref(), Some("Bearer s3cr3t-from-file"));
    let shown = format!("{config:?} {hooks:?}");
    for secret in ["XXXXSECRET", "s3cr3t", "key=abc", "blue"] {
        assert!(!shown.contains(secret), "{secret} shows in {shown}");
    }

    let entry = |fields: &str| format!(r#"[{{"name":"siem","kind":"json",{fields}}}]"#);
    for (fields, says) in [
        (r#""url":"ftp://siem.example.com/x""#, "ftp"),
        (r#""url":"siem.example.com/x""#, "not a URL"),
        (r#""url":"env:NOT_SET""#, "NOT_SET is not set"),
        (
            r#""url":"https://siem.example.com/","min_severity":"severe""#,
            "severe",
        ),
        (
            r#""url":"https://siem.example.com/","headers":{"Authorization":"Bearer abc"}"#,
            "environment",
        ),
    ] {
        let value = entry(fields);
        let err =
            Config::load(None, env(&[("TRAILSCOPE_FINDINGS_WEBHOOKS", &value)])).expect_err(&value);
        let text = format!("{err:#}");
        assert!(
            text.contains("\"siem\"")
                && text.contains(says)
                && text.contains("TRAILSCOPE_FINDINGS_WEBHOOKS"),
            "{text}"
        );
        assert!(!text.contains("Bearer abc"), "{text}");
    }
    let twice = r#"[{"name":"a","kind":"json","url":"http://127.0.0.1:9/"},{"name":"a","kind":"slack","url":"http://127.0.0.1:9/"}]"#;
    let err =
        Config::load(None, env(&[("TRAILSCOPE_FINDINGS_WEBHOOKS", twice)])).expect_err("twice");
    assert!(format!("{err:#}").contains("used twice"), "{err:#}");
    Ok(())
}
