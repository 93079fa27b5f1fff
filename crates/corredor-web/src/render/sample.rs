//! Renders the situational picture from the real public data shipped in `data/real` and the
//! reference data in `data/reference`, in both languages, and writes the pages to the
//! temporary directory (`corredor-sample-es.html`, `corredor-sample-en.html`) for a person
//! to look at in a browser.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use corredor_core::{CountryCode, Measure, Period};

use crate::render::chart::ChartSeries;
use crate::render::layout::{navigation, Page, SourceCredit};
use crate::render::map::{parse_outlines, CorridorMap, MapCountry, MapExtent, MapPlace, RouteStop};
use crate::render::picture::{situational_picture, CountryRow, PictureView, TrendView};
use crate::render::test_data::read;
use crate::render::{Lang, Translator};

/// Monthly counts by nationality: month → nationality → count.
type Monthly = BTreeMap<NaiveDate, HashMap<String, u64>>;

/// Reads a file with the columns `t` (YYYY-MM), `nat` and `n`.
fn monthly_by_nationality(path: &str) -> Monthly {
    let text = read(&[
        path,
        &format!("../shared/{}", path.trim_start_matches("data/")),
    ]);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().expect("a header line").clone();
    let column = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .expect("the column exists")
    };
    let (t, nat, n) = (column("t"), column("nat"), column("n"));
    let mut monthly = Monthly::new();
    for (line, record) in reader.records().enumerate() {
        let record = record.unwrap_or_else(|error| panic!("{path} line {}: {error}", line + 2));
        let date = NaiveDate::parse_from_str(&format!("{}-01", &record[t]), "%Y-%m-%d")
            .unwrap_or_else(|error| panic!("{path} line {}: {error}", line + 2));
        let count: u64 = record[n]
            .parse()
            .unwrap_or_else(|error| panic!("{path} line {}: {error}", line + 2));
        *monthly
            .entry(date)
            .or_default()
            .entry(record[nat].to_owned())
            .or_default() += count;
    }
    monthly
}

struct Names {
    countries: HashMap<String, (String, String, bool)>,
}

impl Names {
    fn load() -> Names {
        let text = read(&["data/reference/countries.csv"]);
        let mut reader = csv::Reader::from_reader(text.as_bytes());
        let countries = reader
            .records()
            .map(|record| {
                let record = record.expect("countries.csv is valid CSV");
                (
                    record[0].to_owned(),
                    (
                        record[1].to_owned(),
                        record[2].to_owned(),
                        &record[3] == "member",
                    ),
                )
            })
            .collect();
        Names { countries }
    }

    fn name(&self, lang: Lang, code: &str) -> String {
        match (self.countries.get(code), lang) {
            (Some((english, _, _)), Lang::En) => english.clone(),
            (Some((_, spanish, _)), Lang::Es) => spanish.clone(),
            (None, Lang::En) if code == "OOO" => "Other".to_owned(),
            (None, Lang::Es) if code == "OOO" => "Otras".to_owned(),
            (None, _) => code.to_owned(),
        }
    }
}

fn trend(
    names: &Names,
    lang: Lang,
    country: &str,
    monthly: &Monthly,
    from: NaiveDate,
    to: NaiveDate,
) -> TrendView {
    let window: Vec<(&NaiveDate, &HashMap<String, u64>)> = monthly.range(from..=to).collect();
    let mut totals: HashMap<&str, u64> = HashMap::new();
    for (_, counts) in &window {
        for (nationality, count) in *counts {
            *totals.entry(nationality.as_str()).or_default() += count;
        }
    }
    let mut top: Vec<(&str, u64)> = totals.into_iter().filter(|(n, _)| *n != "OOO").collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    top.truncate(5);
    TrendView {
        id: format!("trend-{}", country.to_lowercase()),
        country: names.name(lang, country),
        measure: Measure::IrregularEntry,
        series: top
            .iter()
            .map(|(nationality, _)| ChartSeries {
                label: names.name(lang, nationality),
                points: window
                    .iter()
                    .map(|(date, counts)| {
                        (
                            **date,
                            counts.get(*nationality).copied().unwrap_or(0) as f64,
                        )
                    })
                    .collect(),
            })
            .collect(),
        events_not_people: false,
    }
}

