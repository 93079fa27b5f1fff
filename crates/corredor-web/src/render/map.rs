//! The corridor map as SVG: country outlines from GeoJSON, the corridor's route, and the
//! places where counts are made.
//!
//! Projection: equirectangular with its standard parallel at the middle latitude of the
//! extent (Snyder, "Map Projections: A Working Manual", USGS 1987, ch. 12): x = λ·cos φ₁,
//! y = −φ. Between 5° S and 35° N the corridor's shapes are distorted by at most ~10% in
//! area against a conformal projection, which is invisible at this scale, and the formula
//! needs no library. Outlines are clipped to the extent (Sutherland–Hodgman) and rounded to
//! a tenth of an SVG unit, which keeps the map of the corridor far under 60 KB.

use maud::{html, Markup};
use serde_json::Value;

use corredor_core::CountryCode;

use crate::render::i18n::{Arg, Lang, Translator};
use crate::render::svg::{coordinate, push_point};
use crate::render::RenderError;

/// Country outlines parsed once from GeoJSON; reuse them for every map.
#[derive(Debug, Clone, PartialEq)]
pub struct CountryOutlines {
    pub countries: Vec<CountryOutline>,
}

/// One country's outline: polygons, each a list of rings (the first the outer boundary,
/// the others holes) of `(longitude, latitude)` in degrees.
#[derive(Debug, Clone, PartialEq)]
pub struct CountryOutline {
    /// ISO 3166-1 alpha-3, from the feature's `properties.iso_a3` or `id`.
    pub code: String,
    /// The name in the file (English), used when the map is given no other.
    pub name: String,
    /// The file's `rcm_status` is `member`.
    pub rcm_member: bool,
    pub polygons: Vec<Vec<Vec<(f64, f64)>>>,
}

/// The part of the world a map shows, in degrees.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MapExtent {
    pub west: f64,
    pub south: f64,
    pub east: f64,
    pub north: f64,
}

impl MapExtent {
    /// From the south of Colombia to north of the United States' southern border, and from
    /// the Pacific coast of California to the east of Colombia.
    pub const CORRIDOR: MapExtent = MapExtent {
        west: -118.5,
        south: -4.5,
        east: -66.0,
        north: 34.5,
    };

    /// The smallest extent holding the points `(latitude, longitude)`, widened by `margin`
    /// degrees on every side; `None` without any valid point.
    pub fn around(points: impl IntoIterator<Item = (f64, f64)>, margin: f64) -> Option<MapExtent> {
        let mut extent: Option<MapExtent> = None;
        for (latitude, longitude) in points {
            if !(latitude.is_finite() && longitude.is_finite()) {
                continue;
            }
            let e = extent.get_or_insert(MapExtent {
                west: longitude,
                south: latitude,
                east: longitude,
                north: latitude,
            });
            e.west = e.west.min(longitude);
            e.east = e.east.max(longitude);
            e.south = e.south.min(latitude);
            e.north = e.north.max(latitude);
        }
        extent.map(|e| MapExtent {
            west: (e.west - margin).max(-180.0),
            south: (e.south - margin).max(-90.0),
            east: (e.east + margin).min(180.0),
            north: (e.north + margin).min(90.0),
        })
    }
}

/// How a country is named and shaded on a map, in the page's language.
#[derive(Debug, Clone, PartialEq)]
pub struct MapCountry {
    pub code: CountryCode,
    pub name: String,
    pub rcm_member: bool,
    /// Write the name on the map (the corridor's countries).
    pub label: bool,
}

/// A stop of the corridor's route, in order.
#[derive(Debug, Clone, PartialEq)]
pub struct RouteStop {
    pub name: String,
    pub latitude: f64,
    pub longitude: f64,
}

/// A place where counts are made.
#[derive(Debug, Clone, PartialEq)]
pub struct MapPlace {
    pub name: String,
    pub latitude: f64,
    pub longitude: f64,
    /// The latest count: the circle's area is proportional to it. `None`: a small ring.
    pub count: Option<u64>,
    /// What the mark says to a reader who points at it or uses a screen reader (e.g.
    /// "Lajas Blancas: 12,345 irregular entries, Aug 2023").
    pub title: String,
}

/// Everything a corridor map shows.
#[derive(Debug, Clone, PartialEq)]
pub struct CorridorMap {
    /// Unique within the page: prefixes the ids that `aria-labelledby` refers to.
    pub id: String,
    pub title: String,
    pub description: String,
    pub extent: MapExtent,
    /// Names and shading; countries of the outlines not listed keep the file's name.
    pub countries: Vec<MapCountry>,
    pub route: Vec<RouteStop>,
    pub places: Vec<MapPlace>,
}

