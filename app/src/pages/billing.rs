//! Billing: what CloudTrail costs per month per trail, account, Region and line item, every line with its
//! formula; what a change would save; and a what-if that reruns the model in the browser. The page loads
//! the model's inputs once (`get_billing_inputs`); the what-if lives in the URL's `change` parameters and
//! every estimate after the first is computed here, with no request.
use crate::api::billing::{BillingInputs, get_billing_inputs};
use crate::components::billing_bill::AgainstTheBill;
use crate::components::billing_breakdown::{Lines, Subtotals, confidence_label};
use crate::components::billing_charts::{CostChart, DailyVolumeChart, VolumeChart};
use crate::components::billing_whatif::{WhatIf, changes_query, known_resources};
use crate::components::error_list::error_list;
use crate::error::AppError;
use crate::model::billing::{
    Basis, Change, Confidence, Estimate, Inputs, PriceItem, Prices, STEP_BUDGET_MS, Saving,
    SavingKind, Savings, SavingsRun, compact_count, estimate, savings,
};
use crate::pages::query::use_query_map_once;
use leptos::prelude::*;
use leptos_meta::Title;

/// `/billing`: the monthly estimate, savings and what-if.
#[component]
pub fn BillingPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| get_billing_inputs());
    view! {
        <Title text="Billing" />
        <h1>"Billing"</h1>
        <Transition fallback=|| view! { <p class="loading">"Loading the billing model…"</p> }>
            <ErrorBoundary fallback=error_list>
                {move || Suspend::new(async move {
                    let data = data.await?;
                    Ok::<_, AppError>(view! { <Billing data /> })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

/// The URL's `change` parameters that parse and name a trail; the others, as sentences.
fn changes_from_query(values: &[String], inputs: &Inputs) -> (Vec<Change>, Vec<String>) {
    let mut changes = Vec::new();
    let mut errors = Vec::new();
    for value in values {
        match value
            .parse::<Change>()
            .and_then(|c| c.check(&inputs.trails).map(|()| c))
        {
            Ok(c) => changes.push(c),
            Err(e) => errors.push(e),
        }
    }
    (changes, errors)
}

#[component]
fn Billing(data: BillingInputs) -> impl IntoView {
    let BillingInputs {
        inputs,
        prices,
        window_secs,
        trails_taken_at,
        daily,
    } = data;
    let query = use_query_map_once();
    let model = StoredValue::new((inputs.clone(), prices.clone()));
    let parsed = Memo::new(move |_| {
        let values = query.with(|q| q.get_all("change").unwrap_or_default());
        model.with_value(|(i, _)| changes_from_query(&values, i))
    });
    let changes = Memo::new(move |_| parsed.with(|p| p.0.clone()));
    let base = Memo::new(move |_| model.with_value(|(i, p)| estimate(i, p, &[])));
    let current =
        Memo::new(move |_| changes.with(|c| model.with_value(|(i, p)| estimate(i, p, c))));
    let found = savings_after_estimate(model, changes, current);
    let bad_changes = move || {
        parsed.with(|p| {
            (!p.1.is_empty()).then(|| {
                let items =
                    p.1.iter()
                        .map(|e| view! { <li>{e.clone()}</li> })
                        .collect_view();
                view! { <ul class="errors" role="alert">{items}</ul> }
            })
        })
    };
    let no_trails = inputs.trails.is_empty();
    let trails = inputs.trails.clone();
    view! {
        {bad_changes}
        {no_trails.then(|| view! { <p class="empty">"No trails are known yet: the estimate counts what trails deliver, so read the trails first (Trails page)."</p> })}
        <Summary base current changes window_secs trails_taken_at inputs=inputs.clone() />
        <AgainstTheBill base inputs=model window_secs />
        <SavingsList found changes trails=trails.clone() />
        <WhatIf trails changes known=known_resources(&inputs) />
        <section aria-labelledby="charts-title">
            <h2 id="charts-title">"Charts"</h2>
            <CostChart estimate=current />
            <VolumeChart inputs />
            <DailyVolumeChart days=daily />
        </section>
        <section aria-labelledby="breakdown-title">
            <h2 id="breakdown-title">"Breakdown"</h2>
            <Subtotals estimate=current />
            <h3>"Every line and its formula"</h3>
            <Lines estimate=current prices=prices.clone() />
        </section>
        <PriceList prices />
    }
}

/// The savings of the current what-if, priced after the estimate is shown: the server prices those of the
/// page it renders (handed to the browser with the page, so hydrating prices nothing); every what-if after
/// that is priced in the browser [`STEP_BUDGET_MS`] at a time ([`SavingsRun::step_within`]) between
/// frames, so the estimate and the controls answer at once. `None` while they are being priced.
fn savings_after_estimate(
    model: StoredValue<(Inputs, Prices)>,
    changes: Memo<Vec<Change>>,
    current: Memo<Estimate>,
) -> RwSignal<Option<Savings>> {
    let rendered = leptos::server::SharedValue::new(move || {
        cfg!(feature = "ssr").then(|| {
            let c = changes.get_untracked();
            current.with_untracked(|e| model.with_value(|(i, p)| savings(i, p, &c, e)))
        })
    });
    let found = RwSignal::new(rendered.into_inner());
    let generation = StoredValue::new(0_u64);
    Effect::new(move |ran: Option<()>| {
        let c = changes.get();
        if ran.is_none() && found.with_untracked(Option::is_some) {
            return;
        }
        let run = current.with_untracked(|e| model.with_value(|(i, _)| SavingsRun::new(i, &c, e)));
        let g = generation.get_value() + 1;
        generation.set_value(g);
        found.set(None);
        price_savings(run, g, generation, model, found);
    });
    found
}

/// The browser's clock, in milliseconds since the epoch (0 outside the browser, where savings are priced whole).
fn now_ms() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        leptos::web_sys::js_sys::Date::now()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0.0
    }
}

/// Prices the next proposals of `run` in a later task, unless a newer what-if started its own run.
fn price_savings(
    mut run: SavingsRun,
    g: u64,
    generation: StoredValue<u64>,
    model: StoredValue<(Inputs, Prices)>,
    found: RwSignal<Option<Savings>>,
) {
    set_timeout(
        move || {
            if generation.try_get_value() != Some(g) {
                return;
            }
            // The page may be gone (navigated away): then nothing is left to price.
            let Some(done) =
                model.try_with_value(|(i, p)| run.step_within(i, p, STEP_BUDGET_MS, now_ms))
            else {
                return;
            };
            if done {
                if let Some(s) = model.try_with_value(|(i, p)| run.finish(i, p)) {
                    found.try_set(Some(s));
                }
            } else {
                price_savings(run, g, generation, model, found);
            }
        },
        std::time::Duration::ZERO,
    );
}

#[component]
fn Summary(
    base: Memo<Estimate>,
    current: Memo<Estimate>,
    changes: Memo<Vec<Change>>,
    window_secs: i64,
    trails_taken_at: Option<i64>,
    inputs: Inputs,
) -> impl IntoView {
    let entered = inputs.volumes.iter().any(|v| v.basis == Basis::Entered);
    let window = if window_secs > 0 {
        Basis::Measured { window_secs }.label()
    } else {
        "no events stored yet".to_owned()
    };
    let snapshot = trails_taken_at.map_or_else(
        || "no trails snapshot yet".to_owned(),
        |t| format!("trails as read at {}", crate::model::time::format_minute(t)),
    );
    let total = move || current.with(|e| e.total);
    let difference = move || {
        let (now, was) = (current.with(|e| e.total), base.with(|e| e.total));
        (!changes.with(Vec::is_empty)).then(|| {
            view! {
                <div>
                    <dt>"Without the what-if"</dt>
                    <dd data-testid="base-total" data-micro-usd=was.0.to_string()>{was.display()}</dd>
                </div>
                <div>
                    <dt>"Difference"</dt>
                    <dd data-testid="difference" data-micro-usd=(now - was).0.to_string()>{(now - was).display()}</dd>
                </div>
            }
        })
    };
    view! {
        <section class="totals" aria-label="Monthly estimate">
            <dl>
                <div>
                    <dt>{move || if changes.with(Vec::is_empty) { "Estimate per month" } else { "Estimate per month, with the what-if" }}</dt>
                    <dd data-testid="billing-total" data-micro-usd=move || total().0.to_string()>{move || total().display()}</dd>
                </div>
                {difference}
                <div>
                    <dt>"Not delivered by any trail"</dt>
                    <dd>{move || format!("{} events (Event History only, free)", compact_count(current.with(|e| e.undelivered_events)))}</dd>
                </div>
            </dl>
            <p class="window" data-testid="window">
                {format!("Volumes {window}; {snapshot}; prices as of {}.", current.with_untracked(|e| e.prices_as_of.clone()))}
                {entered.then_some(" Some volumes are entered by hand in the configuration (billing_volumes) and are labelled \"entered\".")}
            </p>
            <p class="hint">"The free first copy of management events in each account and Region is listed at $0.00; every further copy, every data and network activity event, Insights, CloudWatch Logs ingestion and S3 storage are charged."</p>
        </section>
    }
}

fn saving_words(s: &Saving) -> String {
    match &s.kind {
        SavingKind::DuplicateManagementCopies { paid_events } => format!(
            "{} delivers {} management events per month that another trail already delivers: paid copies",
            s.trail_name,
            compact_count(*paid_events)
        ),
        SavingKind::ReadsLoggedTwice { paid_events } => format!(
            "{} pays for {} read events another trail already delivers: log write events only",
            s.trail_name,
            compact_count(*paid_events)
        ),
        SavingKind::DataEventsOnEveryBucket {
            bucket,
            bucket_events,
            rule_events,
            ..
        } => format!(
            "{} logs S3 data events on every bucket ({} per month); leaving out {bucket} ({}) would save",
            s.trail_name,
            compact_count(*rule_events),
            compact_count(*bucket_events)
        ),
        SavingKind::InsightsOutweighs { insights, rest } => format!(
            "Insights on {} costs {} per month, more than the rest of the trail ({})",
            s.trail_name,
            insights.display(),
            rest.display()
        ),
        SavingKind::LogBucketLoop { bucket, .. } => format!(
            "{} logs data events on its own log bucket {bucket}: every delivery is a write it logs again",
            s.trail_name
        ),
    }
}

#[component]
fn SavingsList(
    found: RwSignal<Option<Savings>>,
    changes: Memo<Vec<Change>>,
    trails: Vec<crate::model::billing::BillingTrail>,
) -> impl IntoView {
    let trails = StoredValue::new(trails);
    let list = move || {
        found.with(|f| {
            let Some(f) = f else {
                return view! { <p class="loading" role="status" data-testid="savings-pending">"Pricing the savings: each re-runs the model with its change…"</p> }.into_any();
            };
            if f.savings.is_empty() {
                return view! { <p class="empty">"No saving found."</p> }.into_any();
            }
            let items = f
                .savings
                .iter()
                .map(|s| {
                    let next = trails.with_value(|t| {
                        crate::components::billing_whatif::replace_change(&changes.get_untracked(), t, &s.change, Some(s.change.clone()))
                    });
                    let href = format!("/billing{}", changes_query(&next));
                    view! {
                        <li data-trail=s.trail_name.clone()>
                            <span>{saving_words(s)}</span>
                            " — saves "
                            <strong data-testid="saving" data-micro-usd=s.monthly.0.to_string()>{s.monthly.display()}</strong>
                            " per month. "
                            <a href=href>{format!("Try it ({})", s.change)}</a>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <ul class="savings">{items}</ul>
                <p class="hint">{format!("All of them together save {} per month (less than their sum where they overlap).", f.all_together.display())}</p>
            }
            .into_any()
        })
    };
    view! {
        <section aria-labelledby="savings-title">
            <h2 id="savings-title">"Savings"</h2>
            <p class="hint">"Each is computed by re-running the model with the change applied."</p>
            {list}
        </section>
    }
}

#[component]
fn PriceList(prices: Prices) -> impl IntoView {
    let rows = PriceItem::ALL
        .iter()
        .filter_map(|&item| {
            let f = prices.items.get(&item)?;
            let rate = f.rate().map(|r| r.display()).unwrap_or_else(|e| e);
            let low = f.confidence != Confidence::Primary;
            Some(view! {
                <tr class:low-confidence=low>
                    <th scope="row">{item.key()}</th>
                    <td>{rate}</td>
                    <td>{confidence_label(f.confidence)}</td>
                    <td class="source">{f.source.clone()}</td>
                </tr>
            })
        })
        .collect_view();
    let regional = prices
        .regions
        .keys()
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    view! {
        <section aria-labelledby="prices-title">
            <h2 id="prices-title">"Prices"</h2>
            <p class="hint">{format!("{} as of {}. ", prices.note, prices.as_of)}{(!regional.is_empty()).then(|| format!("Regions with their own prices: {regional}."))}</p>
            <table>
                <thead><tr><th scope="col">"Item"</th><th scope="col">"Price"</th><th scope="col">"Known from"</th><th scope="col">"Source"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </section>
    }
}
