//! Time-series line charts and sparklines as accessible SVG.
//!
//! A chart is an `<svg role="img">` named by its `<title>` and described by its `<desc>`
//! (`aria-labelledby` points at both), so a screen reader announces what the chart shows;
//! the description lists the series. The same numbers belong in a table on the page, which
//! is the page's job. Non-finite values are gaps, never errors.

use chrono::{Datelike, NaiveDate};
use maud::{html, Markup};

use crate::render::format::{format_number, month_short};
use crate::render::i18n::{Arg, Lang, Translator};
use crate::render::svg::{coordinate, push_point, SERIES_STYLES};

/// One line of a chart: a label and values by date (the start of each period).
#[derive(Debug, Clone, PartialEq)]
pub struct ChartSeries {
    pub label: String,
    pub points: Vec<(NaiveDate, f64)>,
}

/// The range a series was expected to stay within (e.g. a surge detector's threshold band).
#[derive(Debug, Clone, PartialEq)]
pub struct ExpectedBand {
    /// `(date, lower, upper)`.
    pub points: Vec<(NaiveDate, f64, f64)>,
}

/// A point where a signal was raised, drawn as a marker above the value.
#[derive(Debug, Clone, PartialEq)]
pub struct SignalMarker {
    pub date: NaiveDate,
    pub value: f64,
    /// The period as a reader writes it (e.g. "Aug 2023"), for the marker's title.
    pub period_label: String,
}

/// A time-series line chart.
#[derive(Debug, Clone, PartialEq)]
pub struct LineChart {
    /// Unique within the page: prefixes the ids that `aria-labelledby` refers to.
    pub id: String,
    pub title: String,
    pub description: String,
    /// What the vertical axis counts (e.g. "Irregular entries per month").
    pub y_label: String,
    pub series: Vec<ChartSeries>,
    pub expected_band: Option<ExpectedBand>,
    pub signals: Vec<SignalMarker>,
}

const WIDTH: f64 = 720.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 24.0;
const TOP: f64 = 32.0;
const PLOT_HEIGHT: f64 = 250.0;
const AXIS_SPACE: f64 = 34.0;
const LEGEND_ROW: f64 = 22.0;
const LEGEND_COLUMNS: usize = 3;
const FONT: &str = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif";

/// A linear mapping from data to SVG units.
#[derive(Debug, Clone, Copy)]
struct Scale {
    domain: (f64, f64),
    range: (f64, f64),
}

impl Scale {
    fn map(&self, value: f64) -> f64 {
        let (d0, d1) = self.domain;
        let (r0, r1) = self.range;
        r0 + (value - d0) / (d1 - d0) * (r1 - r0)
    }
}

