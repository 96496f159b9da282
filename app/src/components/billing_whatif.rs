//! What-if controls of the Billing page: per trail, logging on or off, the management events it logs,
//! each data rule kept, dropped or scoped to named buckets, and its Insights types. The what-if is the
//! URL's `change` parameters (the text form of [`Change`], the same as `/api/billing/estimate` takes), so it
//! can be shared; a control replaces the trail's change of its kind and navigates on the client, which
//! makes no request: the page recomputes the estimate in the browser.
use crate::model::billing::{BillingTrail, Change, EventClass, Inputs, RuleChange, apply_all};
use crate::model::selectors::{InsightCategory, InsightType, ResourceType};
use leptos::prelude::*;
use leptos_router::NavigateOptions;
use leptos_router::hooks::use_navigate;
use leptos_router::params::ParamsMap;
use std::collections::{BTreeMap, BTreeSet};

/// What a change sets, so a trail has at most one change of each kind.
#[derive(PartialEq, Eq)]
enum Slot<'a> {
    Off(&'a str),
    Management(&'a str),
    Data(&'a str, usize),
    Insights(&'a str),
}

fn slot(change: &Change) -> Slot<'_> {
    match change {
        Change::TrailOff { trail_arn } => Slot::Off(trail_arn),
        Change::Management { trail_arn, .. } => Slot::Management(trail_arn),
        Change::DataRule {
            trail_arn, rule, ..
        } => Slot::Data(trail_arn, *rule),
        Change::Insights { trail_arn, .. } => Slot::Insights(trail_arn),
    }
}

/// `changes` with `next` in place of the change of the same trail and kind; `next` is left out when it
/// changes nothing in `trails` (the trail is already so). `None` for `next` only removes `like`'s.
pub fn replace_change(
    changes: &[Change],
    trails: &[BillingTrail],
    like: &Change,
    next: Option<Change>,
) -> Vec<Change> {
    let mut out: Vec<Change> = changes
        .iter()
        .filter(|c| slot(c) != slot(like))
        .cloned()
        .collect();
    if let Some(next) = next {
        // A change to a trail the inputs lack is kept: only a known trail can be judged unchanged.
        let unchanged = trails
            .iter()
            .find(|t| t.trail_arn == next.trail_arn())
            .is_some_and(|t| {
                let mut after = t.clone();
                next.apply(&mut after);
                after == *t
            });
        if !unchanged {
            out.push(next);
        }
    }
    out
}

/// The query string of a what-if, `?change=…&change=…`, or "" for none.
pub fn changes_query(changes: &[Change]) -> String {
    let mut params = ParamsMap::new();
    for change in changes {
        params.insert("change", change.to_string());
    }
    if changes.is_empty() {
        String::new()
    } else {
        params.to_query_string()
    }
}

/// The management choice of a trail as the `management:` change's word.
fn management_word(t: &BillingTrail) -> &'static str {
    match (t.selectors.management.read, t.selectors.management.write) {
        (true, true) => "all",
        (true, false) => "read",
        (false, true) => "write",
        (false, false) => "none",
    }
}

/// The Insights choice of a trail as the `insights:` change's words.
fn insights_words(t: &BillingTrail) -> String {
    let has = |ty: InsightType| t.selectors.insights.iter().any(|r| r.insight_type == ty);
    let data = t
        .selectors
        .insights
        .iter()
        .any(|r| r.categories.contains(&InsightCategory::Data));
    let words: Vec<&str> = [
        (has(InsightType::ApiCallRate), "call"),
        (has(InsightType::ApiErrorRate), "error"),
        (data, "data"),
    ]
    .into_iter()
    .filter_map(|(on, w)| on.then_some(w))
    .collect();
    if words.is_empty() {
        "none".to_owned()
    } else {
        words.join(",")
    }
}

const INSIGHTS_CHOICES: [(&str, &str); 7] = [
    ("none", "off"),
    ("call", "API call rate"),
    ("error", "API error rate"),
    ("call,error", "both types"),
    ("call,data", "API call rate, also on data events"),
    ("error,data", "API error rate, also on data events"),
    ("call,error,data", "both types, also on data events"),
];

/// The resources the store has data events on, by resource type: what a rule can be scoped to.
pub fn known_resources(inputs: &Inputs) -> BTreeMap<String, Vec<String>> {
    let mut known: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for v in &inputs.volumes {
        if let EventClass::Data {
            resource_type,
            resource: Some(resource),
            ..
        } = &v.class
        {
            known
                .entry(resource_type.clone())
                .or_default()
                .insert(resource.clone());
        }
    }
    known
        .into_iter()
        .map(|(t, r)| (t, r.into_iter().collect()))
        .collect()
}

/// The `id` of the `<datalist>` of a resource type's known resources.
fn list_id(resource_type: &str) -> String {
    format!("known-{}", resource_type.replace("::", "-"))
}

/// A text field scoping data rule `rule` of the trail `arn` to named resources (bucket names for S3
/// objects, ARNs otherwise, separated by commas): the `data:N:only=…` change; empty, the rule as
/// configured. Committed on Enter or when the field is left.
fn scope_control<F: Fn(Change, Option<Change>) + Copy + 'static>(
    arn: &str,
    rule: usize,
    resource_type: ResourceType,
    label: &str,
    changes: Memo<Vec<Change>>,
    set: F,
) -> impl IntoView + use<F> {
    let what = if resource_type == ResourceType::S3Object {
        "buckets"
    } else {
        "ARNs"
    };
    let list_id = list_id(resource_type.as_str());
    let arn_now = arn.to_owned();
    let only = move || {
        changes
            .get()
            .iter()
            .find_map(|c| match c {
                Change::DataRule {
                    trail_arn,
                    rule: n,
                    scope: RuleChange::Only(r),
                } if *trail_arn == arn_now && *n == rule => Some(r.join(", ")),
                _ => None,
            })
            .unwrap_or_default()
    };
    let arn = arn.to_owned();
    let on_change = move |ev: leptos::ev::Event| {
        let text = event_target_value(&ev);
        let like = Change::DataRule {
            trail_arn: arn.clone(),
            rule,
            scope: RuleChange::Drop,
        };
        let resources: Vec<String> = text
            .split(',')
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_owned)
            .collect();
        let next = (!resources.is_empty()).then(|| Change::DataRule {
            trail_arn: arn.clone(),
            rule,
            scope: RuleChange::Only(resources),
        });
        set(like, next);
    };
    view! {
        <label class="whatif-scope">
            <span class="visually-hidden">{format!("{label}: only these {what}")}</span>
            <input type="text" list=list_id placeholder=format!("only these {what}, comma-separated") prop:value=only on:change=on_change />
        </label>
    }
}

