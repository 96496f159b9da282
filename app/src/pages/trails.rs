//! Trails: is every Region of every account logged by a trail that is delivering? A Region × account matrix
//! (click a cell for its trails), the gaps to fix and the CIS CloudTrail checks; and one trail in full, with
//! its selectors decoded into plain language beside the raw JSON.
use crate::api::trails::{RefreshTrails, get_trail, get_trail_changes, get_trail_matrix};
use crate::components::error_list::error_list;
use crate::components::for_role::ForRole;
use crate::error::AppError;
use crate::model::auth::Role;
use crate::model::filter::encode_component;
use crate::model::time::{format_minute, format_span};
use crate::model::trails::analysis::{CisCheck, Gap, MatrixCell, TrailDetail, TrailMatrix};
use crate::model::trails::changes::SnapshotChanges;
use crate::pages::query::use_query_map_once;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

fn trail_href(arn: &str) -> String {
    format!("/trails/trail?arn={}", encode_component(arn))
}

fn yes_no(value: Option<bool>) -> &'static str {
    match value {
        Some(true) => "yes",
        Some(false) => "no",
        None => "unknown",
    }
}

/// `/trails`: CloudTrail coverage per account and Region, gaps, CIS checks and recent changes.
#[component]
pub fn TrailsPage() -> impl IntoView {
    let refresh = ServerAction::<RefreshTrails>::new();
    let coverage = Resource::new(move || refresh.version().get(), |_| get_trail_matrix());
    let changes = Resource::new(move || refresh.version().get(), |_| get_trail_changes());
    let query = use_query_map_once();
    let selected = Memo::new(move |_| query.with(|q| q.get("cell")));
    view! {
        <Title text="Trails" />
        <h1>"Trails"</h1>
        <ForRole needed=Role::Admin>
            <ActionForm action=refresh attr:class="refresh">
                <button type="submit">"Refresh now"</button>
                {move || refresh.value().get().and_then(Result::err).map(|e| view! { <span class="error" role="alert">{e.to_string()}</span> })}
            </ActionForm>
        </ForRole>
        <Transition fallback=|| view! { <p class="loading">"Loading trails…"</p> }>
            <ErrorBoundary fallback=error_list>
                {move || Suspend::new(async move {
                    let coverage = coverage.await?;
                    Ok::<_, AppError>(view! { <Coverage coverage selected /> })
                })}
            </ErrorBoundary>
            <ErrorBoundary fallback=error_list>
                {move || Suspend::new(async move {
                    let changes = changes.await?;
                    Ok::<_, AppError>(view! { <Changes changes /> })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn Coverage(coverage: TrailMatrix, selected: Memo<Option<String>>) -> impl IntoView {
    let taken = format!("Snapshot of {}", format_minute(coverage.taken_at));
    let cells = StoredValue::new(coverage.cells.clone());
    view! {
        <p class="window" data-testid="snapshot-time">{taken}</p>
        <Matrix coverage=coverage.clone() />
        {move || {
            let key = selected.get()?;
            let cell = cells.with_value(|cells| {
                cells.iter().find(|c| format!("{}/{}", c.account, c.region) == key).cloned()
            })?;
            Some(view! { <CellDetail cell /> })
        }}
        <Gaps gaps=coverage.gaps />
        <CisChecks checks=coverage.cis />
    }
}

#[component]
fn Matrix(coverage: TrailMatrix) -> impl IntoView {
    let accounts = coverage.accounts.clone();
    let cell_of = move |account: &str, region: &str| {
        coverage
            .cells
            .iter()
            .find(|c| c.account == account && c.region == region)
            .cloned()
    };
    view! {
        <table class="trail-matrix" aria-label="Coverage by Region and account">
            <thead>
                <tr>
                    <th scope="col">"Region"</th>
                    {accounts.iter().map(|a| view! { <th scope="col">{a.clone()}</th> }).collect_view()}
                </tr>
            </thead>
            <tbody>
                {coverage.regions.iter().map(|region| view! {
                    <tr>
                        <th scope="row">{region.clone()}</th>
                        {accounts.iter().map(|account| match cell_of(account, region) {
                            Some(cell) => {
                                let href = format!("/trails?cell={}", encode_component(&format!("{}/{}", cell.account, cell.region)));
                                let class = format!("cell state-{}", cell.state.label().to_lowercase().replace(' ', "-"));
                                let label = format!("{} {}: {}", cell.account, cell.region, cell.state.label());
                                let names = cell.trails.iter().filter(|t| t.is_logging).map(|t| t.name.clone()).collect::<Vec<_>>().join(", ");
                                view! {
                                    // The link's name holds its visible text (WCAG 2.5.3), so the trail names sit beside it.
                                    <td class=class>
                                        <A href=href attr:aria-label=label>
                                            <span class="state">{cell.state.label()}</span>
                                        </A>
                                        <span class="names">{names}</span>
                                    </td>
                                }.into_any()
                            }
                            None => view! { <td class="cell">"—"</td> }.into_any(),
                        }).collect_view()}
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn CellDetail(cell: MatrixCell) -> impl IntoView {
    let heading = format!("{} · {}", cell.account, cell.region);
    view! {
        <section class="cell-detail" aria-label="Selected cell">
            <h2>{heading} " — " {cell.state.label()}</h2>
            <p>{cell.summary}</p>
            <ul>
                {cell.trails.into_iter().map(|t| {
                    let delivery = t.last_delivery_age_secs.map_or_else(
                        || "no delivery recorded".to_owned(),
                        |age| format!("last delivery {} ago", format_span(age)),
                    );
                    let kind = match (t.is_organization, t.is_multi_region, t.is_shadow) {
                        (true, _, _) => "organization trail",
                        (false, true, _) => "multi-Region trail",
                        _ => "single-Region trail",
                    };
                    view! {
                        <li>
                            <A href=trail_href(&t.trail_arn)>{t.name.clone()}</A>
                            " (" {kind} ", home " {t.home_region.clone()} "): "
                            {if t.is_logging { "logging" } else { "not logging" }} ", " {delivery}
                            {(!t.problems.is_empty()).then(|| view! {
                                <ul class="problems">{t.problems.iter().map(|p| view! { <li>{p.clone()}</li> }).collect_view()}</ul>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn Gaps(gaps: Vec<Gap>) -> impl IntoView {
    view! {
        <section class="gaps" aria-labelledby="gaps-heading">
            <h2 id="gaps-heading">"Coverage gaps and limits"</h2>
            {if gaps.is_empty() {
                view! { <p class="empty">"No gaps: every enabled Region of every account is logged."</p> }.into_any()
            } else {
                view! {
                    <ul>
                        {gaps.into_iter().map(|g| {
                            let link = g.trail_arn.as_deref().map(|arn| view! { " " <A href=trail_href(arn)>"trail"</A> });
                            let billing = matches!(g.kind, crate::model::trails::analysis::GapKind::DuplicateManagementEvents)
                                .then(|| view! { " " <A href="/billing">"cost"</A> });
                            view! { <li class=format!("gap gap-{:?}", g.kind).to_lowercase()>{g.message} {link} {billing}</li> }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

#[component]
fn Changes(changes: Option<SnapshotChanges>) -> impl IntoView {
    let body = match changes {
        None => view! { <p class="empty">"Only one snapshot so far: changes show here after the next refresh."</p> }.into_any(),
        Some(c) => {
            let span = format!("From {} to {}:", format_minute(c.since), format_minute(c.until));
            if c.changes.is_empty() {
                view! { <p>{span} " nothing changed."</p> }.into_any()
            } else {
                view! {
                    <p>{span}</p>
                    <ul>{c.changes.into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}</ul>
                }.into_any()
            }
        }
    };
    view! {
        <section class="changes" aria-labelledby="changes-heading">
            <h2 id="changes-heading">"Changes since the previous snapshot"</h2>
            {body}
        </section>
    }
}

#[component]
fn CisChecks(checks: Vec<CisCheck>) -> impl IntoView {
    view! {
        <section class="cis" aria-labelledby="cis-heading">
            <h2 id="cis-heading">"CIS AWS Foundations: CloudTrail"</h2>
            <table aria-labelledby="cis-heading">
                <thead><tr><th>"Account"</th><th>"Control"</th><th>"Check"</th><th>"Result"</th><th>"Why"</th><th>"Fix"</th></tr></thead>
                <tbody>
                    {checks.into_iter().map(|c| {
                        let (class, result) = if c.passed { ("pass", "pass") } else { ("fail", "fail") };
                        view! {
                            <tr class=class>
                                <td>{c.account}</td>
                                <td>{c.control}</td>
                                <td>{c.title}</td>
                                <td class="result">{result}</td>
                                <td>{c.reason}</td>
                                <td class="fix">{(!c.passed).then(|| c.fix.clone())}</td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

/// `/trails/trail?arn=…`: one trail in full.
#[component]
pub fn TrailPage() -> impl IntoView {
    let query = use_query_map_once();
    let arn = Memo::new(move |_| query.with(|q| q.get("arn")).unwrap_or_default());
    let detail = Resource::new(move || arn.get(), get_trail);
    view! {
        <Title text="Trail" />
        <p><A href="/trails">"← All trails"</A></p>
        <Transition fallback=|| view! { <p class="loading">"Loading the trail…"</p> }>
            <ErrorBoundary fallback=error_list>
                {move || Suspend::new(async move {
                    let detail = detail.await?;
                    Ok::<_, AppError>(view! { <TrailView detail /> })
                })}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn TrailView(detail: TrailDetail) -> impl IntoView {
    let t = detail.trail.clone();
    let status = detail.status.clone();
    let when = |at: Option<f64>| at.map_or_else(|| "never".to_owned(), |s| format_minute(s as i64));
    let (logging, delivered, delivery_error, digest, cloudwatch) = match &status {
        Some(s) => (
            if s.is_logging { "yes" } else { "no (stopped)" },
            when(s.latest_delivery_time),
            s.latest_delivery_error
                .clone()
                .unwrap_or_else(|| "none".to_owned()),
            when(s.latest_digest_delivery_time),
            when(s.latest_cloud_watch_logs_delivery_time),
        ),
        None => (
            "unknown",
            "unknown".to_owned(),
            "unknown".to_owned(),
            "unknown".to_owned(),
            "unknown".to_owned(),
        ),
    };
    let none = || "none".to_owned();
    let bucket = format!(
        "{}{}",
        t.s3_bucket_name.clone().unwrap_or_else(none),
        t.s3_key_prefix
            .as_deref()
            .map(|p| format!(" / {p}"))
            .unwrap_or_default()
    );
    let seen = detail
        .seen_in
        .iter()
        .map(|(a, r)| view! { <span class="seen">{format!("{a} {r}")}</span> })
        .collect_view();
    let lines = detail.decoded.lines();
    view! {
        <h1>"Trail " {t.name.clone()}</h1>
        {(!detail.problems.is_empty()).then(|| view! {
            <div class="error" role="alert"><ul>{detail.problems.iter().map(|p| view! { <li>{p.clone()}</li> }).collect_view()}</ul></div>
        })}
        <div class="trail-detail">
            <section aria-labelledby="config-heading">
                <h2 id="config-heading">"Configuration"</h2>
                <dl>
                    <dt>"ARN"</dt><dd><code>{t.trail_arn.clone()}</code></dd>
                    <dt>"Home Region"</dt><dd>{t.home_region.clone().unwrap_or_else(none)}</dd>
                    <dt>"Multi-Region"</dt><dd>{yes_no(t.is_multi_region_trail)}</dd>
                    <dt>"Organization trail"</dt><dd>{yes_no(t.is_organization_trail)}</dd>
                    <dt>"S3 bucket / prefix"</dt><dd>{bucket}</dd>
                    <dt>"SNS topic"</dt><dd>{t.sns_topic_arn.clone().unwrap_or_else(none)}</dd>
                    <dt>"CloudWatch Logs group"</dt><dd>{t.cloud_watch_logs_log_group_arn.clone().unwrap_or_else(none)}</dd>
                    <dt>"KMS key"</dt><dd>{t.kms_key_id.clone().unwrap_or_else(none)}</dd>
                    <dt>"Log file validation"</dt><dd>{yes_no(t.log_file_validation_enabled)}</dd>
                    <dt>"Global service events"</dt><dd>{yes_no(t.include_global_service_events)}</dd>
                    <dt>"Seen in"</dt><dd>{seen}</dd>
                </dl>
                <h2>"Status"</h2>
                <dl>
                    <dt>"Logging"</dt><dd data-testid="is-logging">{logging}</dd>
                    <dt>"Last delivery"</dt><dd>{delivered}</dd>
                    <dt>"Last delivery error"</dt><dd>{delivery_error}</dd>
                    <dt>"Last digest delivery"</dt><dd>{digest}</dd>
                    <dt>"Last CloudWatch Logs delivery"</dt><dd>{cloudwatch}</dd>
                </dl>
            </section>
            <section aria-labelledby="selectors-heading">
                <h2 id="selectors-heading">"What it records"</h2>
                <ul class="decoded" data-testid="decoded-selectors">
                    {lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}
                </ul>
                <details class="raw-json">
                    <summary>"Raw JSON"</summary>
                    <pre>{detail.raw_json.clone()}</pre>
                </details>
            </section>
        </div>
    }
}
