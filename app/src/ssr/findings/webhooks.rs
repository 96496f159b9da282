//! Notifications (issue 14, item 7): new findings at or above a webhook's minimum severity are POSTed to it, as
//! Slack-compatible `{"text": …}` or as the versioned JSON of [`payload::Notification`].
//!
//! After each evaluation the findings job calls [`queue::enqueue_new`]: the matches of the passes completed since
//! the last call (`finding_matches.event` above the `findings_notified` cursor, up to `evaluated_through`) make
//! one notification per rule and webhook, written to the `finding_deliveries` queue in the store in the same
//! transaction that moves the cursor. So a restart neither loses nor repeats one, and a full re-evaluation
//! (whose matches are the same) sends nothing again. Each webhook has its own delivery task ([`send::deliver`]),
//! off the ingest and evaluation paths; failures are retried with exponential backoff up to a cap, shown by
//! `GET /api/findings/webhooks` ([`status::webhooks_json`]) and logged without the URL's path, query or userinfo.
pub mod payload;
pub mod queue;
pub mod send;
pub mod status;

use crate::model::findings::Severity;
use axum::http::{HeaderName, HeaderValue, Uri};
use serde::Serialize;
use std::fmt;
use std::str::FromStr;
use tokio::sync::Notify;

/// The body a webhook is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum WebhookKind {
    /// Slack's incoming-webhook body, `{"text": …}` (also read by Mattermost, Rocket.Chat, Teams' Slack mode).
    Slack,
    /// The generic, versioned JSON of [`payload::Notification`].
    Json,
}

impl FromStr for WebhookKind {
    type Err = String;

    /// `slack` or `json`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "slack" => Ok(Self::Slack),
            "json" => Ok(Self::Json),
            other => Err(format!("kind {other:?} is not slack or json")),
        }
    }
}

/// One configured webhook, its secrets (the URL, which for Slack holds the token in its path, and the header
/// values) already read from the environment or files. `Debug` shows neither.
#[derive(Clone, PartialEq, Eq)]
pub struct Webhook {
    /// The entry's name: its key in the queue and the status (unique among the webhooks).
    pub name: String,
    /// The body it takes.
    pub kind: WebhookKind,
    /// Where to POST (`http` or `https`); a secret.
    pub url: Uri,
    /// The least severe finding it is sent.
    pub min_severity: Severity,
    /// Extra request headers (e.g. `Authorization`); the values are secrets.
    pub headers: Vec<(HeaderName, HeaderValue)>,
}

impl Webhook {
    /// A webhook named `name`, checking that `url` is an absolute `http`/`https` URL with a host and that each
    /// header is a valid name and value.
    ///
    /// Errors: the reason, naming the header but never showing the URL or a header's value.
    pub fn new(
        name: &str,
        kind: WebhookKind,
        url: &str,
        min_severity: Severity,
        headers: &[(String, String)],
    ) -> Result<Self, String> {
        let url: Uri = url
            .trim()
            .parse()
            .map_err(|_| "url is not a URL".to_owned())?;
        match url.scheme_str() {
            Some("http" | "https") => {}
            Some(other) => return Err(format!("url scheme {other:?} is not http or https")),
            None => return Err("url is not absolute (http://… or https://…)".to_owned()),
        }
        if url.host().is_none_or(str::is_empty) {
            return Err("url has no host".to_owned());
        }
        let headers = headers
            .iter()
            .map(|(header, value)| {
                let name = HeaderName::try_from(header.trim())
                    .map_err(|_| format!("{header:?} is not a header name"))?;
                let value = HeaderValue::try_from(value.trim())
                    .map_err(|_| format!("the value of header {header} is not a header value"))?;
                Ok((name, value))
            })
            .collect::<Result<_, String>>()?;
        Ok(Self {
            name: name.to_owned(),
            kind,
            url,
            min_severity,
            headers,
        })
    }

