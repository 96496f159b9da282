//! Billing on the server (issue 12): the model's inputs from the store (the newest trails snapshot, the
//! volumes measured over the last 30 days, the archive's file sizes) and the configuration (price
//! overrides, volumes entered by hand), and the API: `GET /api/billing/estimate` (the whole breakdown and
//! the savings as JSON) and `GET /api/billing/lines.csv` (one row per line item), with what-if changes as
//! repeated `change` query parameters (see `model::billing::Change`'s text form).
use crate::error::AppError;
use crate::model::billing::{
    Change, Estimate, EventSize, Inputs, PriceOverride, Prices, Savings, Volume, estimate, savings,
    trails_from_snapshot,
};
use crate::ssr::auth::Principal;
use crate::ssr::state::AppState;
use crate::ssr::store::{Store, StoreError, trail_snapshots, volumes};
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, http::header};
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

/// What the configuration says about billing (`billing_prices`, `billing_volumes`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BillingSettings {
    /// Prices that replace the price file's, for every Region or one.
    pub price_overrides: Vec<PriceOverride>,
    /// Volumes entered by hand (`Basis::Entered`); each replaces a measured figure of the same account,
    /// Region and class.
    pub entered: Vec<Volume>,
}

impl BillingSettings {
    /// The price file with the configured overrides. Errors: the price file does not read (a build fault,
    /// which a test prevents).
    pub fn prices(&self) -> Result<Prices, String> {
        Ok(Prices::builtin()?
            .with_overrides(&self.price_overrides, "configuration key billing_prices"))
    }
}

/// The estimate with everything it was made from, as `GET /api/billing/estimate` answers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BillingReport {
    /// The month's estimate with the changes applied.
    pub estimate: Estimate,
    /// What further changes would save.
    pub savings: Savings,
    /// The inputs: trails, volumes (measured or entered), sizes. The browser's what-if runs the model on
    /// them.
    pub inputs: Inputs,
    /// The prices used, each with its source and confidence.
    pub prices: Prices,
    /// The window the volumes were counted over, in seconds (0 when the store holds no event).
    pub window_secs: i64,
    /// When the trails snapshot was taken (epoch seconds), or `None` when there is none yet.
    pub trails_taken_at: Option<i64>,
}

/// The model's inputs at `now` (epoch seconds) and the measured window.
///
/// Errors: [`StoreError`] when the store cannot be read.
pub fn inputs(
    store: &Store,
    settings: &BillingSettings,
    now: i64,
) -> Result<(Inputs, i64, Option<i64>), StoreError> {
    let snapshot = trail_snapshots::latest(store)?;
    let measured = volumes::measure(store, now)?;
    let entered: HashSet<(&str, &str, &crate::model::billing::EventClass)> = settings
        .entered
        .iter()
        .map(|v| (v.account.as_str(), v.region.as_str(), &v.class))
        .collect();
    let mut volumes: Vec<Volume> = measured
        .volumes
        .into_iter()
        .filter(|v| !entered.contains(&(v.account.as_str(), v.region.as_str(), &v.class)))
        .collect();
    volumes.extend(settings.entered.iter().cloned());
    let inputs = Inputs {
        trails: snapshot
            .as_ref()
            .map(trails_from_snapshot)
            .unwrap_or_default(),
        volumes,
        sizes: measured.sizes,
        default_size: EventSize::assumed(),
    };
    Ok((inputs, measured.window_secs, snapshot.map(|s| s.taken_at)))
}

/// Reads the `change` parameters. Errors: another parameter, or a change that does not parse or names no
/// trail (or data rule) of `inputs`, as [`AppError::Invalid`] naming `change`.
pub fn parse_changes(pairs: &[(String, String)], inputs: &Inputs) -> Result<Vec<Change>, AppError> {
    /// Changes one request may ask for: more than every trail's every setting is not a what-if.
    const MAX_CHANGES: usize = 200;
    let mut changes = Vec::new();
    for (key, value) in pairs {
        if key != "change" {
            return Err(AppError::invalid(
                key,
                "unknown parameter; only change is accepted",
            ));
        }
        let change: Change = value
            .parse()
            .map_err(|e: String| AppError::invalid("change", e))?;
        change
            .check(&inputs.trails)
            .map_err(|e| AppError::invalid("change", e))?;
        changes.push(change);
    }
    if changes.len() > MAX_CHANGES {
        return Err(AppError::invalid(
            "change",
            format!("at most {MAX_CHANGES} changes"),
        ));
    }
    Ok(changes)
}

