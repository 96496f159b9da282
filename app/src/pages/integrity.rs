//! Integrity: whether the trail archives validate against CloudTrail's signed digest files. Per account ×
//! Region × trail the last validation and what it found, one chain's digest hours as a timeline, and every
//! problem naming its key and reason. Admins start a validation of everything (its progress shows while it
//! runs); the server validates new digests after each ingest by itself.
mod hours;

use crate::api::integrity::{StartValidation, get_integrity_report};
use crate::components::error_list::error_list;
use crate::components::for_role::ForRole;
use crate::error::AppError;
use crate::model::auth::Role;
use crate::model::filter::encode_component;
use crate::model::integrity::status::{
    ArchiveOutcome, ArchiveStatus, ChainStatus, HourState, IntegrityStatus, RunProgress, RunVerdict,
};
use crate::model::integrity::summary::{Tally, ago};
use crate::model::time::format_minute;
use crate::pages::query::use_query_map_once;
use hours::{ChainHours, problem_anchor};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use std::collections::HashSet;

/// How often the page asks for progress while a validation runs.
const POLL_MS: u64 = 2_000;

/// `/integrity`: the stored validation results, and (admins) a button to validate everything now.
#[component]
pub fn IntegrityPage() -> impl IntoView {
    let start = ServerAction::<StartValidation>::new();
    let tick = RwSignal::new(0u64);
    let report = Resource::new(
        move || (start.version().get(), tick.get()),
        |_| get_integrity_report(),
    );
    // While a validation runs, ask again every POLL_MS (in the browser only: effects do not run on the server).
    Effect::new(move |_| {
        if let Some(Ok(status)) = report.get()
            && status.run.is_some()
        {
            set_timeout(
                move || tick.update(|t| *t += 1),
                std::time::Duration::from_millis(POLL_MS),
            );
        }
    });
    let query = use_query_map_once();
    let selected = Memo::new(move |_| query.with(|q| q.get("chain")));
    let said = move || match start.value().get() {
        Some(Ok(answer)) if answer.started => Some("Validation started.".to_owned()),
        Some(Ok(_)) => {
            Some("A validation is already running: its progress is shown below.".to_owned())
        }
        Some(Err(error)) => Some(error.to_string()),
        None => None,
    };
    view! {
        <Title text="Integrity" />
        <h1>"Integrity"</h1>
        <ForRole needed=Role::Admin>
            <ActionForm action=start attr:class="refresh" attr:aria-label="Validate now">
                <button type="submit">"Validate everything now"</button>
                <span role="status">{said}</span>
            </ActionForm>
        </ForRole>
        <Transition fallback=|| view! { <p class="loading">"Loading the integrity report…"</p> }>
            <ErrorBoundary fallback=error_list>
                {move || {
                    let wanted = selected.get();
                    Suspend::new(async move {
                        let status = report.await?;
                        Ok::<_, AppError>(view! { <Report status wanted /> })
                    })
                }}
            </ErrorBoundary>
        </Transition>
    }
}

fn progress_line(run: &RunProgress) -> String {
    let what = if run.full {
        "every digest"
    } else {
        "new digests"
    };
    let by = run
        .started_by
        .as_deref()
        .map(|by| format!(", started by {by}"))
        .unwrap_or_default();
    format!(
        "Validating {what}{by} since {}: {} of {} digest files and {} of {} log files checked{}.",
        format_minute(run.started_at_secs),
        run.digests_done,
        run.digests_total,
        run.logs_done,
        run.logs_total,
        if run.source.is_empty() {
            String::new()
        } else {
            format!(" ({})", run.source)
        }
    )
}

/// The chain the `chain` parameter names, else the first with problems, else the first.
fn pick<'a>(chains: &[&'a ChainStatus], wanted: Option<&str>) -> Option<&'a ChainStatus> {
    wanted
        .and_then(|w| chains.iter().find(|c| c.label() == w))
        .or_else(|| {
            chains
                .iter()
                .find(|c| c.hours.values().any(|s| s.is_problem()))
        })
        .or_else(|| chains.first())
        .copied()
}

