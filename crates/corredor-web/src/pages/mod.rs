//! Server-rendered pages: gather the data through `corredor-app`, build the view models of
//! `render`, return HTML.

use std::sync::OnceLock;

use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use corredor_app::{SituationalPicture, Unit};
use corredor_core::{Country, CountryCode, Nationality};

use crate::auth::Visitor;
use crate::render::chart::ChartSeries;
use crate::render::layout::{
    error_page, navigation, AccountView, ErrorKind, Page, SourceCredit, STYLESHEET,
};
use crate::render::map::{
    parse_outlines, CorridorMap, CountryOutlines, MapCountry, MapExtent, MapPlace, RouteStop,
};
use crate::render::picture::{CountryRow, PictureView, PlaceRow, TrendView};
use crate::render::{Lang, Translator};
use crate::AppState;

mod account;
mod alerts;
mod completeness;
mod forecasts;
mod form;
mod returns;
mod sharing;
mod signals;

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(picture_page))
        .merge(account::routes())
        .merge(alerts::routes())
        .merge(completeness::routes())
        .merge(forecasts::routes())
        .merge(returns::routes())
        .merge(signals::routes())
        .merge(sharing::routes())
        .route("/static/corredor.css", get(stylesheet))
        .fallback(not_found)
}

/// Built once: the translations and the country outlines never change while serving.
pub(crate) fn translator() -> &'static Translator {
    static TRANSLATOR: OnceLock<Translator> = OnceLock::new();
    TRANSLATOR
        .get_or_init(|| Translator::new().expect("the embedded message catalogues parse (tested)"))
}

fn outlines() -> Option<&'static CountryOutlines> {
    static OUTLINES: OnceLock<Option<CountryOutlines>> = OnceLock::new();
    OUTLINES
        .get_or_init(|| match parse_outlines(corredor_app::AMERICAS_GEOJSON) {
            Ok(outlines) => Some(outlines),
            Err(error) => {
                tracing::error!(%error, "the shipped country outlines do not parse; pages are drawn without the map");
                None
            }
        })
        .as_ref()
}

pub(crate) fn language(query: Option<&str>, headers: &HeaderMap) -> Lang {
    let lang = query.and_then(|query| {
        form_urlencoded::parse(query.as_bytes())
            .find(|(name, _)| name == "lang")
            .map(|(_, value)| value.into_owned())
    });
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok());
    Lang::from_query_or_accept(lang.as_deref(), accept)
}

/// The publishers of the data shown, credited in every page's footer.
fn sources() -> Vec<SourceCredit> {
    [
        ("Migración Colombia, via IOM Lighthouse Project", None),
        (
            "Servicio Nacional de Migración de Panamá",
            Some("https://www.migracion.gob.pa/"),
        ),
        (
            "Instituto Nacional de Migración de Honduras",
            Some("https://inm.gob.hn/"),
        ),
        (
            "Instituto Guatemalteco de Migración",
            Some("https://igm.gob.gt/"),
        ),
        (
            "Unidad de Política Migratoria, SEGOB México",
            Some("https://portales.segob.gob.mx/es/PoliticaMigratoria/"),
        ),
        (
            "U.S. Customs and Border Protection",
            Some("https://www.cbp.gov/newsroom/stats"),
        ),
        ("Compiled by the IOM Global Data Institute (gdidata)", None),
    ]
    .into_iter()
    .map(|(name, url)| SourceCredit {
        name: name.to_owned(),
        url: url.map(str::to_owned),
    })
    .collect()
}

pub(crate) fn html_response(status: StatusCode, markup: maud::Markup, lang: Lang) -> Response {
    let mut response = (status, Html(markup.into_string())).into_response();
    response.headers_mut().insert(
        header::CONTENT_LANGUAGE,
        header::HeaderValue::from_static(lang.code()),
    );
    response.headers_mut().insert(
        header::VARY,
        header::HeaderValue::from_static("accept-language"),
    );
    response
}

/// The page shown when the data of a page could not be read: the cause is logged with the
/// request's id, and the reader is given that id to quote, never the cause.
pub(crate) fn internal_error(
    lang: Lang,
    path: &str,
    headers: &HeaderMap,
    error: &corredor_app::AppError,
) -> Response {
    let request_id = headers
        .get("x-request-id")
        .and_then(|value| value.to_str().ok())
        .unwrap_or("-");
    tracing::error!(error = ?error, request_id, path, "a page could not be built");
    html_response(
        StatusCode::INTERNAL_SERVER_ERROR,
        error_page(translator(), lang, ErrorKind::Internal, path, request_id),
        lang,
    )
}

