//! The Billing page's breakdown: subtotals per trail, account, Region and line item, then every line,
//! each opening (a `<details>`) to its formula with its inputs: events, the rate with its source and
//! confidence, and whether the volumes were measured (over which window) or entered.
use crate::model::billing::{
    Basis, Confidence, Estimate, Line, LineItem, MicroUsd, Prices, Subtotal, group_thousands,
};
use leptos::prelude::*;

/// Lines shown at most, the costliest first; the rest are in `/api/billing/lines.csv`.
pub const MAX_LINES_SHOWN: usize = 300;

/// The words of a price's confidence, e.g. "secondary source".
pub fn confidence_label(c: Confidence) -> &'static str {
    match c {
        Confidence::Primary => "AWS pricing page or documentation",
        Confidence::Secondary => "secondary source only",
        Confidence::Configured => "set in the configuration",
    }
}

/// The CSS class of a basis, so measured and entered figures look different as well as read differently.
pub fn basis_class(b: Basis) -> &'static str {
    match b {
        Basis::Measured { .. } => "basis basis-measured",
        Basis::Entered => "basis basis-entered",
        Basis::Assumed => "basis basis-assumed",
        Basis::Mixed => "basis basis-mixed",
    }
}

fn money_cell(m: MicroUsd) -> impl IntoView {
    view! { <td class="num" data-micro-usd=m.0.to_string()>{m.display()}</td> }
}

fn subtotal_table(
    title: &'static str,
    id: &'static str,
    rows: &[Subtotal],
) -> impl IntoView + use<> {
    let rows = rows
        .iter()
        .map(|s| view! { <tr><th scope="row">{s.name.clone()}</th>{money_cell(s.cost)}</tr> })
        .collect_view();
    view! {
        <table class="subtotals" data-testid=id>
            <caption>{title}</caption>
            <thead><tr><th scope="col">"Name"</th><th scope="col">"Per month"</th></tr></thead>
            <tbody>{rows}</tbody>
        </table>
    }
}

/// Subtotals per trail, account, Region and line item.
#[component]
pub fn Subtotals(
    /// The estimate.
    estimate: Memo<Estimate>,
) -> impl IntoView {
    move || {
        estimate.with(|e| {
            let trails = e
                .trails
                .iter()
                .map(|t| {
                    let state = if t.is_logging { "" } else { " (off)" };
                    view! {
                        <tr data-trail=t.name.clone()>
                            <th scope="row">{format!("{}{state}", t.name)}</th>
                            <td>{format!("{} · {}", t.home_account, t.home_region)}</td>
                            {money_cell(t.cost)}
                        </tr>
                    }
                })
                .collect_view();
            let items = e
                .items
                .iter()
                .map(|i| {
                    view! {
                        <tr>
                            <th scope="row">{i.item.label()}</th>
                            <td class="num">{group_thousands(i64::try_from(i.quantity).unwrap_or(i64::MAX))}</td>
                            {money_cell(i.cost)}
                        </tr>
                    }
                })
                .collect_view();
            view! {
                <div class="billing-subtotals">
                    <table class="subtotals" data-testid="per-trail">
                        <caption>"Per trail"</caption>
                        <thead><tr><th scope="col">"Trail"</th><th scope="col">"Account · home Region"</th><th scope="col">"Per month"</th></tr></thead>
                        <tbody>{trails}</tbody>
                    </table>
                    <table class="subtotals" data-testid="per-item">
                        <caption>"Per line item"</caption>
                        <thead><tr><th scope="col">"Line item"</th><th scope="col">"Quantity (events or bytes)"</th><th scope="col">"Per month"</th></tr></thead>
                        <tbody>{items}</tbody>
                    </table>
                    {subtotal_table("Per account", "per-account", &e.accounts)}
                    {subtotal_table("Per Region", "per-region", &e.regions)}
                </div>
            }
        })
    }
}

/// One line: its summary, and when opened its formula and inputs.
fn line_view(e: &Estimate, line: &Line, prices: &Prices) -> impl IntoView + use<> {
    let name = |v: &[Subtotal], i: usize| v.get(i).map_or_else(String::new, |s| s.name.clone());
    let trail = e
        .trails
        .get(line.trail)
        .map_or_else(String::new, |t| t.name.clone());
    let region = name(&e.regions, line.region);
    let account = name(&e.accounts, line.account);
    let item = match line.item {
        LineItem::PaidCopy => format!(
            "{} ({} copy)",
            line.item.label(),
            crate::model::billing::ordinal(line.copy)
        ),
        _ => line.item.label().to_owned(),
    };
    let figure = line
        .item
        .price_item()
        .and_then(|p| prices.figure(p, &region));
    let price = figure.map(|f| {
        let marked = f.confidence != Confidence::Primary;
        view! {
            <div>
                <dt>"Price"</dt>
                <dd class:low-confidence=marked>
                    {format!("{} — {}: ", line.rate.display(), confidence_label(f.confidence))}
                    <span class="source">{f.source.clone()}</span>
                    {(!f.note.is_empty()).then(|| format!(" ({})", f.note))}
                </dd>
            </div>
        }
    });
    let summary = format!("{trail} · {account} · {region} · {item}");
    view! {
        <li>
            <details>
                <summary>
                    <span>{summary}</span>
                    " "
                    <span class=basis_class(line.basis)>{line.basis.label()}</span>
                    " "
                    <strong data-micro-usd=line.cost.0.to_string()>{line.cost.display()}</strong>
                </summary>
                <p class="formula">{e.formula(line)}</p>
                <dl class="formula-inputs">
                    <div><dt>"Read events"</dt><dd>{group_thousands(i64::try_from(line.read_events).unwrap_or(i64::MAX))}</dd></div>
                    <div><dt>"Write events"</dt><dd>{group_thousands(i64::try_from(line.write_events).unwrap_or(i64::MAX))}</dd></div>
                    <div><dt>"Quantity"</dt><dd>{group_thousands(i64::try_from(line.quantity).unwrap_or(i64::MAX))}</dd></div>
                    {price}
                    <div><dt>"Volumes"</dt><dd class=basis_class(line.basis)>{line.basis.label()}</dd></div>
                </dl>
            </details>
        </li>
    }
}

/// Every line, the costliest first (at most [`MAX_LINES_SHOWN`]), each opening to its formula.
#[component]
pub fn Lines(
    /// The estimate.
    estimate: Memo<Estimate>,
    /// The prices, for each line's source and confidence.
    prices: Prices,
) -> impl IntoView {
    move || {
        estimate.with(|e| {
            let mut order: Vec<&Line> = e.lines.iter().collect();
            order.sort_by_key(|l| std::cmp::Reverse(l.cost));
            let more = order.len().saturating_sub(MAX_LINES_SHOWN);
            let items = order
                .into_iter()
                .take(MAX_LINES_SHOWN)
                .map(|l| line_view(e, l, &prices))
                .collect_view();
            view! {
                <ul class="billing-lines" data-testid="lines">{items}</ul>
                {(more > 0).then(|| view! {
                    <p class="hint">{format!("{more} smaller lines are not shown: ")}<a href="/api/billing/lines.csv" rel="external">"every line as CSV"</a></p>
                })}
            }
        })
    }
}
