//! The Billing page's charts, drawn with plotters as SVG strings by pure functions (the server draws them
//! for the first paint, the browser again on every what-if): cost per trail stacked by line item, the
//! monthly event volumes per Region, and the events per day by kind that drive the cost. Each is a
//! [`ChartShell`]: the figure with its legend, and a table as its text alternative.
use crate::model::billing::{
    DailyVolume, Estimate, Inputs, LineItem, MicroUsd, VolumeKind, compact_count,
};
use crate::model::format::group_digits;
use leptos::prelude::*;
use plotters::prelude::*;
use std::collections::BTreeMap;

const WIDTH: u32 = 960;
const HEIGHT: u32 = 300;

/// Each line item's colour, in [`LineItem::ALL`] order. Keep in step with `.legend i.li-*` in
/// style/main.css (the page's CSP allows no inline styles).
pub const ITEM_COLORS: [RGBColor; 8] = [
    RGBColor(190, 190, 190),
    RGBColor(245, 133, 24),
    RGBColor(76, 120, 168),
    RGBColor(114, 183, 178),
    RGBColor(228, 87, 86),
    RGBColor(178, 121, 162),
    RGBColor(84, 162, 75),
    RGBColor(157, 117, 93),
];

/// Each volume kind's colour, in [`VolumeKind::ALL`] order (`.legend i.vol-*` in style/main.css).
const VOLUME_COLORS: [RGBColor; 4] = [
    RGBColor(76, 120, 168),
    RGBColor(245, 133, 24),
    RGBColor(84, 162, 75),
    RGBColor(178, 121, 162),
];

/// The CSS class of a line item's legend swatch, e.g. `li-paid_copy`.
pub fn item_class(item: LineItem) -> String {
    format!("li-{}", item_key(item))
}

fn item_key(item: LineItem) -> &'static str {
    match item {
        LineItem::FreeCopy => "free_copy",
        LineItem::PaidCopy => "paid_copy",
        LineItem::DataEvents => "data_events",
        LineItem::NetworkActivity => "network_activity",
        LineItem::InsightsManagement => "insights_management",
        LineItem::InsightsData => "insights_data",
        LineItem::CloudWatchLogs => "cloudwatch_logs",
        LineItem::S3Storage => "s3_storage",
    }
}

/// Cost per trail and line item: `[trail][item in LineItem::ALL order]`.
pub fn cost_per_trail(e: &Estimate) -> Vec<[MicroUsd; 8]> {
    let mut out = vec![[MicroUsd::ZERO; 8]; e.trails.len()];
    for line in &e.lines {
        if let Some(row) = out.get_mut(line.trail) {
            row[line.item as usize] += line.cost;
        }
    }
    out
}

/// Events per month per Region and volume kind (in [`VolumeKind::ALL`] order).
pub fn volumes_per_region(inputs: &Inputs) -> BTreeMap<String, [u64; 4]> {
    let mut out: BTreeMap<String, [u64; 4]> = BTreeMap::new();
    for v in &inputs.volumes {
        out.entry(v.region.clone()).or_default()[VolumeKind::of(&v.class) as usize] +=
            v.events_per_month;
    }
    out
}

/// Stacked bars: one bar per label, one layer per colour. Values in any unit; `y_label` formats them.
fn stacked_svg(
    labels: &[String],
    layers: &[Vec<u64>],
    colors: &[RGBColor],
    y_label: &dyn Fn(&u64) -> String,
) -> String {
    let mut svg = String::new();
    let result = (|| -> Result<(), String> {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        let e = |error: DrawingAreaErrorKind<_>| error.to_string();
        root.fill(&WHITE).map_err(e)?;
        let peak = layers
            .iter()
            .map(|l| l.iter().sum::<u64>())
            .max()
            .unwrap_or(0)
            .max(1);
        let top = peak + peak / 10 + 1;
        let bars = labels.len().max(1) as i64;
        let mut chart = ChartBuilder::on(&root)
            .margin(8)
            .x_label_area_size(30)
            .y_label_area_size(80)
            .build_cartesian_2d((0..bars).into_segmented(), 0u64..top)
            .map_err(e)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(RGBColor(235, 235, 235))
            .x_labels(labels.len().clamp(1, 20))
            .y_labels(5)
            .x_label_formatter(&|x| match x {
                SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => usize::try_from(*i)
                    .ok()
                    .and_then(|i| labels.get(i))
                    .cloned()
                    .unwrap_or_default(),
                SegmentValue::Last => String::new(),
            })
            .y_label_formatter(y_label)
            .label_style(("sans-serif", 14))
            .draw()
            .map_err(e)?;
        for (x, layer) in (0..).zip(layers) {
            let mut base = 0;
            for (value, color) in layer.iter().zip(colors) {
                if *value > 0 {
                    chart
                        .draw_series(std::iter::once(Rectangle::new(
                            [
                                (SegmentValue::Exact(x), base),
                                (SegmentValue::Exact(x + 1), base + value),
                            ],
                            color.filled(),
                        )))
                        .map_err(e)?;
                    base += value;
                }
            }
        }
        root.present().map_err(e)
    })();
    match result {
        Ok(()) => svg,
        Err(error) => format!("<p class=\"error\">Chart could not be drawn: {error}</p>"),
    }
}