/// Calls `render` with the frame of a page (navigation, language switch, credits).
pub(crate) fn page_frame<T>(
    visitor: &Visitor,
    lang: Lang,
    title: &str,
    path: &str,
    query: Option<&str>,
    render: impl FnOnce(&Page<'_>) -> T,
) -> T {
    let nav = navigation(translator(), lang, path);
    let sources = sources();
    let account = account_view(visitor, lang);
    render(&Page {
        lang,
        title,
        path,
        query,
        navigation: &nav,
        sources: &sources,
        account: account.as_ref(),
    })
}

/// The header's view of the signed-in person, when the visitor has a session.
fn account_view(visitor: &Visitor, lang: Lang) -> Option<AccountView> {
    let session = visitor.session.as_ref()?;
    let translator = translator();
    let principal = &session.principal;
    Some(AccountView {
        name: session.display_name.clone(),
        description: format!(
            "{} · {}",
            translator.get(
                lang,
                &format!("role-{}", principal.role.code().replace('_', "-")),
                &[]
            ),
            principal.organisation
        ),
        csrf_token: session.csrf_token.clone(),
    })
}

async fn picture_page(
    State(state): State<AppState>,
    visitor: crate::auth::Visitor,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let lang = language(query.as_deref(), &headers);
    let translator = translator();
    match state.app.situational_picture(&visitor.caller).await {
        Ok(picture) => {
            let view = picture_view(translator, lang, &picture);
            let title = translator.get(lang, "picture-title", &[]);
            // The expected arrivals are a section of their own: the picture stands without them.
            let expected = match state
                .app
                .forecasts(
                    &visitor.caller,
                    &corredor_app::ForecastQuery {
                        total_only: true,
                        ..corredor_app::ForecastQuery::default()
                    },
                )
                .await
            {
                Ok(forecasts) => {
                    forecasts::picture_section(translator, lang, &forecasts, &picture.countries)
                }
                Err(error) => {
                    tracing::error!(error = ?error, "the expected arrivals could not be read");
                    maud::html! {}
                }
            };
            let surges = signals::picture_section(
                &state,
                &visitor.caller,
                translator,
                lang,
                &picture.countries,
            )
            .await;
            let returns = returns::picture_section(
                &state,
                &visitor.caller,
                translator,
                lang,
                &picture.countries,
            )
            .await;
            page_frame(&visitor, lang, &title, "/", query.as_deref(), |frame| {
                html_response(
                    StatusCode::OK,
                    crate::render::layout::page(
                        translator,
                        frame,
                        maud::html! {
                            (crate::render::picture::picture_main(translator, lang, outlines(), &view))
                            (expected)
                            (surges)
                            (returns)
                        },
                    ),
                    lang,
                )
            })
        }
        Err(error) => internal_error(lang, "/", &headers, &error),
    }
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        STYLESHEET,
    )
}

async fn not_found(uri: Uri, headers: HeaderMap) -> Response {
    if uri.path().starts_with("/api/") {
        return crate::error::ApiError(corredor_app::AppError::NotFound {
            what: format!("route {}", uri.path()),
        })
        .into_response();
    }
    let lang = language(uri.query(), &headers);
    html_response(
        StatusCode::NOT_FOUND,
        error_page(translator(), lang, ErrorKind::NotFound, uri.path(), ""),
        lang,
    )
}

pub(crate) fn country_name(countries: &[Country], code: CountryCode, lang: Lang) -> String {
    countries
        .iter()
        .find(|country| country.code == code)
        .map(|country| {
            if lang == Lang::Es {
                country.name_es.clone()
            } else {
                country.name_en.clone()
            }
        })
        .unwrap_or_else(|| code.to_string())
}

fn nationality_name(
    countries: &[Country],
    nationality: Option<Nationality>,
    lang: Lang,
    translator: &Translator,
) -> String {
    match nationality {
        Some(nationality) => match nationality.country() {
            Some(code) => country_name(countries, code, lang),
            None if nationality == Nationality::STATELESS => {
                translator.get(lang, "nationality-stateless", &[])
            }
            None => translator.get(lang, "nationality-unknown", &[]),
        },
        None => translator.get(lang, "nationality-unknown", &[]),
    }
}

/// Turns the app's picture into the page's view model, in the reader's language.
fn picture_view(translator: &Translator, lang: Lang, picture: &SituationalPicture) -> PictureView {
    let countries = &picture.countries;
    let name_of = |country: &Country| {
        if lang == Lang::Es {
            country.name_es.clone()
        } else {
            country.name_en.clone()
        }
    };
    let rows: Vec<CountryRow> = picture
        .nodes
        .iter()
        .map(|node| CountryRow {
            name: name_of(&node.country),
            measure: node.measure,
            latest: node.latest,
            latest_suppressed: node.latest_suppressed,
            year_before: node.year_before,
            year_before_suppressed: node.year_before_suppressed,
            transit_days_from_previous: node.transit_days_from_previous,
        })
        .collect();
    let places: Vec<PlaceRow> = picture
        .places
        .iter()
        .map(|summary| PlaceRow {
            name: summary.place.name.clone(),
            country: country_name(countries, summary.place.country, lang),
            measure: summary.measure,
            latest: summary.latest,
            suppressed: summary.suppressed,
        })
        .collect();
    let trends: Vec<TrendView> = picture
        .trends
        .iter()
        .map(|trend| TrendView {
            id: format!("trend-{}", trend.country.code.as_str().to_ascii_lowercase()),
            country: name_of(&trend.country),
            measure: trend.measure,
            series: trend
                .lines
                .iter()
                .map(|line| ChartSeries {
                    label: nationality_name(countries, line.nationality, lang, translator),
                    points: line
                        .points
                        .iter()
                        // A suppressed count is a gap in the line, never a 0.
                        .map(|point| {
                            let value = point.shown_value().map_or(f64::NAN, |value| value as f64);
                            (point.period.start(), value)
                        })
                        .collect(),
                })
                .collect(),
            events_not_people: trend.unit == Unit::Events,
        })
        .collect();
    PictureView {
        map: corridor_map(translator, lang, picture),
        countries: rows,
        places,
        trends,
    }
}

