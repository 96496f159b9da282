//! The Billing page's "Estimate against the bill": CloudTrail's real bill from Cost Explorer
//! (`get_cloudtrail_bill`, loaded in its own `<Suspense>`: in the browser the estimate shows before Cost
//! Explorer answers; the server's render waits for it, from its 12-hour cache after the first request) beside
//! the estimate without what-if changes, per Region, usage class and month, with the differences explained in
//! the words of `model::billing::Reason`; or why there is no bill (no account configured, Cost Explorer not
//! configured, refused or not enabled) and what to do.
use crate::api::cost_explorer::get_cloudtrail_bill;
use crate::components::error_list::error_list;
use crate::error::AppError;
use crate::model::billing::{
    AgainstBill, Estimate, Inputs, Prices, Reason, Unread, against_bill, no_account_words,
};
use leptos::prelude::*;

/// The section: loads the bill, then sets it beside `base`.
#[component]
pub fn AgainstTheBill(
    /// The estimate without what-if changes.
    base: Memo<Estimate>,
    /// The model's inputs (for the facts that explain differences).
    inputs: StoredValue<(Inputs, Prices)>,
    /// The window the volumes were measured over, in seconds.
    window_secs: i64,
) -> impl IntoView {
    let bill = Resource::new(|| (), |_| get_cloudtrail_bill());
    view! {
        <section aria-labelledby="bill-title" data-testid="against-bill">
            <h2 id="bill-title">"Estimate against the bill"</h2>
            <Suspense fallback=|| view! { <p class="loading">"Asking Cost Explorer for CloudTrail's bill…"</p> }>
                <ErrorBoundary fallback=error_list>
                    {move || Suspend::new(async move {
                        let bill = bill.await?;
                        let shown = base.with_untracked(|e| {
                            inputs.with_value(|(i, p)| against_bill(&bill, i, p, e, window_secs))
                        });
                        Ok::<_, AppError>(view! { <Comparison shown /> })
                    })}
                </ErrorBoundary>
            </Suspense>
        </section>
    }
}

#[component]
fn Comparison(shown: AgainstBill) -> impl IntoView {
    let unread = shown
        .unread
        .iter()
        .map(|(account, why)| {
            let state = match why {
                Unread::NoAccess(_) => "no-access",
                Unread::Failed { .. } => "failed",
            };
            view! { <li data-state=state><strong>{account.clone()}</strong>": "{why.words()}</li> }
        })
        .collect_view();
    let unread =
        (!shown.unread.is_empty()).then(|| view! { <ul class="bill-unread">{unread}</ul> });
    if shown.no_account {
        return view! { <p class="empty" data-testid="no-bill">{no_account_words()}</p> }
            .into_any();
    }
    if shown.months.is_empty() {
        return view! {
            <p class="empty" data-testid="no-bill">"No account's bill could be read, so there is nothing to set the estimate beside:"</p>
            {unread}
        }
        .into_any();
    }
    let heads = shown
        .months
        .iter()
        .map(|m| {
            let mut label = m.month.to_string();
            if m.to_date {
                label.push_str(&format!(" (to date, {} days)", m.days));
            }
            if m.estimated {
                label.push_str(" (estimated)");
            }
            view! { <th scope="col">{label}</th> }
        })
        .collect_view();
    let rows = shown
        .rows
        .iter()
        .map(|r| {
            let estimate = r.estimate.map_or_else(
                || "not estimated".to_owned(),
                |u| u.display(&r.class),
            );
            let months = r
                .months
                .iter()
                .map(|u| view! { <td class="num" data-micro-usd=u.cost.0.to_string()>{u.display(&r.class)}</td> })
                .collect_view();
            let region = r.region.clone().unwrap_or_else(|| "unknown Region".to_owned());
            view! {
                <tr>
                    <th scope="row">{format!("{region}: {}", r.class)}</th>
                    <td class="num" data-micro-usd=r.estimate.map(|u| u.cost.0.to_string())>{estimate}</td>
                    {months}
                </tr>
            }
        })
        .collect_view();
    let totals = shown
        .month_totals
        .iter()
        .map(|t| view! { <td class="num" data-micro-usd=t.0.to_string()>{t.display()}</td> })
        .collect_view();
    let reasons = shown
        .reasons
        .iter()
        .map(|r| view! { <li data-reason=reason_key(r)>{r.words()}</li> })
        .collect_view();
    view! {
        <p class="hint">"CloudTrail's usage and cost as Cost Explorer reports it, beside the estimate (without the what-if) of the same usage classes."</p>
        <table data-testid="bill-table">
            <caption>"Estimate and bill per Region and usage class"</caption>
            <thead><tr><th scope="col">"Usage"</th><th scope="col">"Estimate (30 days)"</th>{heads}</tr></thead>
            <tbody>{rows}</tbody>
            <tfoot>
                <tr>
                    <th scope="row">"CloudTrail in all"</th>
                    <td class="num" data-testid="bill-estimate-total" data-micro-usd=shown.estimate_total.0.to_string()>{shown.estimate_total.display()}</td>
                    {totals}
                </tr>
            </tfoot>
        </table>
        <h3>"Why they differ"</h3>
        <ul class="bill-reasons" data-testid="bill-reasons">{reasons}</ul>
        {unread}
    }
    .into_any()
}

/// A stable key per kind of fact, for tests and styles.
fn reason_key(r: &Reason) -> &'static str {
    match r {
        Reason::Window { .. } => "window",
        Reason::MonthToDate { .. } => "month-to-date",
        Reason::EstimatedByAws { .. } => "estimated-by-aws",
        Reason::NotOnTheCloudTrailBill { .. } => "not-on-the-cloudtrail-bill",
        Reason::NotEstimated { .. } => "not-estimated",
        Reason::DataEventsNotIngested { .. } => "data-events-not-ingested",
        Reason::EnteredVolumes => "entered-volumes",
        Reason::PricesConfigured { .. } => "prices-configured",
        Reason::SecondaryPrices { .. } => "secondary-prices",
        Reason::AccountsOnlyInBill { .. } => "accounts-only-in-bill",
        Reason::AccountsOnlyInEstimate { .. } => "accounts-only-in-estimate",
        Reason::Truncated => "truncated",
    }
}
