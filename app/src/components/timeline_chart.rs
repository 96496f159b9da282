//! The activity timeline: one pure function draws it with plotters as an SVG string. The server runs it for
//! the first paint; the browser runs the same code when filters change.
use crate::model::activity::Timeline;
use crate::model::format::group_digits;
use crate::model::time::{DAY, format_span, utc_parts};
use leptos::prelude::*;
use plotters::prelude::*;

// Keep in step with the legend colours in style/main.css (`.legend i.read` …): the page's CSP allows no
// inline styles.
/// Read events' colour (`.legend i.read` in style/main.css).
pub const READ_COLOR: RGBColor = RGBColor(76, 120, 168);
/// Write events' colour (`.legend i.write` in style/main.css).
pub const WRITE_COLOR: RGBColor = RGBColor(245, 133, 24);
/// Colour of events without `readOnly` (`.legend i.other` in style/main.css).
pub const OTHER_COLOR: RGBColor = RGBColor(160, 160, 160);
/// Errors' colour (`.legend i.error-line` in style/main.css).
pub const ERROR_COLOR: RGBColor = RGBColor(200, 30, 45);

const WIDTH: u32 = 960;
const HEIGHT: u32 = 280;

/// An x-axis label: the date for day buckets, the time of day for ranges within a day, else both.
fn time_label(time: i64, bucket_secs: i64, span_secs: i64) -> String {
    let p = utc_parts(time);
    if bucket_secs >= DAY {
        format!("{:02}-{:02}", p.month, p.day)
    } else if span_secs <= DAY {
        format!("{:02}:{:02}", p.hour, p.minute)
    } else {
        format!("{:02}-{:02} {:02}:{:02}", p.month, p.day, p.hour, p.minute)
    }
}

/// Draws `timeline` as stacked bars (read, write, other) with errors as a red line, as an SVG document.
pub fn render_timeline_svg(timeline: &Timeline) -> String {
    let mut svg = String::new();
    if let Err(error) = draw(timeline, &mut svg) {
        return format!("<p class=\"error\">Chart could not be drawn: {error}</p>");
    }
    svg
}

fn draw(t: &Timeline, svg: &mut String) -> Result<(), String> {
    let root = SVGBackend::with_string(svg, (WIDTH, HEIGHT)).into_drawing_area();
    let e = |error: DrawingAreaErrorKind<_>| error.to_string();
    root.fill(&WHITE).map_err(e)?;
    let peak = t
        .buckets
        .iter()
        .map(|b| b.total())
        .max()
        .unwrap_or(0)
        .max(1);
    let top = peak + peak / 10 + 1;
    // x is the bucket index, so axis ticks fall on bucket boundaries rather than on round numbers of seconds.
    let buckets = t.buckets.len().max(1) as i64;
    let time_at = |x: i64| t.start + x * t.bucket_secs;
    let mut chart = ChartBuilder::on(&root)
        .margin(8)
        .x_label_area_size(26)
        .y_label_area_size(60)
        .build_cartesian_2d((0..buckets).into_segmented(), 0u64..top)
        .map_err(e)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(RGBColor(235, 235, 235))
        .x_labels(8)
        .y_labels(5)
        .x_label_formatter(&|x| match x {
            SegmentValue::Exact(i) | SegmentValue::CenterOf(i) => {
                time_label(time_at(*i), t.bucket_secs, t.end - t.start)
            }
            SegmentValue::Last => String::new(),
        })
        .y_label_formatter(&|y| group_digits(*y))
        .label_style(("sans-serif", 15))
        .draw()
        .map_err(e)?;
    for (x, b) in (0..).zip(&t.buckets) {
        let (x0, x1) = (SegmentValue::Exact(x), SegmentValue::Exact(x + 1));
        let layers = [
            (b.read, READ_COLOR),
            (b.write, WRITE_COLOR),
            (b.other, OTHER_COLOR),
        ];
        let mut base = 0;
        for (count, color) in layers {
            if count > 0 {
                chart
                    .draw_series(std::iter::once(Rectangle::new(
                        [(x0.clone(), base), (x1.clone(), base + count)],
                        color.filled(),
                    )))
                    .map_err(e)?;
                base += count;
            }
        }
    }
    if t.totals.errors > 0 {
        let points: Vec<(SegmentValue<i64>, u64)> = (0..)
            .zip(&t.buckets)
            .map(|(x, b)| (SegmentValue::CenterOf(x), b.errors))
            .collect();
        chart
            .draw_series(LineSeries::new(
                points.iter().cloned(),
                ERROR_COLOR.stroke_width(2),
            ))
            .map_err(e)?;
        chart
            .draw_series(
                points
                    .iter()
                    .filter(|(_, e)| *e > 0)
                    .map(|p| Circle::new(p.clone(), 2, ERROR_COLOR.filled())),
            )
            .map_err(e)?;
    }
    root.present().map_err(e)?;
    Ok(())
}