#[component]
fn Report(status: IntegrityStatus, wanted: Option<String>) -> impl IntoView {
    let progress = status.run.as_ref().map(|run| {
        view! { <p class="integrity-progress" role="status" data-testid="integrity-progress">{progress_line(run)}</p> }
    });
    if status.sources.is_empty() {
        return view! {
            {progress}
            <p class="empty" data-testid="integrity-empty">
                "No trail archive is configured, so there is nothing to validate. Set "<code>"s3_archives"</code>
                " (the trail's bucket and prefix) in the configuration; the demo validates its own archive."
            </p>
        }
        .into_any();
    }
    if status.archives.is_empty() {
        let next = if status.run.is_some() {
            "The first validation is running."
        } else {
            "New digests are validated after each ingest; an admin can validate everything now."
        };
        return view! {
            {progress}
            <p class="empty" data-testid="integrity-empty">"Not validated yet. " {next}</p>
        }
        .into_any();
    }
    let now = status.now_secs;
    let chains: Vec<&ChainStatus> = status.archives.iter().flat_map(|a| &a.chains).collect();
    let chosen = pick(&chains, wanted.as_deref()).cloned();
    let archives = status
        .archives
        .iter()
        .map(|archive| view! { <Archive archive=archive.clone() now chosen=chosen.as_ref().map(ChainStatus::label) /> })
        .collect_view();
    let timeline = chosen.map(|chain| view! { <ChainHours chain now_secs=now /> });
    let all: Vec<ChainStatus> = chains.into_iter().cloned().collect();
    let verdicts: Vec<(String, RunVerdict)> = status
        .archives
        .iter()
        .map(|a| (a.source.clone(), a.verdict()))
        .collect();
    view! { {progress} {archives} {timeline} <Problems chains=all verdicts /> }.into_any()
}

