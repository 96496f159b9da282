//! A JSON document as a tree: objects and arrays are `<details>` (open to `open_depth`), leaves are typed so
//! the stylesheet can colour them. Server-rendered, so it reads and folds without JavaScript.
use leptos::prelude::*;
use serde_json::Value;

/// A JSON value as a tree of collapsible objects and arrays.
#[component]
pub fn JsonTree(
    /// The value to show, e.g. a CloudTrail record.
    value: Value,
    /// Levels open at first; deeper ones start closed.
    #[prop(default = 2)]
    open_depth: usize,
) -> impl IntoView {
    view! { <div class="json-tree">{node(None, &value, 0, open_depth)}</div> }
}

fn node(key: Option<String>, value: &Value, depth: usize, open_depth: usize) -> AnyView {
    let key_view = key.map(|k| view! { <span class="json-key">{k}</span>": " });
    let children = |items: Vec<(String, &Value)>| {
        items
            .into_iter()
            .map(|(k, v)| view! { <li>{node(Some(k), v, depth + 1, open_depth)}</li> })
            .collect_view()
    };
    let branch: Option<(Vec<(String, &Value)>, String)> = match value {
        Value::Object(map) if !map.is_empty() => Some((
            map.iter().map(|(k, v)| (k.clone(), v)).collect(),
            format!("{{{}}}", map.len()),
        )),
        Value::Array(list) if !list.is_empty() => Some((
            list.iter()
                .enumerate()
                .map(|(i, v)| (i.to_string(), v))
                .collect(),
            format!("[{}]", list.len()),
        )),
        _ => None,
    };
    match branch {
        Some((items, size)) => view! {
            <details open=depth < open_depth>
                <summary>{key_view}<span class="json-size">{size}</span></summary>
                <ul>{children(items)}</ul>
            </details>
        }
        .into_any(),
        None => {
            let class = match value {
                Value::String(_) => "json-string",
                Value::Number(_) => "json-number",
                Value::Bool(_) => "json-bool",
                _ => "json-null",
            };
            view! { <span class="json-leaf">{key_view}<span class=class>{value.to_string()}</span></span> }
                .into_any()
        }
    }
}
