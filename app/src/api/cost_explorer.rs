//! `/api/billing/bill`: CloudTrail's real usage and cost per configured account, as Cost Explorer reports it
//! (answers reused for hours: each Cost Explorer request is charged).
use crate::error::AppError;
use crate::model::cost_explorer::CloudTrailBill;
use leptos::prelude::*;
use leptos::server_fn::codec::GetUrl;

/// Every configured account's CloudTrail bill for the last three full months and the current month to date:
/// lines by linked account × Region × usage class with quantities and micro-dollar costs, or "no Cost
/// Explorer access" with what to grant, or the reason it failed.
#[server(prefix = "/api", endpoint = "billing/bill", input = GetUrl, output = crate::api::JsonStr)]
pub async fn get_cloudtrail_bill() -> Result<CloudTrailBill, AppError> {
    crate::api::with_status(
        async {
            crate::ssr::auth::authorize(crate::ssr::auth::Role::Viewer).await?;
            let state = expect_context::<crate::ssr::state::AppState>();
            Ok(crate::ssr::cost_explorer::bill(&state).await)
        }
        .await,
    )
}