fn latest(monthly: &Monthly) -> (Period, u64, Option<u64>) {
    let (date, counts) = monthly.iter().next_back().expect("the file has data");
    let total = counts.values().sum();
    let year_before = date
        .checked_sub_months(chrono::Months::new(12))
        .and_then(|before| monthly.get(&before))
        .map(|counts| counts.values().sum());
    (
        Period::containing(*date, corredor_core::Granularity::Month),
        total,
        year_before,
    )
}

fn render(translator: &Translator, lang: Lang) -> String {
    let names = Names::load();
    let from = NaiveDate::from_ymd_opt(2021, 1, 1).expect("a date");
    let to = NaiveDate::from_ymd_opt(2024, 12, 1).expect("a date");
    let data = [
        (
            "PAN",
            monthly_by_nationality("data/real/darien-panama-snm/irreg_darien_nat.csv"),
            "PA-BCH",
        ),
        (
            "HND",
            monthly_by_nationality("data/real/honduras-inm-irregular/irreg_honduras_nat.csv"),
            "HN-DNL",
        ),
        (
            "MEX",
            monthly_by_nationality("data/real/mexico-upm-irregular/irreg_mexico_nat.csv"),
            "MX-TAP",
        ),
    ];
    let corridor: serde_json::Value =
        serde_json::from_str(&read(&["data/reference/corridors.json"]))
            .expect("corridors.json is JSON");
    let nodes = corridor[0]["nodes"]
        .as_array()
        .expect("the corridor has nodes");
    let legs = corridor[0]["legs"]
        .as_array()
        .expect("the corridor has legs");
    let places_text = read(&["data/reference/places.csv"]);
    let mut places = HashMap::new();
    for record in csv::Reader::from_reader(places_text.as_bytes()).records() {
        let record = record.expect("places.csv is valid CSV");
        let coordinates: (f64, f64) = (
            record[5].parse().expect("latitude"),
            record[6].parse().expect("longitude"),
        );
        places.insert(
            record[0].to_owned(),
            (record[1].to_owned(), record[2].to_owned(), coordinates),
        );
    }

    let measure = translator
        .measure(lang, Measure::IrregularEntry)
        .to_lowercase();
    let mut countries = Vec::new();
    let mut map_places = Vec::new();
    let mut route = Vec::new();
    for (index, node) in nodes.iter().enumerate() {
        let code = node["country"].as_str().expect("a country code");
        let node_places: Vec<&str> = node["places"]
            .as_array()
            .expect("places")
            .iter()
            .filter_map(|p| p.as_str())
            .collect();
        let reported = data.iter().find(|(country, _, _)| *country == code);
        let summary = reported.map(|(_, monthly, _)| latest(monthly));
        countries.push(CountryRow {
            name: names.name(lang, code),
            measure: reported.map(|_| Measure::IrregularEntry),
            latest: summary.map(|(period, count, _)| (period, count)),
            latest_suppressed: None,
            year_before: summary.and_then(|(_, _, before)| before),
            year_before_suppressed: None,
            transit_days_from_previous: index
                .checked_sub(1)
                .and_then(|previous| legs[previous]["typical_transit_days"].as_u64())
                .map(|days| days as u16),
        });
        // The route goes through each country's place nearest to the previous stop, so it
        // reaches the US border at the sector the flow crosses rather than at California.
        let previous: Option<(f64, f64)> =
            route.last().map(|s: &RouteStop| (s.latitude, s.longitude));
        let distance = |(latitude, longitude): (f64, f64)| match previous {
            Some((lat, lon)) => (latitude - lat).powi(2) + (longitude - lon).powi(2),
            None => 0.0,
        };
        let nearest = node_places
            .iter()
            .filter_map(|p| places.get(*p))
            .min_by(|a, b| distance(a.2).total_cmp(&distance(b.2)));
        if let Some((name, _, (latitude, longitude))) = nearest {
            route.push(RouteStop {
                name: name.clone(),
                latitude: *latitude,
                longitude: *longitude,
            });
        }
        for place in node_places {
            let Some((name, _, (latitude, longitude))) = places.get(place) else {
                continue;
            };
            let count = reported.filter(|(_, _, at)| *at == place).and(summary);
            let title = match count {
                Some((period, count, _)) => format!(
                    "{name}: {} {measure}, {}",
                    crate::render::format::format_count(lang, count),
                    crate::render::format::format_period(lang, &period)
                ),
                None => format!("{name}: {}", translator.get(lang, "no-data", &[])),
            };
            map_places.push(MapPlace {
                name: name.clone(),
                latitude: *latitude,
                longitude: *longitude,
                count: count.map(|c| c.1),
                title,
            });
        }
    }
    let map = CorridorMap {
        id: "corridor-map".to_owned(),
        title: translator.get(lang, "picture-map-title", &[]),
        description: translator.get(lang, "picture-map-description", &[]),
        extent: MapExtent::CORRIDOR,
        countries: names
            .countries
            .iter()
            .filter_map(|(code, (english, spanish, member))| {
                Some(MapCountry {
                    code: CountryCode::parse(code).ok()?,
                    name: if lang == Lang::En {
                        english.clone()
                    } else {
                        spanish.clone()
                    },
                    rcm_member: *member,
                    label: nodes.iter().any(|n| n["country"] == code.as_str()),
                })
            })
            .collect(),
        route,
        places: map_places,
    };
    let view = PictureView {
        map: Some(map),
        countries,
        places: Vec::new(),
        trends: data
            .iter()
            .map(|(code, monthly, _)| trend(&names, lang, code, monthly, from, to))
            .collect(),
    };
    let outlines = parse_outlines(&read(&["data/reference/americas-countries-110m.geojson"]))
        .expect("outlines parse");
    let navigation = navigation(translator, lang, "/");
    let sources = [
        SourceCredit {
            name: "Servicio Nacional de Migración de Panamá".to_owned(),
            url: Some("https://www.migracion.gob.pa/".to_owned()),
        },
        SourceCredit {
            name: "Instituto Nacional de Migración de Honduras".to_owned(),
            url: None,
        },
        SourceCredit {
            name: "Unidad de Política Migratoria, México".to_owned(),
            url: None,
        },
    ];
    let title = translator.get(lang, "picture-title", &[]);
    situational_picture(
        translator,
        &Page {
            lang,
            title: &title,
            path: "/",
            query: None,
            navigation: &navigation,
            account: None,
            sources: &sources,
        },
        Some(&outlines),
        &view,
    )
    .into_string()
}

#[test]
fn the_situational_picture_renders_the_real_data_in_both_languages() {
    let translator = Translator::new().expect("the embedded catalogues parse and agree");
    for lang in Lang::ALL {
        let html = render(&translator, lang);
        let path = std::env::temp_dir().join(format!("corredor-sample-{}.html", lang.code()));
        std::fs::write(&path, &html).expect("the temporary directory is writable");
        assert!(html.contains(&format!("<html lang=\"{}\">", lang.code())));
        assert_eq!(
            html.matches("class=\"chart\"").count(),
            3,
            "one trend chart per reporting country"
        );
        assert!(html.contains("class=\"map\""));
        assert!(!html.contains("NaN") && !html.contains("inf\""));
        assert!(html.len() < 200_000, "{} bytes", html.len());
        // Venezuela is the top nationality through the Darién in 2021–2024.
        let legend = if lang == Lang::En {
            "Legend: Venezuela, "
        } else {
            "Leyenda: Venezuela, "
        };
        let panama = html
            .split("id=\"trend-pan-desc\"")
            .nth(1)
            .expect("Panama's chart");
        assert!(panama
            .split("</desc>")
            .next()
            .unwrap_or_default()
            .contains(legend));
    }
}
