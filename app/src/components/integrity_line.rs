//! The one-line integrity summary (Activity shows it), linking to the Integrity page.
use crate::api::integrity::get_integrity_summary;
use leptos::prelude::*;
use leptos_router::components::A;

/// `Integrity: 1 log file modified, 1 gap · validated 3 min ago`, a link to `/integrity`; nothing when no
/// archive is validated here or the summary cannot be read.
#[component]
pub fn IntegrityLine() -> impl IntoView {
    let summary = Resource::new(|| (), |_| get_integrity_summary());
    view! {
        <Transition>
            {move || Suspend::new(async move {
                let line = summary.await.ok().and_then(|s| s.line())?;
                Some(view! {
                    <p class="integrity-line" data-testid="integrity-line"><A href="/integrity">{line}</A></p>
                })
            })}
        </Transition>
    }
}
