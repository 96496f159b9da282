//! One finding opened: what the rule looks for and how to respond, its triage (admins change it with a note),
//! and its evidence events, each a link to Events filtered to it.
use super::marks::SeverityMark;
use crate::api::findings::TriageFinding;
use crate::components::for_role::ForRole;
use crate::model::auth::Role;
use crate::model::findings::query::FindingsQuery;
use crate::model::findings::triage::{NOTE_MAX_CHARS, TriageState};
use crate::model::findings::{EvidenceEvent, FindingDetail};
use crate::model::time::format_minute;
use leptos::prelude::*;
use leptos_router::components::A;

/// MITRE ATT&CK's page of a technique (`T1562.008` → `…/techniques/T1562/008/`).
fn attack_url(technique: &str) -> String {
    format!(
        "https://attack.mitre.org/techniques/{}/",
        technique.replace('.', "/")
    )
}

/// The opened finding's section.
#[component]
pub fn Opened(
    detail: FindingDetail,
    query: FindingsQuery,
    triage: ServerAction<TriageFinding>,
) -> impl IntoView {
    let FindingDetail {
        finding,
        description,
        fix,
        file,
        events,
        covered_through,
    } = detail;
    let close = format!("/findings{}", query.with_open(None).to_query_string());
    let state = finding.state();
    // The decision keeps its own state's look; a reopened finding says so above it.
    let decided_state = finding
        .triage
        .as_ref()
        .map_or(TriageState::Open, |t| t.state);
    let decided = match &finding.triage {
        Some(t) => format!(
            "{} by {} on {}: {}",
            t.state.label(),
            t.by,
            format_minute(t.at_secs),
            t.note
        ),
        None => "Open: nobody has triaged it yet.".to_owned(),
    };
    let technique = finding.technique.clone().map(|t| {
        view! { <p>"ATT&CK technique: " <a href=attack_url(&t) rel="noopener noreferrer">{t.clone()}</a></p> }
    });
    let heading = finding.title.clone();
    let rule_id = StoredValue::new(finding.rule_id.clone());
    let said = move || match triage.value().get() {
        Some(Ok(t)) => Some(format!("Saved: {}.", t.state.label())),
        Some(Err(error)) => Some(error.to_string()),
        None => None,
    };
    let rows = events
        .into_iter()
        .map(|e| view! { <EvidenceRow evidence=e /> })
        .collect_view();
    view! {
        <section class="finding-detail" aria-labelledby="finding-heading">
            <h2 id="finding-heading"><SeverityMark severity=finding.severity />" " {heading.clone()}</h2>
            <p><A href=close>"Close"</A></p>
            {description.map(|d| view! { <p class="description">{d}</p> })}
            {fix.map(|f| view! { <p class="fix"><strong>"What to do: "</strong>{f}</p> })}
            {technique}
            <p class="hint">"Rule " <code>{finding.rule_id.clone()}</code> " from " <code>{file}</code></p>
            {finding.reopened().map(|r| view! { <p class="reopened state-open" data-testid="reopened">"Open, " {r.to_string()} "."</p> })}
            <p class=format!("triage state-{}", decided_state.as_str()) data-testid="triage">{decided}</p>
            <ForRole needed=Role::Admin>
                <ActionForm action=triage attr:class="inline-form" attr:aria-label="Triage this finding">
                    <input type="hidden" name="rule" value=rule_id.get_value() />
                    // The matches this view shows: one stored after it was read reopens the finding.
                    <input type="hidden" name="covered_through" value=covered_through.to_string() />
                    <label>"Decision "
                        <select name="state">
                            {TriageState::ALL.into_iter().filter(|s| *s != state).map(|s| view! {
                                <option value=s.as_str()>{s.label()}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <label>"Note " <textarea name="note" required maxlength=NOTE_MAX_CHARS rows="2" cols="50"></textarea></label>
                    <button type="submit">"Save decision"</button>
                    <span role="status">{said}</span>
                </ActionForm>
            </ForRole>
            <table class="evidence" aria-label=format!("Evidence of {heading}")>
                <caption>"Evidence events, newest first"</caption>
                <thead><tr>
                    <th scope="col">"Time (UTC)"</th><th scope="col">"Event name"</th><th scope="col">"Identity"</th>
                    <th scope="col">"Account"</th><th scope="col">"Region"</th><th scope="col">"Source IP"</th>
                    <th scope="col">"In Events"</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </section>
    }
}

#[component]
fn EvidenceRow(evidence: EvidenceEvent) -> impl IntoView {
    let EvidenceEvent { event, in_events } = evidence;
    let href = format!("/events{}", in_events.to_query_string());
    // The visible words begin and end the link's name, so speech input finds it by what it shows.
    let context = format!("{} at {} ", event.event_name, format_minute(event.time));
    view! {
        <tr>
            <td>{format_minute(event.time)}</td>
            <td>{event.event_name.clone()}</td>
            <td>{event.identity_arn.clone().or(event.identity.clone()).unwrap_or_default()}</td>
            <td>{event.account.clone()}</td>
            <td>{event.region.clone()}</td>
            <td>{event.source_ip.clone().unwrap_or_default()}</td>
            <td>
                <A href=href>"Show "<span class="visually-hidden">{context}</span>"in Events"</A>
            </td>
        </tr>
    }
}