    /// The URL without its secret parts, for logs and the status: scheme, host and port only
    /// (`https://hooks.slack.com/…`). Userinfo, path and query are never shown: Slack's token is its path.
    pub fn target(&self) -> String {
        let scheme = self.url.scheme_str().unwrap_or("http");
        let host = self.url.host().unwrap_or_default();
        let host = host.rsplit('@').next().unwrap_or_default();
        match self.url.port_u16() {
            Some(port) => format!("{scheme}://{host}:{port}/…"),
            None => format!("{scheme}://{host}/…"),
        }
    }
}

impl fmt::Debug for Webhook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Webhook")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("target", &self.target())
            .field("min_severity", &self.min_severity)
            .field(
                "headers",
                &self.headers.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .finish()
    }
}

/// How deliveries are retried and bounded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeliveryPolicy {
    /// Wait before the first retry (ms); each further retry doubles it.
    pub first_retry_ms: u64,
    /// The longest wait between retries (ms).
    pub max_retry_ms: u64,
    /// Attempts after which a delivery is given up (counted as abandoned in the status).
    pub max_attempts: u32,
    /// How long one POST may take, connection to response head (ms); a hanging receiver fails it.
    pub timeout_ms: u64,
    /// Deliveries waiting per webhook; beyond it the oldest are dropped (counted in the status).
    pub max_queued: u32,
}

impl Default for DeliveryPolicy {
    /// Retries after 5 s, 10 s, 20 s, … up to 1 h apart, for 24 attempts (about 14 h); 10 s per POST; 1,000
    /// waiting per webhook.
    fn default() -> Self {
        Self {
            first_retry_ms: 5_000,
            max_retry_ms: 3_600_000,
            max_attempts: 24,
            timeout_ms: 10_000,
            max_queued: 1_000,
        }
    }
}

impl DeliveryPolicy {
    /// The wait (ms) after the `attempts`-th failed attempt (1 for the first): `first_retry_ms · 2^(attempts-1)`,
    /// at most `max_retry_ms`.
    pub fn backoff_ms(&self, attempts: u32) -> u64 {
        let doublings = attempts.saturating_sub(1).min(32);
        self.first_retry_ms
            .saturating_mul(1_u64 << doublings)
            .min(self.max_retry_ms)
    }
}

/// The configured webhooks, the public address findings link to, the delivery policy, and each webhook's
/// wake-up; shared through [`super::Findings`].
#[derive(Debug, Default)]
pub struct Webhooks {
    hooks: Vec<Webhook>,
    public_url: Option<String>,
    policy: DeliveryPolicy,
    wake: Vec<Notify>,
}

impl Webhooks {
    /// The service over `hooks`; `public_url` (e.g. `https://trailscope.example.com`) is where the links in
    /// notifications point, none when unset.
    pub fn new(hooks: Vec<Webhook>, public_url: Option<String>, policy: DeliveryPolicy) -> Self {
        let wake = hooks.iter().map(|_| Notify::new()).collect();
        Self {
            hooks,
            public_url: public_url.map(|u| u.trim_end_matches('/').to_owned()),
            policy,
            wake,
        }
    }

    /// The webhooks, in configuration order.
    pub fn hooks(&self) -> &[Webhook] {
        &self.hooks
    }

    /// The delivery policy.
    pub fn policy(&self) -> &DeliveryPolicy {
        &self.policy
    }

    /// The Findings page's address for `rule_id`, when a public URL is configured.
    pub fn link(&self, rule_id: &str) -> Option<String> {
        let encoded: String = rule_id
            .bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                _ => format!("%{b:02X}"),
            })
            .collect();
        self.public_url
            .as_ref()
            .map(|base| format!("{base}/findings?rule={encoded}&open={encoded}"))
    }

    /// Wakes every webhook's delivery task (new deliveries were queued).
    pub fn wake(&self) {
        for wake in &self.wake {
            wake.notify_one();
        }
    }

    /// Resolves when the `index`-th webhook's delivery task is woken (or was, since its last wait).
    pub(crate) async fn woken(&self, index: usize) {
        match self.wake.get(index) {
            Some(wake) => wake.notified().await,
            None => std::future::pending().await,
        }
    }
}