/// The what-if table: one row per trail with its controls.
#[component]
pub fn WhatIf(
    /// The trails as loaded (before any change).
    trails: Vec<BillingTrail>,
    /// The changes in the URL.
    changes: Memo<Vec<Change>>,
    /// The resources the store has data events on, by resource type (`AWS::S3::Object` → bucket names),
    /// offered when a rule is scoped.
    known: BTreeMap<String, Vec<String>>,
) -> impl IntoView {
    let datalists = known
        .into_iter()
        .map(|(resource_type, resources)| {
            let options = resources
                .into_iter()
                .map(|r| view! { <option value=r></option> })
                .collect_view();
            view! { <datalist id=list_id(&resource_type)>{options}</datalist> }
        })
        .collect_view();
    let navigate = use_navigate();
    let trails = StoredValue::new(trails);
    let go = Callback::new(move |next: Vec<Change>| {
        navigate(
            &format!("/billing{}", changes_query(&next)),
            NavigateOptions {
                replace: true,
                scroll: false,
                ..Default::default()
            },
        );
    });
    let set = move |like: Change, next: Option<Change>| {
        let next = trails.with_value(|t| replace_change(&changes.get(), t, &like, next));
        go.run(next);
    };
    let rows = trails.with_value(|all| {
        all.iter()
            .enumerate()
            .map(|(i, original)| {
                let arn = original.trail_arn.clone();
                let name = original.name.clone();
                let effective = move || {
                    trails.with_value(|t| apply_all(t, &changes.get()).get(i).cloned())
                };
                let off_change = Change::TrailOff { trail_arn: arn.clone() };
                let is_off = {
                    let off_change = off_change.clone();
                    move || changes.get().contains(&off_change)
                };
                let stopped = !original.is_logging;
                let on_toggle = {
                    let off_change = off_change.clone();
                    move |ev: leptos::ev::Event| {
                        let on = event_target_checked(&ev);
                        set(off_change.clone(), (!on).then(|| off_change.clone()));
                    }
                };
                let parse = move |text: String| text.parse::<Change>().ok();
                let arn_m = arn.clone();
                let on_management = move |ev: leptos::ev::Event| {
                    let like = Change::Management { trail_arn: arn_m.clone(), read: true, write: true };
                    set(like, parse(format!("management:{}@{}", event_target_value(&ev), arn_m)));
                };
                let arn_i = arn.clone();
                let on_insights = move |ev: leptos::ev::Event| {
                    let like = Change::Insights {
                        trail_arn: arn_i.clone(),
                        api_call_rate: false,
                        api_error_rate: false,
                        data_events: false,
                    };
                    set(like, parse(format!("insights:{}@{}", event_target_value(&ev), arn_i)));
                };
                let management = move || effective().map(|t| management_word(&t)).unwrap_or("none");
                let delivering = {
                    let is_off = is_off.clone();
                    move || !stopped && !is_off()
                };
                let insights = move || effective().map(|t| insights_words(&t)).unwrap_or_default();
                let data_rules = original
                    .selectors
                    .data
                    .iter()
                    .enumerate()
                    .filter(|(_, r)| r.read || r.write)
                    .map(|(rule, r)| {
                        let arn_d = arn.clone();
                        let like = Change::DataRule {
                            trail_arn: arn_d.clone(),
                            rule,
                            scope: RuleChange::Drop,
                        };
                        let current = move || {
                            changes.get().iter().find_map(|c| match c {
                                Change::DataRule { trail_arn, rule: n, scope } if *trail_arn == arn_d && *n == rule => Some(match scope {
                                    RuleChange::Drop => "drop".to_owned(),
                                    RuleChange::Only(b) => format!("only={}", b.join(",")),
                                    RuleChange::Except(b) => format!("except={}", b.join(",")),
                                }),
                                _ => None,
                            })
                            .unwrap_or_else(|| "keep".to_owned())
                        };
                        let arn_c = arn.clone();
                        let on_change = move |ev: leptos::ev::Event| {
                            let value = event_target_value(&ev);
                            let next = (value != "keep")
                                .then(|| parse(format!("data:{rule}:{value}@{arn_c}")))
                                .flatten();
                            set(like.clone(), next);
                        };
                        let label = format!("{} data rule {} ({})", name, rule + 1, r.resource_type.as_str());
                        let scope = scope_control(&arn, rule, r.resource_type.clone(), &label, changes, set);
                        let current2 = current.clone();
                        let custom = move || {
                            let c = current2();
                            (c != "keep" && c != "drop").then(|| view! { <option value=c.clone()>{c.clone()}</option> })
                        };
                        view! {
                            <label class="whatif-data">
                                <span class="visually-hidden">{label}</span>
                                <span aria-hidden="true">{format!("{} ", r.resource_type.as_str())}</span>
                                <select on:change=on_change prop:value=current>
                                    <option value="keep">"as configured"</option>
                                    <option value="drop">"dropped"</option>
                                    {custom}
                                </select>
                            </label>
                            {scope}
                        }
                    })
                    .collect_view();
                let insight_options = INSIGHTS_CHOICES
                    .iter()
                    .map(move |(v, l)| {
                        view! { <option value=*v selected=move || insights() == *v>{*l}</option> }
                    })
                    .collect_view();
                view! {
                    <tr>
                        <th scope="row">{name.clone()}</th>
                        <td>
                            <label>
                                <input type="checkbox" checked=delivering.clone() prop:checked=delivering disabled=stopped on:change=on_toggle />
                                <span class="visually-hidden">{format!("{name} delivers events")}</span>
                                {move || if stopped { " stopped" } else if is_off() { " off" } else { " on" }}
                            </label>
                        </td>
                        <td>
                            <label>
                                <span class="visually-hidden">{format!("{name} management events")}</span>
                                <select on:change=on_management prop:value=management>
                                    <option value="all" selected=move || management() == "all">"read and write"</option>
                                    <option value="read" selected=move || management() == "read">"read only"</option>
                                    <option value="write" selected=move || management() == "write">"write only"</option>
                                    <option value="none" selected=move || management() == "none">"none"</option>
                                </select>
                            </label>
                        </td>
                        <td>{data_rules}</td>
                        <td>
                            <label>
                                <span class="visually-hidden">{format!("{name} Insights")}</span>
                                <select on:change=on_insights prop:value=insights>{insight_options}</select>
                            </label>
                        </td>
                    </tr>
                }
            })
            .collect_view()
    });
    let reset = move |_| go.run(Vec::new());
    view! {
        <section class="whatif" aria-labelledby="whatif-title">
            <h2 id="whatif-title">"What if"</h2>
            <p class="hint">"Change a trail below: the estimate, the savings and the charts are recomputed in your browser, and the URL keeps the what-if so it can be shared."</p>
            <table>
                <thead>
                    <tr><th scope="col">"Trail"</th><th scope="col">"Logging"</th><th scope="col">"Management events"</th><th scope="col">"Data rules"</th><th scope="col">"Insights"</th></tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            {datalists}
            <button type="button" on:click=reset disabled=move || changes.get().is_empty()>"Reset the what-if"</button>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_control_replaces_its_own_change_and_drops_a_no_op() {
        let arn = "arn:aws:cloudtrail:us-east-1:111122223333:trail/a";
        let off: Change = format!("off@{arn}").parse().expect("off parses");
        let write: Change = format!("management:write@{arn}")
            .parse()
            .expect("write parses");
        let read: Change = format!("management:read@{arn}")
            .parse()
            .expect("read parses");
        let trails: Vec<BillingTrail> = Vec::new();
        let once = replace_change(
            &[off.clone(), write.clone()],
            &trails,
            &read,
            Some(read.clone()),
        );
        assert_eq!(once, vec![off.clone(), read.clone()]);
        assert_eq!(
            replace_change(&once, &trails, &off, None),
            vec![read.clone()]
        );
        assert_eq!(
            changes_query(&[off, read]),
            format!(
                "?change=off%40{}&change=management%3Aread%40{}",
                arn.replace(':', "%3A")
                    .replace('/', "%2F")
                    .replace('-', "%2D"),
                arn.replace(':', "%3A")
                    .replace('/', "%2F")
                    .replace('-', "%2D")
            )
        );
    }
}
