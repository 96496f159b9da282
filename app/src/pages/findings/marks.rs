//! How a finding's severity and its matches per day are drawn: a mark, a colour and the word (so neither colour
//! nor shape alone carries it), and a sparkline with the same facts as a sentence.
use crate::model::findings::Severity;
use crate::model::findings::daily::DailyMatches;
use leptos::prelude::*;

/// The mark beside a severity's word (the word says it too; the mark is decoration).
fn mark(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical => "◆",
        Severity::High => "▲",
        Severity::Medium => "●",
        Severity::Low => "▽",
        Severity::Informational => "○",
    }
}

/// `▲ high`, coloured by severity.
#[component]
pub fn SeverityMark(severity: Severity) -> impl IntoView {
    view! {
        <span class=format!("severity sev-{}", severity.as_str())>
            <span aria-hidden="true">{mark(severity)}</span>" " {severity.as_str()}
        </span>
    }
}

const WIDTH: f64 = 90.0;
const HEIGHT: f64 = 20.0;

/// Matches per day as a line, described in words for those who do not see it.
#[component]
pub fn Sparkline(days: DailyMatches) -> impl IntoView {
    let text = days.describe();
    let label = text.clone();
    view! {
        <svg
            class="sparkline"
            width=WIDTH
            height=HEIGHT
            viewBox=format!("0 0 {WIDTH} {HEIGHT}")
            role="img"
            aria-label=label
        >
            <title>{text}</title>
            <polyline points=days.points(WIDTH, HEIGHT) fill="none" stroke="currentColor" stroke-width="1.5" />
        </svg>
    }
}