/// Renders a line chart; a chart without any finite value renders a "no data" message in
/// the same frame, so the page keeps its layout.
pub fn line_chart(translator: &Translator, lang: Lang, chart: &LineChart) -> Markup {
    let title_id = format!("{}-title", chart.id);
    let desc_id = format!("{}-desc", chart.id);
    let labelledby = format!("{title_id} {desc_id}");
    let legend_text = chart
        .series
        .iter()
        .map(|series| series.label.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let description = if legend_text.is_empty() {
        chart.description.clone()
    } else {
        format!(
            "{} {}: {legend_text}.",
            chart.description,
            translator.get(lang, "chart-legend", &[])
        )
    };

    let Some(frame) = Frame::of(chart) else {
        let height = TOP + PLOT_HEIGHT + 16.0;
        return html! {
            svg xmlns="http://www.w3.org/2000/svg" class="chart chart--empty"
                viewBox=(format!("0 0 {WIDTH} {height}")) role="img" aria-labelledby=(labelledby)
                font-family=(FONT) font-size="13" {
                title id=(title_id) { (chart.title) }
                desc id=(desc_id) { (description) " " (translator.get(lang, "no-data-explanation", &[])) }
                rect x="0.5" y="0.5" width=(WIDTH - 1.0) height=(height - 1.0) fill="#f6f6f6" stroke="#767676" {}
                text x=(WIDTH / 2.0) y=(height / 2.0 - 6.0) text-anchor="middle" font-size="18" fill="#222" {
                    (translator.get(lang, "no-data", &[]))
                }
                text x=(WIDTH / 2.0) y=(height / 2.0 + 18.0) text-anchor="middle" fill="#444" {
                    (translator.get(lang, "no-data-explanation", &[]))
                }
            }
        };
    };

    let plot_bottom = TOP + PLOT_HEIGHT;
    let x = Scale {
        domain: frame.x_domain,
        range: (LEFT, WIDTH - RIGHT),
    };
    let y = Scale {
        domain: (
            frame.y_ticks[0],
            *frame.y_ticks.last().expect("at least two y ticks"),
        ),
        range: (plot_bottom, TOP),
    };
    let legend_items = chart.series.len()
        + usize::from(chart.expected_band.is_some())
        + usize::from(!chart.signals.is_empty());
    let legend_rows = legend_items.div_ceil(LEGEND_COLUMNS);
    let legend_top = plot_bottom + AXIS_SPACE;
    let height = legend_top + legend_rows as f64 * LEGEND_ROW + 6.0;
    let x_ticks = date_ticks(frame.x_domain, lang);
    let signal_title = |signal: &SignalMarker| {
        translator.get(
            lang,
            "chart-signal-title",
            &[
                ("period", Arg::Text(&signal.period_label)),
                ("value", Arg::Text(&format_number(lang, signal.value, 0))),
            ],
        )
    };

    html! {
        svg xmlns="http://www.w3.org/2000/svg" class="chart"
            viewBox=(format!("0 0 {WIDTH} {}", coordinate(height))) role="img"
            aria-labelledby=(labelledby) font-family=(FONT) font-size="13" {
            title id=(title_id) { (chart.title) }
            desc id=(desc_id) { (description) }
            text x=(LEFT) y=(TOP - 14.0) fill="#222" font-weight="600" { (chart.y_label) }
            // Horizontal grid lines and the y-axis labels.
            g {
                @for tick in &frame.y_ticks {
                    line x1=(LEFT) x2=(WIDTH - RIGHT) y1=(coordinate(y.map(*tick))) y2=(coordinate(y.map(*tick)))
                        stroke=(if *tick == 0.0 { "#444" } else { "#d4d4d4" }) stroke-width="1" {}
                    text x=(LEFT - 6.0) y=(coordinate(y.map(*tick) + 4.0)) text-anchor="end" fill="#333" {
                        (format_number(lang, *tick, frame.y_decimals))
                    }
                }
            }
            // The x-axis: a baseline, ticks and their labels.
            g {
                line x1=(LEFT) x2=(WIDTH - RIGHT) y1=(plot_bottom) y2=(plot_bottom) stroke="#444" {}
                @for (date, label) in &x_ticks {
                    @let at = coordinate(x.map(day_number(*date)));
                    line x1=(at) x2=(at) y1=(plot_bottom) y2=(plot_bottom + 5.0) stroke="#444" {}
                    text x=(at) y=(plot_bottom + 19.0) text-anchor="middle" fill="#333" { (label) }
                }
            }
            @if let Some(band) = &chart.expected_band {
                @if let Some(d) = band_path(band, x, y) {
                    path class="chart__band" d=(d) fill="#767676" fill-opacity="0.18" stroke="none" {
                        title { (translator.get(lang, "chart-expected-band", &[])) }
                    }
                }
            }
            @for (index, series) in chart.series.iter().enumerate() {
                @let (colour, dash) = SERIES_STYLES[index % SERIES_STYLES.len()];
                g class="chart__series" {
                    title { (series.label) }
                    @let (d, lone) = series_path(&series.points, x, y);
                    @if !d.is_empty() {
                        path d=(d) fill="none" stroke=(colour) stroke-width="2.2"
                            stroke-dasharray=[dash] stroke-linejoin="round" stroke-linecap="round" {}
                    }
                    @for (px, py) in lone {
                        circle cx=(coordinate(px)) cy=(coordinate(py)) r="3" fill=(colour) {}
                    }
                }
            }
            @for signal in &chart.signals {
                @if signal.value.is_finite() {
                    @let sx = x.map(day_number(signal.date));
                    @let sy = y.map(signal.value) - 6.0;
                    path class="chart__signal"
                        d=(format!("M{} {}l-6 -10h12z", coordinate(sx), coordinate(sy)))
                        fill="#000" stroke="#fff" stroke-width="1" {
                        title { (signal_title(signal)) }
                    }
                }
            }
            // The legend: a sample of each line's colour and dash, then the band and signals.
            g class="chart__legend" {
                @for (index, series) in chart.series.iter().enumerate() {
                    @let (colour, dash) = SERIES_STYLES[index % SERIES_STYLES.len()];
                    @let (lx, ly) = legend_position(index, legend_top);
                    line x1=(lx) x2=(lx + 28.0) y1=(ly) y2=(ly) stroke=(colour) stroke-width="3" stroke-dasharray=[dash] {}
                    text x=(lx + 34.0) y=(ly + 4.0) fill="#222" { (truncate(&series.label, 30)) }
                }
                @if chart.expected_band.is_some() {
                    @let (lx, ly) = legend_position(chart.series.len(), legend_top);
                    rect x=(lx) y=(ly - 6.0) width="28" height="12" fill="#767676" fill-opacity="0.18" {}
                    text x=(lx + 34.0) y=(ly + 4.0) fill="#222" { (translator.get(lang, "chart-expected-band", &[])) }
                }
                @if !chart.signals.is_empty() {
                    @let (lx, ly) = legend_position(legend_items - 1, legend_top);
                    path d=(format!("M{} {}l-6 -10h12z", lx + 14.0, ly + 5.0)) fill="#000" {}
                    text x=(lx + 34.0) y=(ly + 4.0) fill="#222" { (translator.get(lang, "chart-signal", &[])) }
                }
            }
        }
    }
}

/// A small line for a table cell: no axes, the last value marked. `label` names it for
/// screen readers (e.g. "Venezuela, Jan 2021 to Dec 2024"). Without finite values it renders
/// the "no data" words instead.
pub fn sparkline(translator: &Translator, lang: Lang, label: &str, values: &[f64]) -> Markup {
    const W: f64 = 96.0;
    const H: f64 = 24.0;
    let finite: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    let (Some(min), Some(max)) = (
        finite.iter().copied().reduce(f64::min),
        finite.iter().copied().reduce(f64::max),
    ) else {
        return html! { span class="no-data" { (translator.get(lang, "no-data", &[])) } };
    };
    let low = min.min(0.0);
    let high = if max > low { max } else { low + 1.0 };
    let x = Scale {
        domain: (0.0, (values.len().max(2) - 1) as f64),
        range: (2.0, W - 4.0),
    };
    let y = Scale {
        domain: (low, high),
        range: (H - 2.0, 2.0),
    };
    let mut d = String::new();
    let mut pen_down = false;
    let mut last = None;
    for (index, value) in values.iter().enumerate() {
        if !value.is_finite() {
            pen_down = false;
            continue;
        }
        d.push(if pen_down { 'L' } else { 'M' });
        push_point(&mut d, x.map(index as f64), y.map(*value));
        pen_down = true;
        last = Some((x.map(index as f64), y.map(*value)));
    }
    let (last_x, last_y) = last.expect("a finite value exists");
    html! {
        svg xmlns="http://www.w3.org/2000/svg" class="sparkline" viewBox=(format!("0 0 {W} {H}"))
            width=(W) height=(H) role="img" aria-label=(label) {
            title { (label) }
            path d=(d) fill="none" stroke="#0072B2" stroke-width="1.5" stroke-linejoin="round" {}
            circle cx=(coordinate(last_x)) cy=(coordinate(last_y)) r="2.2" fill="#0072B2" {}
        }
    }
}

/// What the axes span, from every finite value of the series, the band and the signals.
struct Frame {
    x_domain: (f64, f64),
    y_ticks: Vec<f64>,
    y_decimals: usize,
}

impl Frame {
    fn of(chart: &LineChart) -> Option<Frame> {
        let mut dates = Vec::new();
        let mut values = Vec::new();
        for series in &chart.series {
            for (date, value) in &series.points {
                if value.is_finite() {
                    dates.push(day_number(*date));
                    values.push(*value);
                }
            }
        }
        // Only the series decide whether there is anything to show: a band alone is no data.
        if values.is_empty() {
            return None;
        }
        if let Some(band) = &chart.expected_band {
            for (date, lower, upper) in &band.points {
                if lower.is_finite() && upper.is_finite() {
                    dates.push(day_number(*date));
                    values.extend([*lower, *upper]);
                }
            }
        }
        for signal in &chart.signals {
            if signal.value.is_finite() {
                dates.push(day_number(signal.date));
                values.push(signal.value);
            }
        }
        let first = dates.iter().copied().fold(f64::INFINITY, f64::min);
        let last = dates.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let x_domain = if last > first {
            (first, last)
        } else {
            (first - 15.0, last + 15.0)
        };
        let low = values.iter().copied().fold(0.0, f64::min);
        let high = values.iter().copied().fold(0.0, f64::max);
        let (y_ticks, step) = nice_ticks(low, high, 5);
        let y_decimals = if step >= 1.0 {
            0
        } else {
            (-step.log10().floor()) as usize
        };
        Some(Frame {
            x_domain,
            y_ticks,
            y_decimals,
        })
    }
}

/// Round tick values covering `[low, high]`, about `count` of them, and their step: the
/// "nice numbers" of Heckbert ("Nice numbers for graph labels", Graphics Gems, 1990), so the
/// axis reads 0, 20,000, 40,000… and its top is at or above the data maximum.
fn nice_ticks(low: f64, high: f64, count: usize) -> (Vec<f64>, f64) {
    let high = if high > low { high } else { low + 1.0 };
    let range = nice_number(high - low, false);
    let step = nice_number(range / (count.max(2) - 1) as f64, true);
    let first = (low / step).floor() * step;
    let last = (high / step).ceil() * step;
    let steps = ((last - first) / step).round() as usize;
    let ticks = (0..=steps.max(1))
        .map(|index| {
            let value = first + index as f64 * step;
            // Keep 0.30000000000000004 from reaching a label.
            (value / step).round() * step
        })
        .collect();
    (ticks, step)
}

fn nice_number(value: f64, round: bool) -> f64 {
    let exponent = value.log10().floor();
    let power = 10f64.powf(exponent);
    let fraction = value / power;
    let nice = if round {
        match fraction {
            f if f < 1.5 => 1.0,
            f if f < 3.0 => 2.0,
            f if f < 7.0 => 5.0,
            _ => 10.0,
        }
    } else {
        match fraction {
            f if f <= 1.0 => 1.0,
            f if f <= 2.0 => 2.0,
            f if f <= 5.0 => 5.0,
            _ => 10.0,
        }
    };
    nice * power
}

/// Days since 1970-01-01: the x-axis unit.
fn day_number(date: NaiveDate) -> f64 {
    f64::from(date.num_days_from_ce() - 719_163)
}

/// Ticks at round dates inside the domain: years for long spans, quarters or months for
/// shorter ones, weeks for a few weeks.
fn date_ticks((first, last): (f64, f64), lang: Lang) -> Vec<(NaiveDate, String)> {
    let start = date_of(first);
    let end = date_of(last);
    let span_days = last - first;
    let mut ticks = Vec::new();
    if span_days >= 2.5 * 365.0 {
        let years = f64::from(end.year() - start.year() + 1);
        let every = (years / 8.0).ceil().max(1.0) as i32;
        let mut year = start.year();
        while year <= end.year() {
            if let Some(date) = NaiveDate::from_ymd_opt(year, 1, 1) {
                if year % every == 0 && date >= start && date <= end {
                    ticks.push((date, year.to_string()));
                }
            }
            year += 1;
        }
    } else if span_days >= 45.0 {
        let every = if span_days >= 240.0 { 3 } else { 1 };
        let mut month_index = start.year() * 12 + start.month0() as i32;
        while let Some(date) = NaiveDate::from_ymd_opt(
            month_index.div_euclid(12),
            month_index.rem_euclid(12) as u32 + 1,
            1,
        ) {
            if date > end {
                break;
            }
            if date >= start && date.month0() % every == 0 {
                ticks.push((
                    date,
                    format!("{} {}", month_short(lang, date.month()), date.year()),
                ));
            }
            month_index += 1;
        }
    } else {
        let mut date = start;
        while date <= end {
            ticks.push((
                date,
                format!("{} {}", date.day(), month_short(lang, date.month())),
            ));
            match date.checked_add_days(chrono::Days::new(7)) {
                Some(next) => date = next,
                None => break,
            }
        }
    }
    ticks
}

fn date_of(day: f64) -> NaiveDate {
    NaiveDate::from_num_days_from_ce_opt(day as i32 + 719_163).unwrap_or_default()
}

/// The path of a series in date order, lifting the pen at gaps (non-finite values); points
/// with no neighbour are returned apart, to be drawn as dots.
fn series_path(points: &[(NaiveDate, f64)], x: Scale, y: Scale) -> (String, Vec<(f64, f64)>) {
    let mut sorted: Vec<&(NaiveDate, f64)> = points.iter().collect();
    sorted.sort_by_key(|(date, _)| *date);
    let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for (date, value) in sorted {
        if value.is_finite() {
            runs.last_mut()
                .expect("runs starts with one run")
                .push((x.map(day_number(*date)), y.map(*value)));
        } else if !runs.last().expect("runs is never empty").is_empty() {
            runs.push(Vec::new());
        }
    }
    let mut d = String::new();
    let mut lone = Vec::new();
    for run in runs {
        match run.as_slice() {
            [] => {}
            [single] => lone.push(*single),
            [head, rest @ ..] => {
                d.push('M');
                push_point(&mut d, head.0, head.1);
                d.push('L');
                for (px, py) in rest {
                    push_point(&mut d, *px, *py);
                }
            }
        }
    }
    (d, lone)
}

/// The band as one closed shape: along the upper bound forwards, back along the lower one.
fn band_path(band: &ExpectedBand, x: Scale, y: Scale) -> Option<String> {
    let mut points: Vec<&(NaiveDate, f64, f64)> = band
        .points
        .iter()
        .filter(|(_, lower, upper)| lower.is_finite() && upper.is_finite())
        .collect();
    if points.len() < 2 {
        return None;
    }
    points.sort_by_key(|(date, _, _)| *date);
    let mut d = String::from("M");
    for (index, (date, _, upper)) in points.iter().enumerate() {
        if index == 1 {
            d.push('L');
        }
        push_point(&mut d, x.map(day_number(*date)), y.map(*upper));
    }
    for (date, lower, _) in points.iter().rev() {
        push_point(&mut d, x.map(day_number(*date)), y.map(*lower));
    }
    d.push('Z');
    Some(d)
}

fn legend_position(index: usize, legend_top: f64) -> (f64, f64) {
    let column = index % LEGEND_COLUMNS;
    let row = index / LEGEND_COLUMNS;
    (
        LEFT + column as f64 * 210.0,
        legend_top + row as f64 * LEGEND_ROW + 8.0,
    )
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let mut short: String = text.chars().take(max - 1).collect();
        short.push('…');
        short
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn translator() -> Translator {
        Translator::new().expect("the embedded catalogues parse and agree")
    }

    fn month(year: i32, month: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(year, month, 1).expect("a valid month")
    }

    fn chart(series: Vec<ChartSeries>) -> LineChart {
        LineChart {
            id: "trend-pan".to_owned(),
            title: "Irregular entries in Panama, by nationality".to_owned(),
            description: "Monthly counts.".to_owned(),
            y_label: "Irregular entries per month".to_owned(),
            series,
            expected_band: None,
            signals: Vec::new(),
        }
    }

    fn monthly(label: &str, values: &[f64]) -> ChartSeries {
        ChartSeries {
            label: label.to_owned(),
            points: values
                .iter()
                .enumerate()
                .map(|(index, value)| {
                    (
                        month(2023, 1)
                            .checked_add_months(chrono::Months::new(index as u32))
                            .unwrap(),
                        *value,
                    )
                })
                .collect(),
        }
    }

    /// The numbers of the y-axis labels, read back from the SVG.
    fn y_axis_labels(svg: &str) -> Vec<f64> {
        svg.split("text-anchor=\"end\" fill=\"#333\">")
            .skip(1)
            .filter_map(|rest| rest.split('<').next())
            .map(|label| label.replace([',', '\u{202F}'], "").parse::<f64>().unwrap())
            .collect()
    }

    #[test]
    fn hostile_labels_are_escaped_everywhere() {
        let mut hostile = chart(vec![monthly("<script>alert(1)</script> & co", &[1.0, 2.0])]);
        hostile.title = "A \"title\" <b>".to_owned();
        hostile.id = "x\" onload=\"alert(1)".to_owned();
        let svg = line_chart(&translator(), Lang::En, &hostile).into_string();
        assert!(!svg.contains("<script>"), "{svg}");
        assert!(!svg.contains("<b>"), "{svg}");
        assert!(
            svg.contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co"),
            "{svg}"
        );
        assert!(!svg.contains("\" onload=\""), "{svg}");
    }

    #[test]
    fn the_y_axis_covers_the_data_maximum() {
        for max in [7.0, 99.0, 1_234.0, 82_000.0, 1_000_000.0, 0.4] {
            let svg = line_chart(
                &translator(),
                Lang::En,
                &chart(vec![monthly("A", &[0.0, max / 2.0, max])]),
            )
            .into_string();
            let labels = y_axis_labels(&svg);
            assert!(labels.len() >= 3, "{labels:?}");
            assert_eq!(labels[0], 0.0);
            let top = *labels.last().unwrap();
            assert!(top >= max && top <= max * 2.5, "{max}: {labels:?}");
        }
    }

    #[test]
    fn the_axis_counts_are_grouped_for_the_language() {
        let data = chart(vec![monthly("A", &[10_000.0, 50_000.0, 82_000.0])]);
        let english = line_chart(&translator(), Lang::En, &data).into_string();
        assert!(english.contains(">80,000<"), "{english}");
        let spanish = line_chart(&translator(), Lang::Es, &data).into_string();
        assert!(spanish.contains(">80\u{202F}000<"), "{spanish}");
        assert!(
            spanish.contains(">ene 2023<") && spanish.contains(">mar 2023<"),
            "{spanish}"
        );
    }

    #[test]
    fn an_empty_chart_says_no_data() {
        for series in [
            vec![],
            vec![monthly("A", &[])],
            vec![monthly("A", &[f64::NAN, f64::INFINITY])],
        ] {
            let svg = line_chart(&translator(), Lang::Es, &chart(series)).into_string();
            assert!(svg.contains(">Sin datos<"), "{svg}");
            assert!(svg.contains("role=\"img\""));
            crate::render::test_data::assert_well_formed(&svg);
        }
    }

    #[test]
    fn the_chart_is_named_and_described_for_screen_readers() {
        let svg = line_chart(
            &translator(),
            Lang::En,
            &chart(vec![
                monthly("Venezuela", &[5.0, 6.0]),
                monthly("Ecuador", &[1.0, 2.0]),
            ]),
        )
        .into_string();
        assert!(
            svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
            "{svg}"
        );
        crate::render::test_data::assert_well_formed(&svg);
        assert!(svg.contains("role=\"img\" aria-labelledby=\"trend-pan-title trend-pan-desc\""));
        assert!(svg.contains("<title id=\"trend-pan-title\">Irregular entries in Panama"));
        assert!(svg.contains("Legend: Venezuela, Ecuador.</desc>"), "{svg}");
        // Each line keeps its own colour and dash pattern.
        assert!(svg.contains("stroke=\"#0072B2\""));
        assert!(svg.contains("stroke=\"#D55E00\" stroke-width=\"2.2\" stroke-dasharray=\"7 3\""));
    }

    #[test]
    fn gaps_lift_the_pen_and_lone_points_become_dots() {
        let svg = line_chart(
            &translator(),
            Lang::En,
            &chart(vec![monthly(
                "A",
                &[1.0, 2.0, f64::NAN, 3.0, f64::NAN, 4.0, 5.0],
            )]),
        )
        .into_string();
        let path = svg.split("<g class=\"chart__series\">").nth(1).unwrap();
        assert_eq!(path.matches('M').count(), 2, "{path}");
        assert_eq!(path.matches("<circle").count(), 1, "{path}");
    }

    #[test]
    fn the_band_and_signals_are_drawn_with_titles() {
        let mut data = chart(vec![monthly("A", &[100.0, 120.0, 400.0])]);
        data.expected_band = Some(ExpectedBand {
            points: vec![(month(2023, 1), 80.0, 140.0), (month(2023, 3), 90.0, 150.0)],
        });
        data.signals = vec![SignalMarker {
            date: month(2023, 3),
            value: 400.0,
            period_label: "Mar 2023".to_owned(),
        }];
        let svg = line_chart(&translator(), Lang::En, &data).into_string();
        assert!(svg.contains("class=\"chart__band\""));
        assert!(svg.contains("<title>Expected range</title>"));
        assert!(
            svg.contains("<title>Signal: Mar 2023, 400</title>"),
            "{svg}"
        );
        assert!(svg.contains(">Signal</text>"));
    }

    #[test]
    fn year_ticks_label_long_monthly_series() {
        let ticks = date_ticks(
            (day_number(month(2021, 1)), day_number(month(2024, 12))),
            Lang::En,
        );
        let labels: Vec<&str> = ticks.iter().map(|(_, label)| label.as_str()).collect();
        assert_eq!(labels, ["2021", "2022", "2023", "2024"]);
    }

    #[test]
    fn sparklines_mark_the_last_value_and_handle_no_data() {
        let translator = translator();
        let svg = sparkline(
            &translator,
            Lang::En,
            "Venezuela & co",
            &[1.0, 5.0, f64::NAN, 3.0],
        )
        .into_string();
        assert!(svg.contains("aria-label=\"Venezuela &amp; co\""), "{svg}");
        assert_eq!(svg.matches('M').count(), 2, "{svg}");
        assert!(svg.contains("<circle"));
        let empty = sparkline(&translator, Lang::Es, "x", &[f64::NAN]).into_string();
        assert_eq!(empty, "<span class=\"no-data\">Sin datos</span>");
    }

    proptest! {
        #[test]
        fn any_finite_non_negative_data_renders_with_the_maximum_on_the_axis(
            values in proptest::collection::vec(prop_oneof![0.0..10.0f64, 0.0..1e9f64, Just(0.0)], 0..40),
            series_count in 1usize..9,
        ) {
            let translator = translator();
            let series: Vec<ChartSeries> = (0..series_count)
                .map(|index| monthly(&format!("S{index}"), &values))
                .collect();
            let svg = line_chart(&translator, Lang::En, &chart(series)).into_string();
            prop_assert!(svg.ends_with("</svg>"));
            crate::render::test_data::assert_well_formed(&svg);
            prop_assert!(!svg.contains("NaN") && !svg.contains("inf"));
            if let Some(max) = values.iter().copied().reduce(f64::max) {
                let labels = y_axis_labels(&svg);
                let top = labels.last().copied().unwrap_or(0.0);
                // Labels carry as many decimals as the step, so they are exact.
                prop_assert!(top >= max, "{max} {labels:?}");
            } else {
                prop_assert!(svg.contains("No data"));
            }
        }
    }
}
