//! Findings: what the detection rules found in the stored events, one row per rule with its severity, count,
//! first and last match, accounts, identities and a sparkline of its matches per day; filtered by severity and
//! triage state in the URL. Opening a rule (`open=RULE_ID`) shows its evidence events, each linking to Events,
//! and lets admins triage it. Rules whose events the store never received say they cannot evaluate.
mod detail;
mod marks;

use crate::api::findings::{TriageFinding, get_finding, get_findings};
use crate::components::error_list::error_list;
use crate::error::AppError;
use crate::model::findings::query::FindingsQuery;
use crate::model::findings::triage::TriageState;
use crate::model::findings::{Finding, FindingsReport, Severity};
use crate::model::format::group_digits;
use crate::model::time::format_minute;
use detail::Opened;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::{A, Form};
use marks::{SeverityMark, Sparkline};

/// How many identities a row lists before saying how many more.
const IDENTITIES_SHOWN: usize = 3;

/// `/findings`: the findings of the filters in the URL, and the one opened.
#[component]
pub fn FindingsPage() -> impl IntoView {
    // Read as `/api/findings` reads it: a key given twice is refused by name rather than dropped.
    let search = leptos_router::hooks::use_location().search;
    let parsed = Memo::new(move |_| {
        search.with(|s| FindingsQuery::from_query_string(s.trim_start_matches('?')))
    });
    let query = Memo::new(move |_| parsed.get().unwrap_or_default());
    let triage = ServerAction::<TriageFinding>::new();
    let report = Resource::new(
        move || {
            (
                parsed.get().map(|q| q.with_open(None)),
                triage.version().get(),
            )
        },
        |(query, _)| async move { get_findings(query?).await },
    );
    let opened = Memo::new(move |_| query.get().opened().map(str::to_owned));
    let detail = Resource::new(
        move || (opened.get(), triage.version().get()),
        |(rule, _)| async move {
            match rule {
                Some(rule) => get_finding(rule).await.map(Some),
                None => Ok(None),
            }
        },
    );
    view! {
        <Title text="Findings" />
        <h1>"Findings"</h1>
        <Filters query />
        <Transition fallback=|| view! { <p class="loading">"Loading the findings…"</p> }>
            <ErrorBoundary fallback=error_list>
                {move || {
                    let query = query.get();
                    Suspend::new(async move {
                        let report = report.await?;
                        Ok::<_, AppError>(view! { <Report report query /> })
                    })
                }}
            </ErrorBoundary>
            <ErrorBoundary fallback=error_list>
                {move || {
                    let query = query.get();
                    Suspend::new(async move {
                        let detail = detail.await?;
                        Ok::<_, AppError>(detail.map(|detail| view! { <Opened detail query triage /> }))
                    })
                }}
            </ErrorBoundary>
        </Transition>
    }
}