/// The report at `now` with the `change` parameters applied (the API's and `trailscope billing`'s).
///
/// Errors: [`AppError::Invalid`] for a bad change; the store's errors as [`AppError::Internal`].
pub fn report(
    store: &Store,
    settings: &BillingSettings,
    now: i64,
    pairs: &[(String, String)],
) -> Result<BillingReport, AppError> {
    let prices = settings.prices().map_err(|error| {
        tracing::error!(%error, "price file");
        AppError::Internal
    })?;
    let (inputs, window_secs, trails_taken_at) = inputs(store, settings, now)?;
    let changes = parse_changes(pairs, &inputs)?;
    let estimate = estimate(&inputs, &prices, &changes);
    let savings = savings(&inputs, &prices, &changes, &estimate);
    Ok(BillingReport {
        estimate,
        savings,
        inputs,
        prices,
        window_secs,
        trails_taken_at,
    })
}

async fn report_for(
    state: &AppState,
    principal: Option<Extension<Principal>>,
    pairs: Vec<(String, String)>,
) -> Result<BillingReport, AppError> {
    if principal.is_none() {
        return Err(AppError::Unauthorized);
    }
    let settings = state.billing.clone();
    let now = crate::ssr::clock::now_secs();
    state
        .blocking(move |store| report(store, &settings, now, &pairs))
        .await
}

/// `GET /api/billing/estimate?change=…`: the [`BillingReport`] as JSON. Behind the gate; 401 without a
/// session or token, 400 for a bad change.
pub async fn estimate_json(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    match report_for(&state, principal, pairs).await {
        Ok(report) => axum::Json(report).into_response(),
        Err(error) => error.into_response(),
    }
}

/// `GET /api/billing/lines.csv?change=…`: one row per line item of the estimate.
pub async fn lines_csv(
    State(state): State<AppState>,
    principal: Option<Extension<Principal>>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    let report = match report_for(&state, principal, pairs).await {
        Ok(report) => report,
        Err(error) => return error.into_response(),
    };
    match lines_to_csv(&report.estimate) {
        Ok(body) => (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"trailscope-billing.csv\"",
                ),
            ],
            body,
        )
            .into_response(),
        Err(error) => {
            tracing::error!(%error, "billing CSV");
            AppError::Internal.into_response()
        }
    }
}

/// The CSV columns, in order.
pub const CSV_HEADER: [&str; 15] = [
    "trail",
    "trail_arn",
    "account",
    "region",
    "item",
    "copy",
    "read_events",
    "write_events",
    "quantity",
    "unit",
    "price_usd",
    "per",
    "cost_usd",
    "basis",
    "formula",
];

/// The estimate's lines as CSV (RFC 4180 quoting), with a header row; `cost_usd` is exact to the
/// micro-dollar, `formula` rounds to the cent. Errors: the CSV writer's (only on I/O, never for a `Vec`).
pub fn lines_to_csv(e: &Estimate) -> Result<Vec<u8>, csv::Error> {
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(CSV_HEADER)?;
    let exact = |m: crate::model::billing::MicroUsd| {
        let sign = if m.0 < 0 { "-" } else { "" };
        format!(
            "{sign}{}.{:06}",
            m.0.abs() / 1_000_000,
            m.0.abs() % 1_000_000
        )
    };
    for line in &e.lines {
        let trail = &e.trails[line.trail];
        out.write_record([
            trail.name.clone(),
            trail.trail_arn.clone(),
            e.accounts[line.account].name.clone(),
            e.regions[line.region].name.clone(),
            serde_json::to_value(line.item)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            line.copy.to_string(),
            line.read_events.to_string(),
            line.write_events.to_string(),
            line.quantity.to_string(),
            serde_json::to_value(line.rate.unit)
                .ok()
                .and_then(|v| v.as_str().map(str::to_owned))
                .unwrap_or_default(),
            exact(line.rate.price),
            line.rate.per.to_string(),
            exact(line.cost),
            line.basis.label(),
            e.formula(line),
        ])?;
    }
    out.into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))
}

#[cfg(test)]
mod tests;
