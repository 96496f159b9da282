//! `[[findings_webhooks]]`: where new findings are POSTed. Each table has `name`, `kind` (`slack` or `json`),
//! `url`, `min_severity` (default `high`) and `headers`. A secret never sits in the configuration file: `url` may
//! be `env:VARIABLE` or `file:PATH` (a Slack webhook URL is itself a secret), and every header value must be one
//! of those. In `TRAILSCOPE_FINDINGS_WEBHOOKS`, the same tables as a JSON array.
use app::model::findings::Severity;
use app::ssr::findings::webhooks::{Webhook, WebhookKind};
use serde::Deserialize;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use std::collections::BTreeMap;
use std::fmt;

/// One `[[findings_webhooks]]` table as written: its secrets not yet read.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookEntry {
    /// A unique name, shown in the status and the log.
    pub name: String,
    /// `slack` or `json`.
    pub kind: String,
    /// The URL, or `env:VARIABLE` / `file:PATH` holding it. Kept out of `Debug`.
    pub url: Redacted,
    /// The least severe finding sent (`informational` … `critical`); `high` when unset.
    #[serde(default)]
    pub min_severity: Option<String>,
    /// Header name → `env:VARIABLE` or `file:PATH` holding its value.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
}

/// Configuration text that may be a secret: kept out of `Debug` output and logs.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Redacted(pub String);

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("<redacted>")
    }
}

/// `findings_webhooks`: `[[findings_webhooks]]` tables, or a JSON array of them.
pub(super) fn entries<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<WebhookEntry>, D::Error> {
    struct Entries;
    impl<'de> Visitor<'de> for Entries {
        type Value = Vec<WebhookEntry>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("[[findings_webhooks]] tables, or a JSON array of them")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
            Vec::<WebhookEntry>::deserialize(de::value::SeqAccessDeserializer::new(seq))
        }
        fn visit_str<E: de::Error>(self, text: &str) -> Result<Self::Value, E> {
            serde_json::from_str(text)
                .map_err(|error| E::custom(format!("not a JSON array of webhooks: {error}")))
        }
    }
    d.deserialize_any(Entries)
}

/// Reads a secret given as `env:VARIABLE` or `file:PATH` (a file's content is trimmed). `literal_ok` lets a
/// plain value stand for itself (a URL that is no secret).
fn secret(
    value: &str,
    what: &str,
    literal_ok: bool,
    env: &impl Fn(&str) -> Option<String>,
) -> Result<String, String> {
    let value = value.trim();
    if let Some(variable) = value.strip_prefix("env:") {
        return env(variable.trim())
            .filter(|v| !v.trim().is_empty())
            .ok_or_else(|| {
                format!(
                    "{what}: environment variable {} is not set",
                    variable.trim()
                )
            });
    }
    if let Some(path) = value.strip_prefix("file:") {
        return std::fs::read_to_string(path.trim())
            .map(|text| text.trim().to_owned())
            .map_err(|error| format!("{what}: cannot read {}: {error}", path.trim()));
    }
    if literal_ok {
        Ok(value.to_owned())
    } else {
        Err(format!(
            "{what} must come from the environment (env:VARIABLE) or a file (file:PATH), not the configuration"
        ))
    }
}

/// The webhooks of `entries`, their secrets read through `env` and from files, each checked (an `http`/`https`
/// URL with a host, a known kind and severity, valid headers, a unique name).
///
/// Errors: the first entry that is not usable, named (`findings_webhooks "siem": …`), never showing a secret.
pub fn resolve(
    entries: &[WebhookEntry],
    env: &impl Fn(&str) -> Option<String>,
) -> anyhow::Result<Vec<Webhook>> {
    let mut hooks: Vec<Webhook> = Vec::new();
    for entry in entries {
        let hook = resolve_one(entry, env)
            .map_err(|reason| anyhow::anyhow!("findings_webhooks {:?}: {reason}", entry.name))?;
        if hooks.iter().any(|h| h.name == hook.name) {
            anyhow::bail!("findings_webhooks {:?}: the name is used twice", entry.name);
        }
        hooks.push(hook);
    }
    Ok(hooks)
}

fn resolve_one(
    entry: &WebhookEntry,
    env: &impl Fn(&str) -> Option<String>,
) -> Result<Webhook, String> {
    if entry.name.trim().is_empty() {
        return Err("name is empty".to_owned());
    }
    let kind: WebhookKind = entry.kind.parse()?;
    let min_severity: Severity = match &entry.min_severity {
        Some(level) => level.parse()?,
        None => Severity::High,
    };
    let url = secret(&entry.url.0, "url", true, env)?;
    let headers = entry
        .headers
        .iter()
        .map(|(name, value)| {
            Ok((
                name.clone(),
                secret(value, &format!("header {name}"), false, env)?,
            ))
        })
        .collect::<Result<Vec<_>, String>>()?;
    Webhook::new(entry.name.trim(), kind, &url, min_severity, &headers)
}
