//! What a webhook is sent: the generic JSON [`Notification`] (version [`VERSION`]), or Slack's `{"text": …}`
//! made from it.
use super::WebhookKind;
use crate::model::findings::Severity;
use crate::model::time::format_rfc3339;
use serde::{Deserialize, Serialize};

/// The version of the JSON shape; a change that removes or renames a field bumps it.
pub const VERSION: u32 = 1;

/// The generic JSON body (`kind = "json"`), version 1: one rule's new matches since the last notification.
///
/// ```json
/// {"version": 1, "source": "trailscope", "delivery_id": "RULE_ID/42",
///  "rule_id": "…", "title": "CloudTrail logging stopped", "severity": "high", "technique": "T1562.008",
///  "count": 1, "first_seen": "2026-11-19T09:55:00Z", "last_seen": "2026-11-19T09:55:00Z",
///  "accounts": ["123456789012"], "identities": ["arn:aws:iam::123456789012:user/mallory"],
///  "link": "https://trailscope.example.com/findings?rule=…&open=…"}
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    /// [`VERSION`].
    pub version: u32,
    /// Always `trailscope`.
    pub source: String,
    /// Stable for this notification (`RULE_ID/EVENTS_ID`): a receiver can drop a repeat with it (a crash between a
    /// POST and its record repeats the POST once).
    pub delivery_id: String,
    /// The rule's Sigma `id`.
    pub rule_id: String,
    /// The rule's `title`.
    pub title: String,
    /// The rule's `level`.
    pub severity: Severity,
    /// The ATT&CK technique of the rule, if any (`T1562.008`).
    pub technique: Option<String>,
    /// New matches of the rule (events for a detection, firing windows for a correlation).
    pub count: u64,
    /// The earliest new match's `eventTime` (RFC 3339, UTC).
    pub first_seen: String,
    /// The latest new match's `eventTime` (RFC 3339, UTC).
    pub last_seen: String,
    /// The `recipientAccountId`s of the new matches, sorted (at most 100).
    pub accounts: Vec<String>,
    /// Their identities (`userIdentity.arn`, or its type), sorted (at most 100).
    pub identities: Vec<String>,
    /// The rule's findings on the Findings page, when `public_url` is configured.
    pub link: Option<String>,
}

/// What [`Notification::new`] is made of.
pub struct NewMatches<'a> {
    /// The rule's id, title, level and technique.
    pub rule: &'a super::super::rules::RuleInfo,
    /// The last `events.id` of the passes the matches come from (with the rule id, the delivery's identity).
    pub through_event: i64,
    /// How many.
    pub count: u64,
    /// Earliest and latest `eventTime` (epoch seconds).
    pub first_seen_secs: i64,
    /// Latest `eventTime` (epoch seconds).
    pub last_seen_secs: i64,
    /// Accounts, sorted.
    pub accounts: Vec<String>,
    /// Identities, sorted.
    pub identities: Vec<String>,
    /// The Findings page link.
    pub link: Option<String>,
}

impl Notification {
    /// The notification of `matches`.
    pub fn new(matches: NewMatches<'_>) -> Self {
        Self {
            version: VERSION,
            source: "trailscope".to_owned(),
            delivery_id: format!("{}/{}", matches.rule.id, matches.through_event),
            rule_id: matches.rule.id.clone(),
            title: matches.rule.title.clone(),
            severity: matches.rule.severity,
            technique: matches.rule.technique.clone(),
            count: matches.count,
            first_seen: format_rfc3339(matches.first_seen_secs),
            last_seen: format_rfc3339(matches.last_seen_secs),
            accounts: matches.accounts,
            identities: matches.identities,
            link: matches.link,
        }
    }

    /// The body sent to a webhook of `kind`.
    pub fn body(&self, kind: WebhookKind) -> serde_json::Value {
        match kind {
            WebhookKind::Json => serde_json::to_value(self).unwrap_or_default(),
            WebhookKind::Slack => serde_json::json!({ "text": self.slack_text() }),
        }
    }

    /// Slack's `mrkdwn` text: severity and title, how many and when, where and who, and the link.
    fn slack_text(&self) -> String {
        let list = |items: &[String]| -> String {
            let shown: Vec<&str> = items.iter().take(5).map(String::as_str).collect();
            let more = items.len().saturating_sub(shown.len());
            let mut text = shown.join(", ");
            if more > 0 {
                text.push_str(&format!(" and {more} more"));
            }
            escape(&text)
        };
        let matches = if self.count == 1 { "match" } else { "matches" };
        let mut text = format!(
            "*[{}] {}*{}\n{} new {matches}, {} to {}\nAccounts: {}\nIdentities: {}",
            self.severity.as_str().to_ascii_uppercase(),
            escape(&self.title),
            self.technique
                .as_ref()
                .map(|t| format!(" ({})", escape(t)))
                .unwrap_or_default(),
            self.count,
            self.first_seen,
            self.last_seen,
            list(&self.accounts),
            list(&self.identities),
        );
        if let Some(link) = &self.link {
            text.push_str(&format!("\n<{}|Open in Trailscope>", escape(link)));
        }
        text
    }
}

/// Slack's three control characters in `mrkdwn` text.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}
