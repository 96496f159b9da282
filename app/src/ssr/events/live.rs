//! Live mode: the Events filters asked of Event History (`LookupEvents`) for one configured account and Region,
//! for what the store cannot answer yet (before the first sync, or a Region not synced). AWS takes one lookup
//! attribute per call, so the most selective filter is sent and the others are applied to the page that comes
//! back. Each call goes through the same per account-Region limiter as the sync, so live use never pushes the
//! account over AWS's 2 calls/s.
use crate::error::AppError;
use crate::model::events::{EventFilter, EventQuery, EventRequest, EventSummary, LivePage};
use crate::model::filter::RangeSpec;
use crate::ssr::aws::HISTORY_SECS;
use crate::ssr::aws::clients::AccountClients;
use crate::ssr::aws::limiter::CallLimiter;
use crate::ssr::clock::now_secs;
use crate::ssr::logs::key::LogKey;
use crate::ssr::logs::record::{EventRow, parse_log};
use crate::ssr::state::AppState;
use crate::ssr::sync::page::{page_log, page_records};
use crate::ssr::sync::{RegionSync, lookup_page};
use aws_sdk_cloudtrail::Client;
use aws_sdk_cloudtrail::types::{LookupAttribute, LookupAttributeKey};

/// True when there is an Event History to ask: at least one AWS account is configured.
pub fn available(state: &AppState) -> bool {
    !state.aws.is_empty()
}

/// One live page for `query`, asked in a configured account and Region.
///
/// Errors: `Invalid` naming `region` when none is chosen or it is not one of the account's configured
/// Regions (nothing is made for such a Region, no client nor limiter), `Invalid` naming `account` or `live`
/// when the account cannot be chosen, `Unavailable` when AWS cannot be asked.
pub async fn live(state: &AppState, query: EventQuery) -> Result<LivePage, AppError> {
    let EventRequest { filter, page } = query.parse()?;
    let region = filter.region.clone().ok_or_else(|| {
        AppError::invalid(
            "region",
            "live mode asks Event History of one Region: choose it",
        )
    })?;
    let account = choose_account(state, filter.account.as_deref()).await?;
    let history = state.aws.event_history(account, &region).await?;
    lookup(
        &history.client,
        &history.limiter,
        &history.account_id,
        &region,
        &filter,
        page.live_token(),
    )
    .await
}

/// The configured account with ID `wanted`, or the only one configured.
async fn choose_account<'a>(
    state: &'a AppState,
    wanted: Option<&str>,
) -> Result<&'a AccountClients, AppError> {
    let accounts = state.aws.accounts();
    if !available(state) {
        return Err(AppError::invalid(
            "live",
            "no AWS account is configured, so there is no Event History to ask (the demo has none)",
        ));
    }
    for account in accounts {
        let id = account.id().await?;
        if wanted.is_none_or(|w| w == id) {
            if wanted.is_none() && accounts.len() > 1 {
                return Err(AppError::invalid(
                    "account",
                    "several accounts are configured: choose one",
                ));
            }
            return Ok(account);
        }
    }
    Err(AppError::invalid(
        "account",
        "not one of the configured accounts",
    ))
}

/// One live page for `filter` (already validated) from `client`'s account and Region.
pub async fn lookup(
    client: &Client,
    limiter: &CallLimiter,
    account: &str,
    region: &str,
    filter: &EventFilter,
    token: Option<String>,
) -> Result<LivePage, AppError> {
    let now = now_secs();
    let (from, until) = match filter.range {
        RangeSpec::Last(secs) => (now - secs, now),
        RangeSpec::Between(start, end) => (start, end - 1),
        RangeSpec::All => (now - HISTORY_SECS, now),
    };
    let sent = filter.live_attribute();
    let attribute = sent.as_ref().map(|(key, value)| {
        LookupAttribute::builder()
            .attribute_key(LookupAttributeKey::from(*key))
            .attribute_value(value)
            .build()
    });
    let attribute = attribute
        .transpose()
        .map_err(|e| AppError::invalid("live", e.to_string()))?;
    let mut stats = RegionSync::default();
    let page = lookup_page(
        client,
        limiter,
        region,
        (from, until),
        attribute,
        token,
        &mut stats,
    )
    .await
    .map_err(|error| AppError::Unavailable {
        what: format!("Event History of {account} in {region} ({error})"),
    })?;
    let records = page_records(&page);
    let records: Vec<&str> = records.iter().map(String::as_str).collect();
    // A `CloudTrailEvent` that is not a JSON object is left out, as sync leaves it out; the others are shown.
    let (json, _) = page_log(&records);
    let key = LogKey {
        org_id: None,
        account_id: account.to_owned(),
        region: region.to_owned(),
        insight: false,
    };
    let rows = parse_log(&json, &key)
        .map_err(|e| AppError::Unavailable {
            what: format!("Event History's answer ({e})"),
        })?
        .events;
    let returned = rows.len();
    Ok(LivePage {
        events: rows
            .into_iter()
            .map(summary)
            .filter(|e| filter.matches(e))
            .collect(),
        next: page.next_token().map(str::to_owned),
        sent: sent.map_or_else(|| "no attribute".to_owned(), |(k, v)| format!("{k} = {v}")),
        account: account.to_owned(),
        region: region.to_owned(),
        returned,
    })
}

fn summary(row: EventRow) -> EventSummary {
    EventSummary {
        event_id: row.event_id,
        time: row.event_time,
        account: row.account_id,
        region: row.region,
        event_source: row.event_source,
        event_name: row.event_name,
        identity: row.identity_name,
        identity_type: row.identity_type,
        identity_arn: row.identity_arn,
        access_key: row.access_key_id,
        source_ip: row.source_ip,
        user_agent: row.user_agent,
        error_code: row.error_code,
        read_only: row.read_only,
        category: row.category,
        from_event_history: true,
    }
}