/// The cost-per-trail chart as an SVG document (micro-dollars on the y axis, shown as dollars).
pub fn render_cost_svg(e: &Estimate) -> String {
    let labels: Vec<String> = e.trails.iter().map(|t| t.name.clone()).collect();
    let layers: Vec<Vec<u64>> = cost_per_trail(e)
        .iter()
        .map(|row| row.iter().map(|c| c.0.max(0).unsigned_abs()).collect())
        .collect();
    stacked_svg(&labels, &layers, &ITEM_COLORS, &|y| {
        MicroUsd(i64::try_from(*y).unwrap_or(i64::MAX)).display()
    })
}

/// The volumes-per-Region chart as an SVG document.
pub fn render_volumes_svg(inputs: &Inputs) -> String {
    let per_region = volumes_per_region(inputs);
    let labels: Vec<String> = per_region.keys().cloned().collect();
    let layers: Vec<Vec<u64>> = per_region.values().map(|v| v.to_vec()).collect();
    stacked_svg(&labels, &layers, &VOLUME_COLORS, &|y| compact_count(*y))
}

/// The events-per-day chart as an SVG document: one bar per day (`MM-DD`), stacked by kind.
pub fn render_daily_svg(days: &[DailyVolume]) -> String {
    let labels: Vec<String> = days.iter().map(|d| day_label(d.day_secs)).collect();
    let layers: Vec<Vec<u64>> = days.iter().map(|d| d.events.to_vec()).collect();
    stacked_svg(&labels, &layers, &VOLUME_COLORS, &|y| compact_count(*y))
}

/// `YYYY-MM-DD` of a day's first second.
fn day_label(day_secs: i64) -> String {
    let (y, m, d) =
        crate::model::time::civil_from_days(day_secs.div_euclid(crate::model::time::DAY));
    format!("{y:04}-{m:02}-{d:02}")
}

/// The volume kinds' legend entries.
fn volume_legend() -> Vec<(String, &'static str)> {
    VolumeKind::ALL
        .iter()
        .map(|k| (format!("vol-{}", k.key()), k.label()))
        .collect()
}

