//! A JSON document as a tree: objects and arrays are `<details>` (open to `open_depth`), leaves are typed so
//! the stylesheet can colour them. Server-rendered, so it reads and folds without JavaScript.
use leptos::prelude::*;
use serde_json::Value;

#[component]
pub fn JsonTree(value: Value, #[prop(default = 2)] open_depth: usize) -> impl IntoView {
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
    match value {
        Value::Object(map) if !map.is_empty() => {
            let items = map.iter().map(|(k, v)| (k.clone(), v)).collect();
            let size = format!("{{{}}}", map.len());
            view! {
                <details open=depth < open_depth>
                    <summary>{key_view}<span class="json-size">{size}</span></summary>
                    <ul>{children(items)}</ul>
                </details>
            }
            .into_any()
        }
        Value::Array(list) if !list.is_empty() => {
            let items = list
                .iter()
                .enumerate()
                .map(|(i, v)| (i.to_string(), v))
                .collect();
            let size = format!("[{}]", list.len());
            view! {
                <details open=depth < open_depth>
                    <summary>{key_view}<span class="json-size">{size}</span></summary>
                    <ul>{children(items)}</ul>
                </details>
            }
            .into_any()
        }
        leaf => {
            let class = match leaf {
                Value::String(_) => "json-string",
                Value::Number(_) => "json-number",
                Value::Bool(_) => "json-bool",
                _ => "json-null",
            };
            view! { <span class="json-leaf">{key_view}<span class=class>{leaf.to_string()}</span></span> }
                .into_any()
        }
    }
}