#[component]
fn Archive(archive: ArchiveStatus, now: i64, chosen: Option<String>) -> impl IntoView {
    let last = match archive.verdict() {
        RunVerdict::Failed { .. } => "Last validation failed",
        RunVerdict::NoDigests => "Last run found no digest file to validate",
        RunVerdict::Validated { .. } => "Last validated",
    };
    let when = format!(
        "{last} {} ({}){}",
        format_minute(archive.validated_at_secs),
        ago(now - archive.validated_at_secs),
        archive
            .full_validated_at_secs
            .map(|at| format!("; every digest last validated {}", format_minute(at)))
            .unwrap_or_default()
    );
    let outcome = match &archive.outcome {
        ArchiveOutcome::Validated => None,
        ArchiveOutcome::NoDigests => Some(view! {
            <p class="empty" data-testid="no-digests">
                "No CloudTrail digest file was found in this archive. Check that log file validation is on for its trails (the trail's "
                "“Log file validation” setting, or "<code>"aws cloudtrail update-trail --name TRAIL --enable-log-file-validation"</code>
                "): CloudTrail writes digests under "<code>"AWSLogs/ACCOUNT/CloudTrail-Digest/REGION/"</code>" only then, hourly from then on."
            </p>
        }.into_any()),
        ArchiveOutcome::Failed { reason } => Some(view! {
            <p class="error" role="alert">"The archive could not be validated: " {reason.clone()}</p>
        }.into_any()),
    };
    let heading = format!("Archive {}", archive.source);
    let section_name = heading.clone();
    let rows = archive
        .chains
        .iter()
        .map(|chain| {
            let mut tally = Tally::default();
            for problem in &chain.problems {
                tally.add(&problem.finding);
            }
            let valid = chain
                .hours
                .values()
                .filter(|s| **s == HourState::Valid)
                .count();
            let found = if tally.is_clean() {
                "no problem".to_owned()
            } else {
                tally.parts().join(", ")
            };
            let label = chain.label();
            let current = (chosen.as_deref() == Some(label.as_str())).then_some("true");
            let href = format!("/integrity?chain={}", encode_component(&label));
            view! {
                <tr>
                    <td><A href=href attr:aria-current=current>{label.clone()}</A></td>
                    <td>{chain.home_region.clone()}</td>
                    <td>{format_minute(chain.validated_at_secs)}</td>
                    <td class="num">{valid}</td>
                    <td>{found}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="integrity-archive" aria-label=section_name>
            <h2>{heading}</h2>
            <p class="window" data-testid="validated-at">{when}</p>
            {outcome}
            <table aria-label=format!("Chains of {}", archive.source)>
                <thead><tr>
                    <th scope="col">"Account, Region, trail"</th><th scope="col">"Home Region"</th>
                    <th scope="col">"Last validated"</th><th scope="col" class="num">"Valid hours"</th><th scope="col">"Found"</th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </section>
    }
}

/// What the Problems section says when no chain holds a finding, decided on each archive's [`RunVerdict`]: a
/// failed run and a run that validated no digest are said as such; "no problem" only when every archive's
/// last run validated at least one digest.
fn nothing_found(verdicts: Vec<(String, RunVerdict)>) -> AnyView {
    let mut lines = Vec::new();
    for (source, verdict) in verdicts {
        match verdict {
            RunVerdict::Failed { reason } => lines.push(view! {
                <p class="error" data-testid="integrity-failed">
                    "The last validation of "{source}" failed, so nothing is known of its log files: "{reason}
                </p>
            }.into_any()),
            RunVerdict::NoDigests => lines.push(view! {
                <p class="empty" data-testid="integrity-no-digests">
                    "No digest file of "{source}" was validated, so nothing is known of its log files. Turn on log "
                    "file validation for its trails ("<code>"aws cloudtrail update-trail --name TRAIL --enable-log-file-validation"</code>
                    "); CloudTrail then delivers a digest file every hour."
                </p>
            }.into_any()),
            RunVerdict::Validated { .. } => {}
        }
    }
    if lines.is_empty() {
        view! { <p class="empty" data-testid="integrity-no-problem">"No problem: every digest and log file validated is valid."</p> }
            .into_any()
    } else {
        lines.collect_view().into_any()
    }
}

#[component]
fn Problems(chains: Vec<ChainStatus>, verdicts: Vec<(String, RunVerdict)>) -> impl IntoView {
    let with_problems: Vec<ChainStatus> = chains
        .into_iter()
        .filter(|c| !c.problems.is_empty())
        .collect();
    let body = if with_problems.is_empty() {
        nothing_found(verdicts)
    } else {
        with_problems
            .into_iter()
            .map(|chain| {
                let mut anchored = HashSet::new();
                let rows = chain
                    .problems
                    .iter()
                    .map(|p| {
                        let id = p
                            .hour_secs
                            .filter(|h| anchored.insert(*h))
                            .map(|h| problem_anchor(&chain, h));
                        let hour = p.hour_secs.map_or_else(String::new, format_minute);
                        view! {
                            <tr id=id class=format!("h-row-{}", p.finding.state().slug())>
                                <td>{hour}</td>
                                <td>{p.finding.state().label()}</td>
                                <td><code>{p.location.clone()}</code></td>
                                <td>{p.finding.reason()}</td>
                            </tr>
                        }
                    })
                    .collect_view();
                let label = chain.label();
                view! {
                    <table class="problem-table" aria-label=format!("Problems of {label}")>
                        <caption>{label.clone()}</caption>
                        <thead><tr><th scope="col">"Hour (UTC)"</th><th scope="col">"State"</th><th scope="col">"Key"</th><th scope="col">"Reason"</th></tr></thead>
                        <tbody>{rows}</tbody>
                    </table>
                }
            })
            .collect_view()
            .into_any()
    };
    view! {
        <section class="integrity-problems" aria-labelledby="problems-heading">
            <h2 id="problems-heading">"Problems"</h2>
            {body}
        </section>
    }
}