/// A chart's figure (its SVG behind `role="img"` with a description, and a legend of colour swatches) and,
/// below it, the same figures as a table that opens (`children`): the shell every Billing chart shares.
#[component]
pub fn ChartShell(
    /// What the chart shows, in words (its accessible name).
    #[prop(into)]
    description: Signal<String>,
    /// The SVG document.
    #[prop(into)]
    svg: Signal<String>,
    /// (CSS class of the swatch, label) per colour.
    legend: Vec<(String, &'static str)>,
    /// The summary of the table's disclosure, e.g. "Cost per trail as a table".
    table_title: &'static str,
    /// The table.
    children: Children,
) -> impl IntoView {
    let legend = legend
        .into_iter()
        .map(|(class, label)| view! { <span><i class=class></i>{label}</span> })
        .collect_view();
    view! {
        <figure class="timeline billing-chart">
            <div class="chart" role="img" aria-label=description inner_html=svg></div>
            <figcaption class="legend">{legend}</figcaption>
        </figure>
        <details class="timeline-table">
            <summary>{table_title}</summary>
            {children()}
        </details>
    }
}

/// Cost per trail stacked by line item, with its table.
#[component]
pub fn CostChart(
    /// The estimate to draw, recomputed on every what-if.
    estimate: Memo<Estimate>,
) -> impl IntoView {
    let svg = Signal::derive(move || estimate.with(render_cost_svg));
    let description = Signal::derive(move || {
        estimate.with(|e| {
            let parts: Vec<String> = e
                .trails
                .iter()
                .map(|t| format!("{} {}", t.name, t.cost.display()))
                .collect();
            format!(
                "Monthly cost per trail, stacked by line item: {}",
                parts.join(", ")
            )
        })
    });
    let legend = LineItem::ALL
        .iter()
        .map(|&item| (item_class(item), item.label()))
        .collect();
    let rows = move || {
        estimate.with(|e| {
            e.trails
                .iter()
                .zip(cost_per_trail(e))
                .map(|(t, row)| {
                    let cells = row
                        .iter()
                        .map(|c| view! { <td class="num">{c.display()}</td> })
                        .collect_view();
                    view! {
                        <tr><th scope="row">{t.name.clone()}</th>{cells}<td class="num">{t.cost.display()}</td></tr>
                    }
                })
                .collect_view()
        })
    };
    let heads = LineItem::ALL
        .iter()
        .map(|item| view! { <th scope="col">{item.label()}</th> })
        .collect_view();
    view! {
        <ChartShell description svg legend table_title="Cost per trail as a table">
            <table>
                <thead><tr><th scope="col">"Trail"</th>{heads}<th scope="col">"Total"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </ChartShell>
    }
}

/// The header cells of a volume table: the first column's name, then each kind.
fn volume_heads(first: &'static str, total: bool) -> impl IntoView + use<> {
    let kinds = VolumeKind::ALL
        .iter()
        .map(|k| view! { <th scope="col">{k.label()}</th> })
        .collect_view();
    view! { <tr><th scope="col">{first}</th>{kinds}{total.then(|| view! { <th scope="col">"Total"</th> })}</tr> }
}

/// The monthly event volumes per Region by kind, with its table. The volumes do not change with a
/// what-if (they are what happens in the accounts, whatever the trails deliver).
#[component]
pub fn VolumeChart(
    /// The model's inputs.
    inputs: Inputs,
) -> impl IntoView {
    let per_region = volumes_per_region(&inputs);
    let svg = render_volumes_svg(&inputs);
    let description = format!(
        "Events per month per Region by class, in {} Regions",
        per_region.len()
    );
    let rows = per_region
        .into_iter()
        .map(|(region, v)| {
            view! {
                <tr>
                    <th scope="row">{region}</th>
                    {v.iter().map(|n| view! { <td class="num">{group_digits(*n)}</td> }).collect_view()}
                </tr>
            }
        })
        .collect_view();
    view! {
        <ChartShell description svg legend=volume_legend() table_title="Event volumes per Region as a table">
            <table>
                <thead>{volume_heads("Region", false)}</thead>
                <tbody>{rows}</tbody>
            </table>
        </ChartShell>
    }
}

/// The events of each of the last 30 days by kind, as counted (not scaled), with its table: which events
/// the estimate comes from, and whether a day stands out.
#[component]
pub fn DailyVolumeChart(
    /// The days, oldest first.
    days: Vec<DailyVolume>,
) -> impl IntoView {
    if days.is_empty() {
        return view! { <p class="empty" data-testid="daily-empty">"No events stored in the last 30 days: nothing to chart per day."</p> }.into_any();
    }
    let svg = render_daily_svg(&days);
    let total: u64 = days.iter().map(DailyVolume::total).sum();
    let description = format!(
        "Events per day by kind over {} days: {} in all",
        days.len(),
        group_digits(total)
    );
    let rows = days
        .iter()
        .map(|d| {
            view! {
                <tr>
                    <th scope="row">{day_label(d.day_secs)}</th>
                    {d.events.iter().map(|n| view! { <td class="num">{group_digits(*n)}</td> }).collect_view()}
                    <td class="num">{group_digits(d.total())}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <ChartShell description svg legend=volume_legend() table_title="Events per day as a table">
            <table data-testid="daily-table">
                <thead>{volume_heads("Day (UTC)", true)}</thead>
                <tbody>{rows}</tbody>
            </table>
        </ChartShell>
    }
    .into_any()
}