/// Severity (at least) and triage state, as a GET form: it works before the page's script loads.
#[component]
fn Filters(query: Memo<FindingsQuery>) -> impl IntoView {
    let filter = move || query.get().filter().unwrap_or_default();
    view! {
        <div class="filters">
            <Form method="GET" action="">
                <input type="hidden" name="rule" value=move || query.get().rule.unwrap_or_default() />
                <input type="hidden" name="account" value=move || query.get().account.unwrap_or_default() />
                <label>
                    "Severity "
                    <select name="severity">
                        <option value="" selected=move || filter().severity.is_none()>"Any severity"</option>
                        {Severity::ALL.into_iter().rev().map(|s| view! {
                            <option value=s.as_str() selected=move || filter().severity == Some(s)>{format!("{s} and above")}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label>
                    "State "
                    <select name="state">
                        <option value="" selected=move || filter().state.is_none()>"Any state"</option>
                        {TriageState::ALL.into_iter().map(|s| view! {
                            <option value=s.as_str() selected=move || filter().state == Some(s)>{s.label()}</option>
                        }).collect_view()}
                    </select>
                </label>
                <button type="submit">"Apply filters"</button>
            </Form>
        </div>
    }
}

#[component]
fn Report(report: FindingsReport, query: FindingsQuery) -> impl IntoView {
    let filtered = query.filter().is_ok_and(|f| f != Default::default());
    let said = format!(
        "{} {} from {} rules",
        report.findings.len(),
        if report.findings.len() == 1 {
            "finding"
        } else {
            "findings"
        },
        report.rules
    );
    let problems = (!report.rule_problems.is_empty()).then(|| {
        let items = report
            .rule_problems
            .iter()
            .map(|p| view! { <li><code>{p.file.clone()}</code>": " {p.reason.clone()}</li> })
            .collect_view();
        view! {
            <section class="error" role="alert" aria-label="Rule files skipped">
                <p>"These rule files were skipped; the other rules run:"</p>
                <ul>{items}</ul>
            </section>
        }
    });
    let unreadable = report.unreadable.heading().map(|heading| {
        let more = report.unreadable.count > report.unreadable.examples.len() as u64;
        let items = report
            .unreadable
            .examples
            .iter()
            .map(|r| view! { <li>"eventID "<code>{r.event_id.clone()}</code>": " {r.reason.clone()}</li> })
            .collect_view();
        view! {
            <section class="error" role="alert" aria-label="Records not evaluated" data-testid="unreadable">
                <p>{heading}</p>
                <ul>{items}</ul>
                {more.then(|| view! { <p>"The server log names every one."</p> })}
            </section>
        }
    });
    let table = if report.findings.is_empty() {
        let why = if filtered {
            "No findings match these filters."
        } else {
            "No findings: no rule matched a stored event."
        };
        view! { <p class="empty" data-testid="findings-empty">{why}</p> }.into_any()
    } else {
        let opened = query.opened().map(str::to_owned);
        let rows = report
            .findings
            .into_iter()
            .map(|f| view! { <Row finding=f query=query.clone() opened=opened.clone() /> })
            .collect_view();
        view! {
            <table class="findings-table" aria-label="Findings">
                <thead><tr>
                    <th scope="col">"Severity"</th><th scope="col">"Rule"</th><th scope="col">"Technique"</th>
                    <th scope="col" class="num">"Count"</th><th scope="col">"First seen"</th><th scope="col">"Last seen"</th>
                    <th scope="col">"Accounts"</th><th scope="col">"Identities"</th><th scope="col">"Matches per day"</th>
                    <th scope="col">"State"</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        }
        .into_any()
    };
    let unevaluable = (!report.unevaluable.is_empty()).then(|| {
        let items = report
            .unevaluable
            .into_iter()
            .map(|u| view! { <li><SeverityMark severity=u.severity />" " {u.title}": " <strong>{u.reason}</strong></li> })
            .collect_view();
        view! {
            <section class="unevaluable" aria-labelledby="unevaluable-heading">
                <h2 id="unevaluable-heading">"Rules that cannot evaluate"</h2>
                <ul data-testid="unevaluable">{items}</ul>
            </section>
        }
    });
    view! {
        <p class="window" data-testid="findings-count">{said}</p>
        {problems}
        {unreadable}
        {table}
        {unevaluable}
    }
}

#[component]
fn Row(finding: Finding, query: FindingsQuery, opened: Option<String>) -> impl IntoView {
    let is_open = opened.as_deref() == Some(finding.rule_id.as_str());
    let href = format!(
        "/findings{}",
        query.with_open(Some(&finding.rule_id)).to_query_string()
    );
    let identities = {
        let shown: Vec<&str> = finding
            .identities
            .iter()
            .take(IDENTITIES_SHOWN)
            .map(String::as_str)
            .collect();
        let more = finding.identities.len().saturating_sub(IDENTITIES_SHOWN);
        let mut text = shown.join(", ");
        if more > 0 {
            text.push_str(&format!(" and {more} more"));
        }
        text
    };
    let state = finding.state();
    let reopened = finding.reopened().map(|r| r.to_string());
    view! {
        <tr class:opened=is_open>
            <td><SeverityMark severity=finding.severity /></td>
            <td><A href=href attr:aria-current=is_open.then_some("true")>{finding.title.clone()}</A></td>
            <td>{finding.technique.clone().unwrap_or_default()}</td>
            <td class="num">{group_digits(finding.count)}</td>
            <td>{format_minute(finding.first_seen_secs)}</td>
            <td>{format_minute(finding.last_seen_secs)}</td>
            <td>{finding.accounts.join(", ")}</td>
            <td class="identities">{identities}</td>
            <td><Sparkline days=finding.daily_matches.clone() /></td>
            <td class=format!("state state-{}", state.as_str())>
                {state.label()}
                {reopened.map(|r| view! { <span class="reopened">" (" {r} ")"</span> })}
            </td>
        </tr>
    }
}