/// A count in a map mark's title: `<5`, or the explanation of a count hidden so that small
/// counts cannot be derived.
fn map_count(
    translator: &Translator,
    lang: Lang,
    count: u64,
    suppressed: Option<corredor_app::Suppressed>,
) -> String {
    match suppressed {
        None => crate::render::format::format_count(lang, count),
        Some(corredor_app::Suppressed::BelowThreshold) => {
            translator.get(lang, "suppressed-below-threshold", &[])
        }
        Some(corredor_app::Suppressed::Complementary) => format!(
            "– ({})",
            translator.get(lang, "suppressed-hidden-explanation", &[])
        ),
    }
}

fn corridor_map(
    translator: &Translator,
    lang: Lang,
    picture: &SituationalPicture,
) -> Option<CorridorMap> {
    let corridor = picture.corridor.as_ref()?;
    let find_place = |code: &corredor_core::PlaceCode| {
        picture.all_places.iter().find(|place| &place.code == code)
    };
    let mut route: Vec<RouteStop> = Vec::new();
    let mut marks = Vec::new();
    for (node, summary) in corridor.nodes().iter().zip(&picture.nodes) {
        // The route passes through the node's place nearest to the previous stop (the first
        // listed place for the first node), so it follows the flow rather than the list.
        let mut candidates = node.places.iter().filter_map(find_place);
        let first = match route.last() {
            None => candidates.next(),
            Some(previous) => candidates.min_by(|a, b| {
                let distance = |place: &corredor_core::Place| {
                    (place.latitude - previous.latitude).powi(2)
                        + (place.longitude - previous.longitude).powi(2)
                };
                distance(a).total_cmp(&distance(b))
            }),
        };
        let Some(first) = first else {
            continue;
        };
        route.push(RouteStop {
            name: first.name.clone(),
            latitude: first.latitude,
            longitude: first.longitude,
        });
        let has_place_counts = picture
            .places
            .iter()
            .any(|place| place.place.country == node.country);
        if let (false, Some((period, count)), Some(measure)) =
            (has_place_counts, summary.latest, summary.measure)
        {
            // A country that reports only national figures is drawn at its first corridor
            // place, and the mark says it is the national figure.
            marks.push(MapPlace {
                name: country_name(&picture.countries, node.country, lang),
                latitude: first.latitude,
                longitude: first.longitude,
                // A suppressed count is drawn as a small ring, not as a circle of its size.
                count: summary.latest_suppressed.is_none().then_some(count),
                title: format!(
                    "{} ({}): {} {}, {}",
                    country_name(&picture.countries, node.country, lang),
                    translator.get(lang, "map-national-total", &[]),
                    map_count(translator, lang, count, summary.latest_suppressed),
                    translator.measure(lang, measure),
                    crate::render::format::format_period(lang, &period)
                ),
            });
        }
    }
    for summary in &picture.places {
        let (period, count) = summary.latest;
        marks.push(MapPlace {
            name: summary.place.name.clone(),
            latitude: summary.place.latitude,
            longitude: summary.place.longitude,
            count: summary.suppressed.is_none().then_some(count),
            title: format!(
                "{}: {} {}, {}",
                summary.place.name,
                map_count(translator, lang, count, summary.suppressed),
                translator.measure(lang, summary.measure),
                crate::render::format::format_period(lang, &period)
            ),
        });
    }
    let on_route: Vec<CountryCode> = corridor.nodes().iter().map(|node| node.country).collect();
    let map_countries = picture
        .countries
        .iter()
        .filter(|country| country.rcm_status.is_some() || on_route.contains(&country.code))
        .map(|country| MapCountry {
            code: country.code,
            name: if lang == Lang::Es {
                country.name_es.clone()
            } else {
                country.name_en.clone()
            },
            rcm_member: country.rcm_status == Some(corredor_core::RcmStatus::Member),
            label: on_route.contains(&country.code),
        })
        .collect();
    Some(CorridorMap {
        id: "corridor-map".to_owned(),
        title: translator.get(lang, "picture-map-title", &[]),
        description: translator.get(lang, "picture-map-description", &[]),
        extent: MapExtent::CORRIDOR,
        countries: map_countries,
        route,
        places: marks,
    })
}