/// The map's width in SVG units; the height follows from the extent.
pub const MAP_WIDTH: f64 = 800.0;
const MAX_RADIUS: f64 = 16.0;
const MIN_RADIUS: f64 = 2.5;
const LEGEND_HEIGHT: f64 = 70.0;

/// An equirectangular projection of an extent onto `[0, width] × [0, height]`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Projection {
    extent: MapExtent,
    scale: f64,
    cos_parallel: f64,
    pub width: f64,
    pub height: f64,
}

impl Projection {
    /// Fits `extent` into `width` SVG units; degenerate extents are widened to one degree.
    pub fn fit(extent: MapExtent, width: f64) -> Projection {
        let mut extent = extent;
        if extent.east - extent.west < 1.0 {
            extent.east = extent.west + 1.0;
        }
        if extent.north - extent.south < 1.0 {
            extent.north = extent.south + 1.0;
        }
        let cos_parallel = ((extent.north + extent.south) / 2.0).to_radians().cos();
        let scale = width / ((extent.east - extent.west) * cos_parallel);
        let height = (extent.north - extent.south) * scale;
        Projection {
            extent,
            scale,
            cos_parallel,
            width,
            height,
        }
    }

    /// SVG `(x, y)` of a point; y grows southwards.
    pub fn project(&self, latitude: f64, longitude: f64) -> (f64, f64) {
        (
            (longitude - self.extent.west) * self.cos_parallel * self.scale,
            (self.extent.north - latitude) * self.scale,
        )
    }
}

