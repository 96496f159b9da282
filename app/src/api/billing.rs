//! `/api/billing/inputs`: what the Billing page's model runs on. The page loads it once; the estimate, the
//! savings and every what-if are computed from it in the browser (the same `model::billing` code the
//! server's `/api/billing/estimate` runs), so a what-if makes no request.
use crate::error::AppError;
use crate::model::billing::{DailyVolume, Inputs, Prices};
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;
use serde::{Deserialize, Serialize};

/// The model's inputs and prices, with how the volumes were measured.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BillingInputs {
    /// Trails, volumes per account × Region × event class (measured or entered), log file sizes.
    pub inputs: Inputs,
    /// The price file with the configured overrides, each figure with its source and confidence.
    pub prices: Prices,
    /// The window the store's volumes were counted over, in seconds (0 when the store holds no event).
    pub window_secs: i64,
    /// When the trails snapshot was taken (epoch seconds), or `None` before the first one.
    pub trails_taken_at: Option<i64>,
    /// The events of each of the last 30 days, by kind (what drives the estimate), oldest first.
    pub daily: Vec<DailyVolume>,
}

/// The inputs of the billing model now: the newest trails snapshot, the volumes of the last 30 days (in all
/// and per day) and the configured prices and entered volumes. Viewers and admins.
#[server(prefix = "/api", endpoint = "billing/inputs", input = GetUrl, output = crate::api::JsonStr)]
pub async fn get_billing_inputs() -> Result<BillingInputs, AppError> {
    crate::api::with_status(
        async {
            crate::ssr::auth::authorize(crate::ssr::auth::Role::Viewer).await?;
            let state = expect_context::<crate::ssr::state::AppState>();
            let settings = state.billing.clone();
            let prices = settings.prices().map_err(|error| {
                tracing::error!(%error, "price file");
                AppError::Internal
            })?;
            let now = crate::ssr::clock::now_secs();
            let ((inputs, window_secs, trails_taken_at), daily) = state
                .blocking(move |store| {
                    let inputs = crate::ssr::billing::inputs(store, &settings, now)?;
                    let daily = crate::ssr::store::volumes::daily(store, now)?;
                    Ok::<_, crate::ssr::store::StoreError>((inputs, daily))
                })
                .await?;
            Ok(BillingInputs {
                inputs,
                prices,
                window_secs,
                trails_taken_at,
                daily,
            })
        }
        .await,
    )
}
