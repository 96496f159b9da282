//! One chain's digest hours: a grid of UTC days × hours, each cell coloured and marked by its state (the
//! legend says what each mark means; problem hours link to their problems), and the same hours as a table of
//! stretches for those who do not read the grid.
use crate::model::integrity::status::{ChainStatus, HourState};
use crate::model::integrity::timeline::{days, hours, stretches};
use crate::model::time::{HOUR, format_minute, utc_parts};
use leptos::prelude::*;

/// The id of the first problem of `chain`'s hour `hour_secs` in the problem list, which its timeline cell
/// links to.
pub fn problem_anchor(chain: &ChainStatus, hour_secs: i64) -> String {
    format!(
        "problem-{}-{}-{}-{hour_secs}",
        chain.account_id, chain.region, chain.trail_name
    )
}

fn date(secs: i64) -> String {
    let p = utc_parts(secs);
    format!("{:04}-{:02}-{:02}", p.year, p.month, p.day)
}

/// What each cell's mark and colour mean.
#[component]
pub fn Legend() -> impl IntoView {
    view! {
        <ul class="hour-legend" aria-label="Legend">
            {HourState::ALL.iter().map(|state| view! {
                <li>
                    <span class=format!("hour-mark h-{}", state.slug()) aria-hidden="true">{state.mark()}</span>
                    " " {state.label()}
                </li>
            }).collect_view()}
        </ul>
    }
}

/// The timeline of `chain` at `now_secs`: the grid, its legend, and the stretches table.
#[component]
pub fn ChainHours(chain: ChainStatus, now_secs: i64) -> impl IntoView {
    let shown = hours(&chain, now_secs);
    let label = chain.label();
    let grid = days(&shown)
        .into_iter()
        .map(|day| {
            let cells = day
                .hours
                .iter()
                .enumerate()
                .map(|(h, state)| {
                    let hour_secs = day.day_secs + h as i64 * HOUR;
                    match state {
                        None => view! { <td class="hour h-none"></td> }.into_any(),
                        Some(state) => {
                            let title = format!("{} {h:02}:00 UTC: {}", date(day.day_secs), state.label());
                            let class = format!("hour h-{}", state.slug());
                            let linked = state.is_problem() || *state == HourState::Gap;
                            if linked {
                                let href = format!("#{}", problem_anchor(&chain, hour_secs));
                                let link_title = title.clone();
                                view! { <td class=class title=title><a href=href title=link_title>{state.mark()}</a></td> }.into_any()
                            } else {
                                view! { <td class=class title=title>{state.mark()}</td> }.into_any()
                            }
                        }
                    }
                })
                .collect_view();
            view! { <tr><th scope="row">{date(day.day_secs)}</th>{cells}</tr> }
        })
        .collect_view();
    let rows = stretches(&shown)
        .into_iter()
        .map(|s| {
            view! {
                <tr class=format!("h-row-{}", s.state.slug())>
                    <td>{format_minute(s.from_secs)}</td>
                    <td>{format_minute(s.to_secs())}</td>
                    <td class="num">{s.hours}</td>
                    <td>{s.state.label()}</td>
                </tr>
            }
        })
        .collect_view();
    let grid_name = format!("Digest hours of {label} by UTC day and hour");
    let region_name = grid_name.clone();
    let list_name = format!("Digest hours of {label} as stretches");
    view! {
        <section class="integrity-hours" aria-labelledby="hours-heading">
            <h2 id="hours-heading">{format!("Digest hours: {label}")}</h2>
            <Legend />
            <div class="hour-grid-scroll" role="region" aria-label=region_name tabindex="0">
                <table class="hour-grid" aria-label=grid_name>
                    <thead>
                        <tr>
                            <th scope="col">"Day (UTC)"</th>
                            {(0..24).map(|h| view! { <th scope="col">{format!("{h:02}")}</th> }).collect_view()}
                        </tr>
                    </thead>
                    <tbody>{grid}</tbody>
                </table>
            </div>
            <details class="hour-stretches">
                <summary>"The same hours as a table"</summary>
                <table aria-label=list_name>
                    <thead><tr><th scope="col">"From"</th><th scope="col">"To"</th><th scope="col" class="num">"Hours"</th><th scope="col">"State"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </details>
        </section>
    }
}