/// Reads a GeoJSON FeatureCollection of countries (Polygon and MultiPolygon geometries).
/// Features without a geometry are skipped; anything malformed is an error naming the
/// feature and what is wrong.
pub fn parse_outlines(geojson: &str) -> Result<CountryOutlines, RenderError> {
    let root: Value = serde_json::from_str(geojson).map_err(|error| RenderError::GeoJson {
        location: format!("line {}, column {}", error.line(), error.column()),
        reason: error.to_string(),
    })?;
    let features = root
        .get("features")
        .and_then(Value::as_array)
        .ok_or_else(|| RenderError::GeoJson {
            location: "the document".to_owned(),
            reason: "it is not a FeatureCollection with a `features` array".to_owned(),
        })?;
    let mut countries = Vec::with_capacity(features.len());
    for (index, feature) in features.iter().enumerate() {
        let properties = feature.get("properties");
        let text = |key: &str| {
            properties
                .and_then(|p| p.get(key))
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        let code = text("iso_a3")
            .or_else(|| feature.get("id").and_then(Value::as_str).map(str::to_owned))
            .unwrap_or_default();
        let location = format!("feature {index} ({code})");
        let error = |reason: &str| RenderError::GeoJson {
            location: location.clone(),
            reason: reason.to_owned(),
        };
        let Some(geometry) = feature.get("geometry").filter(|g| !g.is_null()) else {
            continue;
        };
        let coordinates = geometry
            .get("coordinates")
            .ok_or_else(|| error("the geometry has no coordinates"))?;
        let polygons = match geometry.get("type").and_then(Value::as_str) {
            Some("Polygon") => vec![polygon(coordinates).map_err(|why| error(&why))?],
            Some("MultiPolygon") => coordinates
                .as_array()
                .ok_or_else(|| error("MultiPolygon coordinates are not an array"))?
                .iter()
                .map(polygon)
                .collect::<Result<_, _>>()
                .map_err(|why| error(&why))?,
            other => {
                return Err(error(&format!(
                    "the geometry type is {other:?}, not Polygon or MultiPolygon"
                )))
            }
        };
        countries.push(CountryOutline {
            name: text("name").unwrap_or_else(|| code.clone()),
            rcm_member: text("rcm_status").as_deref() == Some("member"),
            code,
            polygons,
        });
    }
    Ok(CountryOutlines { countries })
}

fn polygon(value: &Value) -> Result<Vec<Vec<(f64, f64)>>, String> {
    let rings = value
        .as_array()
        .ok_or("a polygon is not an array of rings")?;
    rings
        .iter()
        .map(|ring| {
            ring.as_array()
                .ok_or_else(|| "a ring is not an array of positions".to_owned())?
                .iter()
                .map(|position| match position.as_array().map(Vec::as_slice) {
                    Some([lon, lat, ..]) => match (lon.as_f64(), lat.as_f64()) {
                        (Some(lon), Some(lat))
                            if (-180.0..=180.0).contains(&lon) && (-90.0..=90.0).contains(&lat) =>
                        {
                            Ok((lon, lat))
                        }
                        _ => Err(format!(
                            "the position {position} is not a longitude and latitude"
                        )),
                    },
                    _ => Err(format!(
                        "the position {position} is not [longitude, latitude]"
                    )),
                })
                .collect()
        })
        .collect()
}

/// Renders the map: countries (members shaded, each with its name as `<title>`), the route
/// in order with an arrow, and the places as circles (largest first, so small ones stay on
/// top), then a legend.
pub fn corridor_map(
    translator: &Translator,
    lang: Lang,
    outlines: &CountryOutlines,
    map: &CorridorMap,
) -> Markup {
    let projection = Projection::fit(map.extent, MAP_WIDTH);
    let (width, height) = (projection.width, projection.height);
    let total_height = height + LEGEND_HEIGHT;

    let mut shapes = Vec::new();
    for outline in &outlines.countries {
        let known = map
            .countries
            .iter()
            .find(|c| c.code.as_str() == outline.code);
        let d = outline_path(outline, &projection);
        if d.is_empty() {
            continue;
        }
        let name = known.map_or(outline.name.as_str(), |c| c.name.as_str());
        let member = known.map_or(outline.rcm_member, |c| c.rcm_member);
        let label = known
            .filter(|c| c.label)
            .and_then(|_| label_position(outline, &projection));
        shapes.push((d, name, member, label));
    }

    let route_names = map
        .route
        .iter()
        .map(|stop| stop.name.as_str())
        .collect::<Vec<_>>()
        .join(" → ");
    let mut route = String::new();
    for (index, stop) in map.route.iter().enumerate() {
        route.push(if index == 0 { 'M' } else { 'L' });
        let (x, y) = projection.project(stop.latitude, stop.longitude);
        push_point(&mut route, x, y);
    }

    let largest = map.places.iter().filter_map(|p| p.count).max().unwrap_or(0);
    let mut places: Vec<&MapPlace> = map
        .places
        .iter()
        .filter(|p| p.latitude.is_finite() && p.longitude.is_finite())
        .collect();
    places.sort_by_key(|p| std::cmp::Reverse(p.count.unwrap_or(0)));
    let radius = |count: Option<u64>| match count {
        Some(count) if largest > 0 => {
            MIN_RADIUS.max(MAX_RADIUS * (count as f64 / largest as f64).sqrt())
        }
        _ => MIN_RADIUS,
    };
    let legend_y = height + 14.0;

    map_svg(
        "map",
        &map.id,
        (width, total_height),
        &map.title,
        &map.description,
        html! {
            marker id=(format!("{}-arrow", map.id)) viewBox="0 0 10 10" refX="8" refY="5"
                markerWidth="7" markerHeight="7" orient="auto-start-reverse" {
                path d="M0 0L10 5 0 10z" fill="#7a1f00" {}
            }
        },
        html! {
            rect width=(coordinate(width)) height=(coordinate(height)) fill="#dceaf5" {}
            g class="map__countries" stroke="#6b6b6b" stroke-width="0.6" stroke-linejoin="round" fill-rule="evenodd" {
                @for (d, name, member, _) in &shapes {
                    path class=(if *member { "country country--member" } else { "country" })
                        d=(d) fill=(if *member { "#c2c2b0" } else { "#f7f7f2" }) {
                        title { (name) }
                    }
                }
            }
            g class="map__labels" font-size="11" fill="#333" text-anchor="middle" aria-hidden="true" {
                @for (_, name, _, label) in &shapes {
                    @if let Some((x, y)) = label {
                        text x=(coordinate(*x)) y=(coordinate(*y)) paint-order="stroke" stroke="#fff" stroke-width="3" { (name) }
                    }
                }
            }
            @if map.route.len() >= 2 {
                path class="map__route" d=(route) fill="none" stroke="#7a1f00" stroke-width="2.5"
                    stroke-dasharray="8 4" stroke-linejoin="round" marker-end=(format!("url(#{}-arrow)", map.id)) {
                    title { (translator.get(lang, "picture-map-route-title", &[("route", Arg::Text(&route_names))])) }
                }
            }
            g class="map__places" fill="#0072B2" fill-opacity="0.55" stroke="#003f63" stroke-width="1" {
                @for place in &places {
                    @let (x, y) = projection.project(place.latitude, place.longitude);
                    circle cx=(coordinate(x)) cy=(coordinate(y)) r=(coordinate(radius(place.count)))
                        fill=[place.count.is_none().then_some("#fff")] {
                        title { (place.title) }
                    }
                }
            }
            g class="map__legend" fill="#222" {
                rect x="0" y=(coordinate(height)) width=(coordinate(width)) height=(LEGEND_HEIGHT) fill="#fff" {}
                rect x="10" y=(coordinate(legend_y - 9.0)) width="22" height="14" fill="#c2c2b0" stroke="#6b6b6b" {}
                text x="40" y=(coordinate(legend_y + 2.0)) { (translator.get(lang, "picture-map-legend-member", &[])) }
                line x1="10" x2="32" y1=(coordinate(legend_y + 20.0)) y2=(coordinate(legend_y + 20.0)) stroke="#7a1f00" stroke-width="2.5" stroke-dasharray="8 4" {}
                text x="40" y=(coordinate(legend_y + 24.0)) { (translator.get(lang, "picture-map-legend-route", &[])) }
                circle cx="21" cy=(coordinate(legend_y + 42.0)) r="6" fill="#0072B2" fill-opacity="0.55" stroke="#003f63" {}
                text x="40" y=(coordinate(legend_y + 46.0)) { (translator.get(lang, "picture-map-legend-place", &[])) }
            }
        },
    )
}

/// The SVG path of an outline clipped to the map, or empty if none of it is on the map.
pub(crate) fn outline_path(outline: &CountryOutline, projection: &Projection) -> String {
    let mut d = String::new();
    for polygon in &outline.polygons {
        for ring in polygon {
            let projected: Vec<(f64, f64)> = ring
                .iter()
                .map(|(lon, lat)| projection.project(*lat, *lon))
                .collect();
            let clipped = clip_to_rectangle(&projected, projection.width, projection.height);
            let mut previous: Option<(String, String)> = None;
            let mut ring_d = String::new();
            let mut count = 0;
            for (x, y) in clipped {
                let key = (coordinate(x), coordinate(y));
                if previous.as_ref() == Some(&key) {
                    continue;
                }
                ring_d.push(if count == 0 {
                    'M'
                } else if count == 1 {
                    'L'
                } else {
                    ' '
                });
                ring_d.push_str(&key.0);
                ring_d.push(' ');
                ring_d.push_str(&key.1);
                previous = Some(key);
                count += 1;
            }
            if count >= 3 {
                d.push_str(&ring_d);
                d.push('Z');
            }
        }
    }
    d
}

/// Sutherland–Hodgman clipping of a closed ring to `[0, width] × [0, height]` (Sutherland
/// and Hodgman, "Reentrant polygon clipping", CACM 1974). Parts outside become segments
/// along the frame, which the map's water covers.
fn clip_to_rectangle(ring: &[(f64, f64)], width: f64, height: f64) -> Vec<(f64, f64)> {
    type Inside = fn((f64, f64), f64) -> bool;
    type Cross = fn((f64, f64), (f64, f64), f64) -> (f64, f64);
    let edges: [(Inside, Cross, f64); 4] = [
        (|p, _| p.0 >= 0.0, |a, b, _| at_x(a, b, 0.0), 0.0),
        (|p, w| p.0 <= w, at_x, width),
        (|p, _| p.1 >= 0.0, |a, b, _| at_y(a, b, 0.0), 0.0),
        (|p, h| p.1 <= h, at_y, height),
    ];
    let mut output: Vec<(f64, f64)> = ring.to_vec();
    for (inside, cross, bound) in edges {
        let input = std::mem::take(&mut output);
        let Some(&last) = input.last() else {
            break;
        };
        let mut previous = last;
        for point in input {
            match (inside(point, bound), inside(previous, bound)) {
                (true, true) => output.push(point),
                (true, false) => {
                    output.push(cross(previous, point, bound));
                    output.push(point);
                }
                (false, true) => output.push(cross(previous, point, bound)),
                (false, false) => {}
            }
            previous = point;
        }
    }
    output
}

fn at_x(a: (f64, f64), b: (f64, f64), x: f64) -> (f64, f64) {
    let t = (x - a.0) / (b.0 - a.0);
    (x, a.1 + t * (b.1 - a.1))
}

fn at_y(a: (f64, f64), b: (f64, f64), y: f64) -> (f64, f64) {
    let t = (y - a.1) / (b.1 - a.1);
    (a.0 + t * (b.0 - a.0), y)
}

/// Where to write a country's name: the centroid of its largest ring on the map.
pub(crate) fn label_position(
    outline: &CountryOutline,
    projection: &Projection,
) -> Option<(f64, f64)> {
    let mut best: Option<(f64, (f64, f64))> = None;
    for polygon in &outline.polygons {
        let Some(ring) = polygon.first() else {
            continue;
        };
        let projected: Vec<(f64, f64)> = ring
            .iter()
            .map(|(lon, lat)| projection.project(*lat, *lon))
            .collect();
        let clipped = clip_to_rectangle(&projected, projection.width, projection.height);
        if let Some((area, centroid)) = area_and_centroid(&clipped) {
            if best.is_none_or(|(a, _)| area > a) {
                best = Some((area, centroid));
            }
        }
    }
    best.map(|(_, centroid)| centroid)
}

/// The area and centroid of a simple polygon (the shoelace formula).
fn area_and_centroid(ring: &[(f64, f64)]) -> Option<(f64, (f64, f64))> {
    if ring.len() < 3 {
        return None;
    }
    let (mut area, mut cx, mut cy) = (0.0, 0.0, 0.0);
    for (index, a) in ring.iter().enumerate() {
        let b = ring[(index + 1) % ring.len()];
        let cross = a.0 * b.1 - b.0 * a.1;
        area += cross;
        cx += (a.0 + b.0) * cross;
        cy += (a.1 + b.1) * cross;
    }
    if area.abs() < 1e-9 {
        return None;
    }
    Some((area.abs() / 2.0, (cx / (3.0 * area), cy / (3.0 * area))))
}

/// Where the flow of an active alert is, for the alerts map.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertMark {
    /// Written in the mark; the list beside the map numbers its alerts the same way.
    pub label: String,
    pub latitude: f64,
    pub longitude: f64,
    /// The radius of the alert's area, drawn to scale around the mark when known.
    pub radius_km: Option<f64>,
    /// What the mark says to a reader who points at it or uses a screen reader.
    pub title: String,
}

