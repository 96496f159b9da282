//! The one-line findings summary (Activity shows it), linking to the Findings page.
use crate::api::findings::get_findings_summary;
use leptos::prelude::*;
use leptos_router::components::A;

/// `Findings: 1 critical, 3 high open · 2 triaged`, a link to `/findings`; nothing when the summary cannot be
/// read.
#[component]
pub fn FindingsLine() -> impl IntoView {
    let summary = Resource::new(|| (), |_| get_findings_summary());
    view! {
        <Transition>
            {move || Suspend::new(async move {
                let line = summary.await.ok()?.line();
                Some(view! {
                    <p class="findings-line" data-testid="findings-line"><A href="/findings">{line}</A></p>
                })
            })}
        </Transition>
    }
}