/// The timeline as a stacked SVG chart (read, write, other; errors as a line), described for screen readers.
#[component]
pub fn TimelineChart(
    /// The buckets to draw.
    timeline: Timeline,
) -> impl IntoView {
    let description = format!(
        "Events per {} from {} to {}: {} in total, {} with errors",
        format_span(timeline.bucket_secs),
        crate::model::time::format_minute(timeline.start),
        crate::model::time::format_minute(timeline.end),
        group_digits(timeline.totals.events),
        group_digits(timeline.totals.errors),
    );
    let svg = render_timeline_svg(&timeline);
    view! {
        <figure class="timeline">
            <div class="chart" role="img" aria-label=description inner_html=svg></div>
            <figcaption class="legend">
                <span><i class="read"></i>"Read"</span>
                <span><i class="write"></i>"Write"</span>
                <span><i class="other"></i>"Other (no readOnly)"</span>
                <span><i class="line error-line"></i>"Errors"</span>
                <span class="bucket">{format!("one bar = {}", format_span(timeline.bucket_secs))}</span>
            </figcaption>
        </figure>
    }
}

/// The timeline as a table: the text alternative to the chart.
#[component]
pub fn TimelineTable(
    /// The buckets to list.
    timeline: Timeline,
) -> impl IntoView {
    let rows = timeline
        .buckets
        .into_iter()
        .filter(|b| b.total() > 0)
        .map(|b| {
            view! {
                <tr>
                    <td>{crate::model::time::format_minute(b.start)}</td>
                    <td class="num">{group_digits(b.read)}</td>
                    <td class="num">{group_digits(b.write)}</td>
                    <td class="num">{group_digits(b.other)}</td>
                    <td class="num">{group_digits(b.errors)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <details class="timeline-table">
            <summary>"Timeline as a table (buckets with events)"</summary>
            <table>
                <thead>
                    <tr><th scope="col">"Bucket start"</th><th scope="col">"Read"</th><th scope="col">"Write"</th><th scope="col">"Other"</th><th scope="col">"Errors"</th></tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </details>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::activity::TimelineBucket;

    #[test]
    fn draws_one_bar_layer_per_non_empty_series_and_marks_errors() {
        let buckets = vec![
            TimelineBucket {
                start: 0,
                read: 5,
                write: 2,
                other: 0,
                errors: 1,
            },
            TimelineBucket {
                start: 3_600,
                read: 0,
                write: 0,
                other: 0,
                errors: 0,
            },
            TimelineBucket {
                start: 7_200,
                read: 1,
                write: 0,
                other: 3,
                errors: 0,
            },
        ];
        let t = Timeline::from_sparse(0, 10_800, 3_600, buckets);
        let svg = render_timeline_svg(&t);
        assert!(svg.starts_with("<svg"), "{svg}");
        let bars = |c: RGBColor| {
            svg.matches(&format!("fill=\"#{:02X}{:02X}{:02X}\"", c.0, c.1, c.2))
                .count()
        };
        assert_eq!(
            (bars(READ_COLOR), bars(WRITE_COLOR), bars(OTHER_COLOR)),
            (2, 1, 1),
            "{svg}"
        );
        assert!(
            svg.contains("stroke=\"#C81E2D\""),
            "errors are drawn as a red line: {svg}"
        );
    }

    #[test]
    fn labels_carry_the_date_when_the_range_spans_days() {
        assert_eq!(time_label(7 * 3_600, 3_600, 3 * DAY), "01-01 07:00");
        assert_eq!(time_label(7 * 3_600, 60, 3_600), "07:00");
        assert_eq!(time_label(DAY, DAY, 120 * DAY), "01-02");
    }

    #[test]
    fn an_empty_timeline_still_draws_axes() {
        let t = Timeline::from_sparse(0, 3_600, 60, Vec::new());
        let svg = render_timeline_svg(&t);
        assert!(svg.starts_with("<svg"), "{svg}");
        assert!(
            svg.contains(">\n00:00\n<") && svg.contains(">\n00:30\n<"),
            "the time axis of a range within a day shows times: {svg}"
        );
        assert!(
            !svg.contains("#C81E2D") && !svg.contains("#4C78A8"),
            "no bars and no error line: {svg}"
        );
    }
}