/// Everything the alerts map shows: the active alerts and the countries they warn.
#[derive(Debug, Clone, PartialEq)]
pub struct AlertMap {
    /// Unique within the page: prefixes the ids that `aria-labelledby` refers to.
    pub id: String,
    pub title: String,
    pub description: String,
    pub extent: MapExtent,
    pub countries: Vec<MapCountry>,
    /// The countries an active alert is addressed to: hatched, and said so in their title.
    pub addressed: Vec<CountryCode>,
    pub alerts: Vec<AlertMark>,
}

/// The `svg` element every map is drawn in: its view box, its accessible name and description
/// (ids `{id}-title` and `{id}-desc`), the definitions its content refers to, and the content.
pub(crate) fn map_svg(
    class: &str,
    id: &str,
    (width, height): (f64, f64),
    title: &str,
    description: &str,
    definitions: Markup,
    content: Markup,
) -> Markup {
    let title_id = format!("{id}-title");
    let desc_id = format!("{id}-desc");
    html! {
        svg xmlns="http://www.w3.org/2000/svg" class=(class)
            viewBox=(format!("0 0 {} {}", coordinate(width), coordinate(height)))
            role="img" aria-labelledby=(format!("{title_id} {desc_id}"))
            font-family="system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif" font-size="12" {
            title id=(title_id) { (title) }
            desc id=(desc_id) { (description) }
            defs { (definitions) }
            (content)
        }
    }
}

/// Diagonal lines over a background: areas marked so that the difference survives grey print
/// and colour-blindness, not only by colour.
pub(crate) fn hatch_pattern(id: &str, background: &str, line: &str, line_width: &str) -> Markup {
    html! {
        pattern id=(id) width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)" {
            rect width="6" height="6" fill=(background) {}
            line x1="0" y1="0" x2="0" y2="6" stroke=(line) stroke-width=(line_width) {}
        }
    }
}

/// Kilometres in one degree of latitude (mean, WGS 84): turns an alert's radius into the
/// map's units, which are degrees of latitude scaled.
const KM_PER_DEGREE: f64 = 111.32;

/// Renders the alerts map: countries (those warned hatched, not only coloured, so the
/// difference survives grey print and colour-blindness), each alert a numbered triangle with
/// its area to scale, then a legend.
pub fn alert_map(
    translator: &Translator,
    lang: Lang,
    outlines: &CountryOutlines,
    map: &AlertMap,
) -> Markup {
    let projection = Projection::fit(map.extent, MAP_WIDTH);
    let (width, height) = (projection.width, projection.height);
    let total_height = height + LEGEND_HEIGHT;
    let hatch_id = format!("{}-hatch", map.id);
    let addressed_words = translator.get(lang, "alert-map-addressed", &[]);
    let mut shapes = Vec::new();
    for outline in &outlines.countries {
        let known = map
            .countries
            .iter()
            .find(|c| c.code.as_str() == outline.code);
        let d = outline_path(outline, &projection);
        if d.is_empty() {
            continue;
        }
        let name = known.map_or(outline.name.clone(), |c| c.name.clone());
        let member = known.map_or(outline.rcm_member, |c| c.rcm_member);
        let addressed = known.is_some_and(|c| map.addressed.contains(&c.code));
        let label = known
            .filter(|c| c.label)
            .and_then(|_| label_position(outline, &projection));
        shapes.push((d, name, member, addressed, label));
    }
    let marks: Vec<&AlertMark> = map
        .alerts
        .iter()
        .filter(|mark| mark.latitude.is_finite() && mark.longitude.is_finite())
        .collect();
    let units_per_km = projection.scale / KM_PER_DEGREE;
    let triangle = |x: f64, y: f64, size: f64| {
        let mut d = String::from("M");
        push_point(&mut d, x, y - size);
        d.push('L');
        push_point(&mut d, x + size, y + size * 0.8);
        push_point(&mut d, x - size, y + size * 0.8);
        d.push('Z');
        d
    };
    let legend_y = height + 14.0;
    map_svg(
        "map",
        &map.id,
        (width, total_height),
        &map.title,
        &map.description,
        html! {
            (hatch_pattern(&hatch_id, "#f3c9a8", "#a04000", "2"))
        },
        html! {
            rect width=(coordinate(width)) height=(coordinate(height)) fill="#dceaf5" {}
            g class="map__countries" stroke="#6b6b6b" stroke-width="0.6" stroke-linejoin="round" fill-rule="evenodd" {
                @for (d, name, member, addressed, _) in &shapes {
                    @let fill = if *addressed { format!("url(#{hatch_id})") } else if *member { "#c2c2b0".to_owned() } else { "#f7f7f2".to_owned() };
                    path class=(if *addressed { "country country--addressed" } else { "country" }) d=(d) fill=(fill) {
                        title { (name) @if *addressed { " (" (addressed_words) ")" } }
                    }
                }
            }
            g class="map__labels" font-size="11" fill="#333" text-anchor="middle" aria-hidden="true" {
                @for (_, name, _, _, label) in &shapes {
                    @if let Some((x, y)) = label {
                        text x=(coordinate(*x)) y=(coordinate(*y)) paint-order="stroke" stroke="#fff" stroke-width="3" { (name) }
                    }
                }
            }
            g class="map__alerts" {
                @for mark in &marks {
                    @let (x, y) = projection.project(mark.latitude, mark.longitude);
                    g class="alert-mark" {
                        title { (mark.title) }
                        @if let Some(radius) = mark.radius_km.filter(|r| r.is_finite() && *r > 0.0) {
                            circle cx=(coordinate(x)) cy=(coordinate(y)) r=(coordinate((radius * units_per_km).max(3.0)))
                                fill="#D55E00" fill-opacity="0.15" stroke="#7a2e00" stroke-dasharray="4 3" {}
                        }
                        path d=(triangle(x, y, 9.0)) fill="#D55E00" stroke="#3d1700" stroke-width="1.2" {}
                        text x=(coordinate(x)) y=(coordinate(y + 5.0)) font-size="10" font-weight="bold" fill="#fff" text-anchor="middle" aria-hidden="true" { (mark.label) }
                    }
                }
            }
            g class="map__legend" fill="#222" {
                rect x="0" y=(coordinate(height)) width=(coordinate(width)) height=(LEGEND_HEIGHT) fill="#fff" {}
                rect x="10" y=(coordinate(legend_y - 9.0)) width="22" height="14" fill=(format!("url(#{hatch_id})")) stroke="#6b6b6b" {}
                text x="40" y=(coordinate(legend_y + 2.0)) { (translator.get(lang, "alert-map-legend-addressed", &[])) }
                path d=(triangle(21.0, legend_y + 20.0, 7.0)) fill="#D55E00" stroke="#3d1700" {}
                text x="40" y=(coordinate(legend_y + 24.0)) { (translator.get(lang, "alert-map-legend-alert", &[])) }
                circle cx="21" cy=(coordinate(legend_y + 42.0)) r="7" fill="#D55E00" fill-opacity="0.15" stroke="#7a2e00" stroke-dasharray="4 3" {}
                text x="40" y=(coordinate(legend_y + 46.0)) { (translator.get(lang, "alert-map-legend-area", &[])) }
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn translator() -> Translator {
        Translator::new().expect("the embedded catalogues parse and agree")
    }

    /// The Natural Earth outlines the product ships, read from the repository's reference
    /// data, or from the shared standards folder beside the checkout.
    fn americas() -> CountryOutlines {
        let text = crate::render::test_data::read(&[
            "data/reference/americas-countries-110m.geojson",
            "../shared/standards/geo/americas-countries-110m.geojson",
        ]);
        parse_outlines(&text).expect("the shipped outlines parse")
    }

    fn code(raw: &str) -> CountryCode {
        CountryCode::parse(raw).expect("a valid test country code")
    }

    fn bounding_box(outline: &CountryOutline, projection: &Projection) -> (f64, f64, f64, f64) {
        let mut b = (
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        );
        for ring in outline.polygons.iter().flatten() {
            for (lon, lat) in ring {
                let (x, y) = projection.project(*lat, *lon);
                b = (b.0.min(x), b.1.min(y), b.2.max(x), b.3.max(y));
            }
        }
        b
    }

    fn sample_map() -> CorridorMap {
        CorridorMap {
            id: "corridor".to_owned(),
            title: "Map of the corridor".to_owned(),
            description: "Outlines, route, places.".to_owned(),
            extent: MapExtent::CORRIDOR,
            countries: vec![
                MapCountry {
                    code: code("PAN"),
                    name: "Panamá".to_owned(),
                    rcm_member: true,
                    label: true,
                },
                MapCountry {
                    code: code("COL"),
                    name: "Colombia".to_owned(),
                    rcm_member: false,
                    label: true,
                },
            ],
            route: vec![
                RouteStop {
                    name: "Necoclí".to_owned(),
                    latitude: 8.426,
                    longitude: -76.784,
                },
                RouteStop {
                    name: "Lajas Blancas".to_owned(),
                    latitude: 8.29,
                    longitude: -77.81,
                },
                RouteStop {
                    name: "Paso Canoas".to_owned(),
                    latitude: 8.53,
                    longitude: -82.84,
                },
            ],
            places: vec![
                MapPlace {
                    name: "Lajas Blancas".to_owned(),
                    latitude: 8.29,
                    longitude: -77.81,
                    count: Some(82_000),
                    title: "Lajas Blancas: 82,000 <entries> & more".to_owned(),
                },
                MapPlace {
                    name: "Paso Canoas".to_owned(),
                    latitude: 8.53,
                    longitude: -82.84,
                    count: Some(500),
                    title: "Paso Canoas".to_owned(),
                },
                MapPlace {
                    name: "Tapachula".to_owned(),
                    latitude: 14.9,
                    longitude: -92.26,
                    count: None,
                    title: "Tapachula: no data".to_owned(),
                },
            ],
        }
    }

    #[test]
    fn panama_city_projects_inside_panamas_outline() {
        let outlines = americas();
        let projection = Projection::fit(MapExtent::CORRIDOR, MAP_WIDTH);
        let panama = outlines.countries.iter().find(|c| c.code == "PAN").unwrap();
        let (x, y) = projection.project(8.9824, -79.5199);
        let (min_x, min_y, max_x, max_y) = bounding_box(panama, &projection);
        assert!(
            (min_x..=max_x).contains(&x) && (min_y..=max_y).contains(&y),
            "{x},{y}"
        );
        // And not inside Costa Rica's, its neighbour to the west.
        let costa_rica = outlines.countries.iter().find(|c| c.code == "CRI").unwrap();
        let (min_x, _, max_x, _) = bounding_box(costa_rica, &projection);
        assert!(!(min_x..=max_x).contains(&x));
        // North is up and east is right.
        let (mexico_x, mexico_y) = projection.project(19.43, -99.13);
        assert!(mexico_y < y && mexico_x < x);
    }

    #[test]
    fn the_alert_map_hatches_the_warned_countries_and_draws_each_alert_to_scale() {
        let map = AlertMap {
            id: "alerts".to_owned(),
            title: "Active alerts".to_owned(),
            description: "Where the flows are.".to_owned(),
            extent: MapExtent::CORRIDOR,
            countries: vec![
                MapCountry {
                    code: code("PAN"),
                    name: "Panamá".to_owned(),
                    rcm_member: true,
                    label: true,
                },
                MapCountry {
                    code: code("CRI"),
                    name: "Costa Rica".to_owned(),
                    rcm_member: true,
                    label: true,
                },
            ],
            addressed: vec![code("CRI")],
            alerts: vec![AlertMark {
                label: "1".to_owned(),
                latitude: 8.43,
                longitude: -77.93,
                radius_km: Some(111.32),
                title: "1. 300 personas en Bajo Chiquito".to_owned(),
            }],
        };
        let svg = alert_map(&translator(), Lang::Es, &americas(), &map).into_string();
        assert!(svg.contains("<title>Costa Rica (destinatario de una alerta activa)</title>"));
        assert!(
            svg.contains("<title>Panamá</title>"),
            "Panama is not warned"
        );
        assert!(svg.contains("fill=\"url(#alerts-hatch)\""));
        assert!(svg.contains("<title>1. 300 personas en Bajo Chiquito</title>"));
        // A radius of one degree of latitude is drawn as one degree on the map.
        let projection = Projection::fit(MapExtent::CORRIDOR, MAP_WIDTH);
        let degree = projection.project(8.43, -77.93).1 - projection.project(9.43, -77.93).1;
        assert!(
            svg.contains(&format!("r=\"{}\"", coordinate(degree))),
            "{degree}"
        );
        assert!(
            svg.contains("País destinatario de una alerta activa"),
            "legend"
        );
    }

    #[test]
    fn the_projection_maps_the_extent_onto_the_frame() {
        let projection = Projection::fit(MapExtent::CORRIDOR, 800.0);
        let (x, y) = projection.project(MapExtent::CORRIDOR.north, MapExtent::CORRIDOR.west);
        assert!(x.abs() < 1e-9 && y.abs() < 1e-9);
        let (x, y) = projection.project(MapExtent::CORRIDOR.south, MapExtent::CORRIDOR.east);
        assert!((x - 800.0).abs() < 1e-9 && (y - projection.height).abs() < 1e-9);
        // At 15° N a degree of longitude is cos(15°) of a degree of latitude.
        let ratio = projection.height / projection.width;
        let expected = 39.0 / (52.5 * 15f64.to_radians().cos());
        assert!((ratio - expected).abs() < 1e-9, "{ratio} {expected}");
    }

    #[test]
    fn the_map_names_every_mark_and_stays_small() {
        let svg = corridor_map(&translator(), Lang::Es, &americas(), &sample_map()).into_string();
        assert!(svg.len() < 60_000, "{} bytes", svg.len());
        crate::render::test_data::assert_well_formed(&svg);
        assert!(svg.contains("role=\"img\" aria-labelledby=\"corridor-title corridor-desc\""));
        assert!(
            svg.contains("<title>Panamá</title>"),
            "the view model's name wins"
        );
        assert!(
            svg.contains("<title>Costa Rica</title>"),
            "the file's name is the fallback"
        );
        assert!(
            svg.contains("class=\"country country--member\" d="),
            "members are shaded"
        );
        assert!(
            svg.contains("<title>Ruta del corredor: Necoclí → Lajas Blancas → Paso Canoas</title>")
        );
        assert!(svg.contains("<title>Lajas Blancas: 82,000 &lt;entries&gt; &amp; more</title>"));
        assert!(!svg.contains("<entries>"));
        // Canada and Argentina lie outside the corridor's extent.
        assert!(
            !svg.contains("<title>Canada</title>") && !svg.contains("<title>Argentina</title>")
        );
        // The largest count has the largest circle; a place without a count gets a ring.
        assert!(svg.contains(&format!("r=\"{}\"", coordinate(MAX_RADIUS))));
        assert!(
            svg.contains("fill=\"#fff\"><title>Tapachula: no data</title>"),
            "{svg}"
        );
        assert!(!svg.contains("NaN"));
    }

    #[test]
    fn clipping_keeps_what_is_inside_and_cuts_at_the_frame() {
        let square = [(-5.0, -5.0), (5.0, -5.0), (5.0, 5.0), (-5.0, 5.0)];
        let clipped = clip_to_rectangle(&square, 10.0, 10.0);
        let (area, _) = area_and_centroid(&clipped).unwrap();
        assert!((area - 25.0).abs() < 1e-9, "{clipped:?}");
        let outside = [(20.0, 20.0), (30.0, 20.0), (30.0, 30.0)];
        assert!(clip_to_rectangle(&outside, 10.0, 10.0).is_empty());
    }

    #[test]
    fn bad_geojson_is_rejected_with_the_feature_and_the_reason() {
        let cases = [
            ("{", "line 1"),
            ("{\"type\":\"FeatureCollection\"}", "features"),
            (
                r#"{"features":[{"properties":{"iso_a3":"PAN"},"geometry":{"type":"Point","coordinates":[1,2]}}]}"#,
                "feature 0 (PAN)",
            ),
            (
                r#"{"features":[{"id":"CRI","geometry":{"type":"Polygon","coordinates":[[[1,2],[3,"x"]]]}}]}"#,
                "not a longitude and latitude",
            ),
            (
                r#"{"features":[{"id":"CRI","geometry":{"type":"Polygon","coordinates":[[[1,200],[3,4]]]}}]}"#,
                "feature 0 (CRI)",
            ),
        ];
        for (text, expected) in cases {
            let error = parse_outlines(text).unwrap_err().to_string();
            assert!(error.contains(expected), "{text}: {error}");
        }
    }

    #[test]
    fn the_extent_around_points_has_a_margin() {
        let extent =
            MapExtent::around([(8.0, -77.0), (32.5, -117.0), (f64::NAN, 0.0)], 2.0).unwrap();
        assert_eq!(
            extent,
            MapExtent {
                west: -119.0,
                south: 6.0,
                east: -75.0,
                north: 34.5
            }
        );
        assert_eq!(MapExtent::around([], 1.0), None);
    }
}
