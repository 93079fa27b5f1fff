//! Maps of one country's first-level divisions (departments, states, provinces), each shaded
//! by a count: the origin-territories page's map of returnees received.
//!
//! The boundaries are Natural Earth's admin-1 layer for nine countries of the corridor,
//! keyed by ISO 3166-2 code and shipped in `data/reference/admin1/` (see its `SOURCE.md`).
//! They are read with the corridor map's GeoJSON reader and drawn with its projection and
//! clipping, so both maps look and behave alike.
//!
//! Shading: a choropleth of at most [`MAX_CLASSES`] classes on a sequential single-hue scale
//! (ColorBrewer "Blues", Brewer, Hatchwell, Dent, "ColorBrewer in Print", Cartographic
//! Journal 2003), where darker always means more. The class breaks are quantiles of the
//! divisions' counts (Slocum et al., "Thematic Cartography and Geovisualization", 3rd ed.
//! 2009, ch. 5): each class holds about as many divisions as the next, which keeps the
//! map readable when, as with returns, one or two divisions receive far more than the rest
//! and equal intervals would leave every other division in the lightest class. Every class
//! is a closed range of whole numbers and the ranges follow one another, so a division with
//! more returnees is never lighter than one with fewer. Counts withheld for disclosure control
//! get their own marks (the lightest shade for "fewer than 5", a hatch for a hidden total),
//! never a guessed class.

use std::sync::OnceLock;

use maud::{html, Markup};

use corredor_core::returns::TerritoryCode;
use corredor_core::CountryCode;

use crate::render::i18n::{Arg, Lang, Translator};
use crate::render::map::{
    hatch_pattern, label_position, map_svg, outline_path, parse_outlines, CountryOutline,
    CountryOutlines, MapExtent, Projection, MAP_WIDTH,
};
use crate::render::svg::coordinate;

/// The first-level divisions shipped with corredor (GeoJSON, feature `id` = ISO 3166-2 code).
pub const ADMIN1_GEOJSON: &str =
    include_str!("../../../../data/reference/admin1/admin1-rcm.geojson");

/// At most this many classes of counts: more shades of one hue cannot be told apart reliably
/// (Brewer et al. 2003 recommend at most 5–7 for sequential schemes).
pub const MAX_CLASSES: usize = 5;

/// The sequential palette, lightest first (ColorBrewer "Blues", 6 classes).
const PALETTE: [&str; 6] = [
    "#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c",
];
/// Divisions with nothing recorded: off-white, lighter than every class.
const EMPTY_FILL: &str = "#fbfbf8";
const LEGEND_ROW: f64 = 20.0;
const LEGEND_COLUMNS: usize = 3;

/// The shipped divisions, parsed once.
pub fn shipped_divisions() -> &'static CountryOutlines {
    static DIVISIONS: OnceLock<CountryOutlines> = OnceLock::new();
    DIVISIONS.get_or_init(|| {
        parse_outlines(ADMIN1_GEOJSON)
            .expect("the shipped first-level divisions parse (checked by the tests)")
    })
}

/// The divisions of `country` among `outlines`, in the file's order (by code); empty for a
/// country without geometry.
pub fn divisions_of(outlines: &CountryOutlines, country: CountryCode) -> Vec<&CountryOutline> {
    outlines
        .countries
        .iter()
        .filter(|outline| {
            TerritoryCode::parse(&outline.code)
                .is_ok_and(|code| !code.is_municipality() && code.country() == country)
        })
        .collect()
}

/// What is known of a division's count once its territories are added up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DivisionFigure {
    /// No territory of the division appears in the figures.
    NoneRecorded,
    Count(u64),
    /// One part was withheld as "fewer than the threshold" and nothing else was received.
    FewerThan(u64),
    /// Some parts were withheld as small counts: the total is at least this.
    AtLeast(u64),
    /// A part's total was hidden (one of its months was small), so no bound can be given.
    Withheld,
}

impl DivisionFigure {
    /// The count that places the division in a class, if it has one.
    fn classed_count(self) -> Option<u64> {
        match self {
            DivisionFigure::Count(count) | DivisionFigure::AtLeast(count) if count > 0 => {
                Some(count)
            }
            _ => None,
        }
    }
}

/// A closed range of counts drawn in one shade.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CountClass {
    pub lowest: u64,
    pub highest: u64,
}

/// Quantile classes of the positive `counts` (see the module's overview): at most
/// `max_classes` ranges, increasing, without gaps, from the smallest count to the largest.
/// No positive count gives no class.
pub fn quantile_classes(counts: &[u64], max_classes: usize) -> Vec<CountClass> {
    let mut sorted: Vec<u64> = counts.iter().copied().filter(|c| *c > 0).collect();
    sorted.sort_unstable();
    let (Some(&smallest), Some(&largest)) = (sorted.first(), sorted.last()) else {
        return Vec::new();
    };
    let n = sorted.len();
    let k = max_classes.max(1).min(n);
    let mut classes: Vec<CountClass> = Vec::with_capacity(k);
    let mut lowest = smallest;
    for i in 1..=k {
        // The upper bound of class i is the count at quantile i/k (the last one is the largest).
        let highest = if i == k {
            largest
        } else {
            sorted[(i * n).div_ceil(k) - 1]
        };
        if highest < lowest {
            continue;
        }
        classes.push(CountClass { lowest, highest });
        lowest = highest + 1;
    }
    classes
}

/// How a division is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shade {
    Empty,
    /// An index into the palette: higher is darker.
    Level(usize),
    Hatched,
}

/// The classes of a map and the palette level of each, from the divisions' figures.
#[derive(Debug, Clone, PartialEq)]
pub struct Shading {
    pub classes: Vec<CountClass>,
    /// The threshold of "fewer than N" when some division has such a figure: it takes the
    /// lightest level, below every class.
    pub fewer_than: Option<u64>,
}

impl Shading {
    pub fn new(figures: &[DivisionFigure]) -> Shading {
        let counts: Vec<u64> = figures.iter().filter_map(|f| f.classed_count()).collect();
        let fewer_than = figures.iter().find_map(|f| match f {
            DivisionFigure::FewerThan(threshold) => Some(*threshold),
            _ => None,
        });
        Shading {
            classes: quantile_classes(&counts, MAX_CLASSES),
            fewer_than,
        }
    }

    /// The palette level of the first class. Level 0 is kept for "fewer than N" even when no
    /// division has that figure, so the lightest class never comes close to the off-white of
    /// divisions with nothing recorded.
    fn first_level(&self) -> usize {
        1
    }

    pub fn shade(&self, figure: DivisionFigure) -> Shade {
        match figure {
            DivisionFigure::Withheld => Shade::Hatched,
            DivisionFigure::FewerThan(_) => Shade::Level(0),
            _ => match figure.classed_count() {
                Some(count) => {
                    let class = self
                        .classes
                        .iter()
                        .position(|class| count <= class.highest)
                        .unwrap_or(self.classes.len().saturating_sub(1));
                    Shade::Level(self.first_level() + class)
                }
                None => Shade::Empty,
            },
        }
    }
}

/// One division as the map shows it.
#[derive(Debug, Clone, PartialEq)]
pub struct MapDivision {
    /// ISO 3166-2 code, as in the geometry.
    pub code: String,
    pub name: String,
    pub figure: DivisionFigure,
    /// The figure in words ("1,234", "fewer than 5"), for the title and the table.
    pub figure_words: String,
}

/// Everything a division map shows.
#[derive(Debug, Clone, PartialEq)]
pub struct DivisionMap {
    /// Unique within the page: prefixes the ids that `aria-labelledby` refers to.
    pub id: String,
    pub title: String,
    pub description: String,
    pub divisions: Vec<MapDivision>,
    /// Where a division links to: this prefix and its code (`#division-` → `#division-GT-HU`).
    pub link_prefix: String,
}

/// The fill of a shade; hatching refers to the map's own pattern.
fn fill(shade: Shade, hatch_id: &str) -> String {
    match shade {
        Shade::Empty => EMPTY_FILL.to_owned(),
        Shade::Level(level) => PALETTE[level.min(PALETTE.len() - 1)].to_owned(),
        Shade::Hatched => format!("url(#{hatch_id})"),
    }
}

/// Renders the map: each division a linked shape shaded by its figure, titled with its name
/// and figure, its code written at its centre, then a legend of the classes and the
/// attribution of the boundaries.
pub fn division_map(
    translator: &Translator,
    lang: Lang,
    outlines: &[&CountryOutline],
    map: &DivisionMap,
) -> Markup {
    let points = outlines
        .iter()
        .flat_map(|outline| outline.polygons.iter().flatten().flatten())
        .map(|(longitude, latitude)| (*latitude, *longitude));
    let extent = MapExtent::around(points, 0.15).unwrap_or(MapExtent::CORRIDOR);
    let projection = Projection::fit(extent, MAP_WIDTH);
    let (width, height) = (projection.width, projection.height);
    let hatch_id = format!("{}-hatch", map.id);
    let figures: Vec<DivisionFigure> = map.divisions.iter().map(|d| d.figure).collect();
    let shading = Shading::new(&figures);

    let mut shapes = Vec::new();
    for outline in outlines {
        let d = outline_path(outline, &projection);
        if d.is_empty() {
            continue;
        }
        let division = map.divisions.iter().find(|d| d.code == outline.code);
        let name = division.map_or(outline.name.as_str(), |d| d.name.as_str());
        let figure = division.map_or(DivisionFigure::NoneRecorded, |d| d.figure);
        let words = division.map_or_else(
            || translator.get(lang, "territories-map-none", &[]),
            |d| d.figure_words.clone(),
        );
        // "Name: figure" reads the same in Spanish and English.
        let title = format!("{name}: {words}");
        let short = outline
            .code
            .split_once('-')
            .map_or(outline.code.as_str(), |(_, rest)| rest);
        let label = label_position(outline, &projection);
        shapes.push((
            outline.code.as_str(),
            d,
            shading.shade(figure),
            title,
            short,
            label,
        ));
    }

    let mut legend: Vec<(String, String)> = Vec::new();
    legend.push((
        EMPTY_FILL.to_owned(),
        translator.get(lang, "territories-map-legend-none", &[]),
    ));
    if let Some(threshold) = shading.fewer_than {
        legend.push((
            PALETTE[0].to_owned(),
            translator.get(
                lang,
                "territories-map-fewer",
                &[("count", Arg::Count(threshold))],
            ),
        ));
    }
    for (index, class) in shading.classes.iter().enumerate() {
        let words = if class.lowest == class.highest {
            crate::render::format::format_count(lang, class.lowest)
        } else {
            translator.get(
                lang,
                "territories-map-legend-range",
                &[
                    ("from", Arg::Count(class.lowest)),
                    ("to", Arg::Count(class.highest)),
                ],
            )
        };
        legend.push((
            fill(Shade::Level(shading.first_level() + index), &hatch_id),
            words,
        ));
    }
    if figures.contains(&DivisionFigure::Withheld) {
        legend.push((
            format!("url(#{hatch_id})"),
            translator.get(lang, "territories-map-legend-withheld", &[]),
        ));
    }
    let legend_rows = legend.len().div_ceil(LEGEND_COLUMNS);
    let legend_height = 10.0 + legend_rows as f64 * LEGEND_ROW + 22.0;
    let total_height = height + legend_height;
    let column_width = width / LEGEND_COLUMNS as f64;

    map_svg(
        "map map--divisions",
        &map.id,
        (width, total_height),
        &map.title,
        &map.description,
        html! {
            (hatch_pattern(&hatch_id, "#e6e6e6", "#6b6b6b", "1.5"))
        },
        html! {
            // White, not the corridor map's sea blue: the neighbours are not drawn, and
            // blue would say they are water.
            rect width=(coordinate(width)) height=(coordinate(height)) fill="#fff" {}
            g class="map__divisions" stroke="#4d4d4d" stroke-width="0.6" stroke-linejoin="round" fill-rule="evenodd" {
                @for (code, d, shade, title, _, _) in &shapes {
                    a href=(format!("{}{}", map.link_prefix, code)) {
                        path class="division" data-code=(code) d=(d) fill=(fill(*shade, &hatch_id)) {
                            title { (title) }
                        }
                    }
                }
            }
            g class="map__labels" font-size="9" text-anchor="middle" aria-hidden="true" {
                @for (_, _, shade, _, short, label) in &shapes {
                    @if let Some((x, y)) = label {
                        // White text on the two darkest shades, dark text elsewhere, for contrast.
                        @let dark = matches!(shade, Shade::Level(level) if *level + 2 >= PALETTE.len());
                        text x=(coordinate(*x)) y=(coordinate(*y + 3.0)) fill=(if dark { "#fff" } else { "#222" }) { (short) }
                    }
                }
            }
            g class="map__legend" fill="#222" {
                rect x="0" y=(coordinate(height)) width=(coordinate(width)) height=(coordinate(legend_height)) fill="#fff" {}
                @for (index, (swatch, words)) in legend.iter().enumerate() {
                    @let x = 10.0 + (index % LEGEND_COLUMNS) as f64 * column_width;
                    @let y = height + 12.0 + (index / LEGEND_COLUMNS) as f64 * LEGEND_ROW;
                    rect x=(coordinate(x)) y=(coordinate(y)) width="22" height="14" fill=(swatch) stroke="#6b6b6b" {}
                    text x=(coordinate(x + 30.0)) y=(coordinate(y + 11.0)) { (words) }
                }
                text x="10" y=(coordinate(total_height - 8.0)) font-size="10" fill="#555" {
                    (translator.get(lang, "territories-map-attribution", &[]))
                }
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;
    use serde_json::Value;

    use super::*;

    fn translator() -> Translator {
        Translator::new().expect("the embedded catalogues parse and agree")
    }

    fn country(raw: &str) -> CountryCode {
        CountryCode::parse(raw).expect("a valid test country code")
    }

    /// ISO 3166-2 codes and names of the RCM and corridor countries, from the shared
    /// standards folder beside the checkout.
    fn iso_3166_2() -> BTreeMap<String, String> {
        let text = crate::render::test_data::read(&[
            "../shared/standards/geo/iso_3166-2-rcm-and-corridor.json",
        ]);
        let root: Value = serde_json::from_str(&text).expect("the ISO list is JSON");
        root["3166-2"]
            .as_array()
            .expect("the ISO list has a `3166-2` array")
            .iter()
            .map(|entry| {
                (
                    entry["code"].as_str().expect("a code").to_owned(),
                    entry["name"].as_str().expect("a name").to_owned(),
                )
            })
            .collect()
    }

    #[test]
    fn the_shipped_divisions_parse_and_carry_only_valid_iso_3166_2_codes_and_names() {
        let iso = iso_3166_2();
        let divisions = parse_outlines(ADMIN1_GEOJSON).expect("the shipped divisions parse");
        assert_eq!(divisions.countries.len(), 161);
        let mut seen = std::collections::BTreeSet::new();
        for division in &divisions.countries {
            assert_eq!(
                iso.get(&division.code),
                Some(&division.name),
                "{} is not an ISO 3166-2 code with that name",
                division.code
            );
            assert!(seen.insert(&division.code), "{} twice", division.code);
            assert!(
                !division.polygons.is_empty(),
                "{} has no shape",
                division.code
            );
        }
    }

    #[test]
    fn the_shipped_divisions_cover_every_division_of_guatemala_honduras_el_salvador_and_mexico() {
        let iso = iso_3166_2();
        let outlines = shipped_divisions();
        for (alpha3, alpha2, expected) in [
            ("GTM", "GT-", 22),
            ("HND", "HN-", 18),
            ("SLV", "SV-", 14),
            ("MEX", "MX-", 32),
        ] {
            let shipped: Vec<&str> = divisions_of(outlines, country(alpha3))
                .iter()
                .map(|outline| outline.code.as_str())
                .collect();
            let listed: Vec<&str> = iso
                .keys()
                .filter(|code| code.starts_with(alpha2))
                .map(String::as_str)
                .collect();
            assert_eq!(listed.len(), expected, "{alpha3} in the ISO list");
            assert_eq!(shipped, listed, "{alpha3}");
        }
        assert!(divisions_of(outlines, country("DOM")).is_empty());
    }

    #[test]
    fn guatemalas_departments_lie_within_guatemala() {
        for outline in divisions_of(shipped_divisions(), country("GTM")) {
            for (longitude, latitude) in outline.polygons.iter().flatten().flatten() {
                assert!(
                    (-92.3..=-88.1).contains(longitude) && (13.7..=17.9).contains(latitude),
                    "{} has ({longitude}, {latitude})",
                    outline.code
                );
            }
        }
    }

    #[test]
    fn quantile_classes_split_the_counts_into_ranges_that_follow_one_another() {
        let check = |counts: &[u64], expected: &[(u64, u64)]| {
            let classes: Vec<(u64, u64)> = quantile_classes(counts, MAX_CLASSES)
                .iter()
                .map(|class| (class.lowest, class.highest))
                .collect();
            assert_eq!(classes, expected, "{counts:?}");
        };
        check(&[], &[]);
        check(&[0, 0], &[]);
        check(&[7], &[(7, 7)]);
        check(&[3, 3, 3], &[(3, 3)]);
        check(&[1, 2, 3], &[(1, 1), (2, 2), (3, 3)]);
        check(
            &[10, 20, 30, 40, 50, 60, 70, 80, 90, 100],
            &[(10, 20), (21, 40), (41, 60), (61, 80), (81, 100)],
        );
        // One division receiving far more than the rest keeps the others apart.
        check(
            &[5, 8, 12, 15, 20, 25, 30, 40, 50, 9000],
            &[(5, 8), (9, 15), (16, 25), (26, 40), (41, 9000)],
        );
    }

    fn level(shade: Shade) -> usize {
        match shade {
            Shade::Level(level) => level + 1,
            Shade::Empty => 0,
            Shade::Hatched => panic!("a count is never hatched"),
        }
    }

    proptest! {
        #[test]
        fn a_division_with_more_returnees_is_never_lighter_than_one_with_fewer(
            counts in prop::collection::vec(0u64..100_000, 1..40),
        ) {
            let figures: Vec<DivisionFigure> =
                counts.iter().map(|c| DivisionFigure::Count(*c)).collect();
            let shading = Shading::new(&figures);
            prop_assert!(shading.classes.len() <= MAX_CLASSES);
            for a in &figures {
                for b in &figures {
                    if let (DivisionFigure::Count(x), DivisionFigure::Count(y)) = (a, b) {
                        if x > y {
                            prop_assert!(level(shading.shade(*a)) >= level(shading.shade(*b)));
                        }
                    }
                }
            }
            // Every positive count falls in a class, and only zero is left unshaded.
            for (count, figure) in counts.iter().zip(&figures) {
                prop_assert_eq!(*count == 0, shading.shade(*figure) == Shade::Empty);
            }
        }
    }

    #[test]
    fn withheld_figures_get_their_own_marks_below_or_outside_the_classes() {
        let figures = [
            DivisionFigure::FewerThan(5),
            DivisionFigure::Count(5),
            DivisionFigure::Count(900),
            DivisionFigure::Withheld,
            DivisionFigure::NoneRecorded,
        ];
        let shading = Shading::new(&figures);
        assert_eq!(shading.shade(figures[0]), Shade::Level(0));
        assert_eq!(shading.shade(figures[1]), Shade::Level(1));
        assert_eq!(shading.shade(figures[2]), Shade::Level(2));
        assert_eq!(shading.shade(figures[3]), Shade::Hatched);
        assert_eq!(shading.shade(figures[4]), Shade::Empty);
    }

    /// Guatemala's departments with illustrative counts: the larger the department's
    /// population the more returnees, as in the IGM's yearly reports, but not its figures.
    fn guatemala_map(lang: Lang) -> (Vec<&'static CountryOutline>, DivisionMap) {
        let outlines = divisions_of(shipped_divisions(), country("GTM"));
        let divisions = outlines
            .iter()
            .enumerate()
            .map(|(index, outline)| {
                let count = match outline.code.as_str() {
                    "GT-HU" => 12_480,
                    "GT-SM" => 8_935,
                    "GT-PE" => 0,
                    _ => 100 * (index as u64 + 1),
                };
                MapDivision {
                    code: outline.code.clone(),
                    name: outline.name.clone(),
                    figure: DivisionFigure::Count(count),
                    figure_words: crate::render::format::format_count(lang, count),
                }
            })
            .collect();
        let map = DivisionMap {
            id: "gt".to_owned(),
            title: "Returnees received by department".to_owned(),
            description: "Shaded by returnees received.".to_owned(),
            divisions,
            link_prefix: "#division-".to_owned(),
        };
        (outlines, map)
    }

    #[test]
    fn the_map_of_guatemala_has_one_titled_linked_shape_per_department() {
        let (outlines, map) = guatemala_map(Lang::En);
        let svg = division_map(&translator(), Lang::En, &outlines, &map).into_string();
        crate::render::test_data::assert_well_formed(&svg);
        assert_eq!(svg.matches("<path class=\"division\"").count(), 22);
        assert!(
            svg.contains("<title>Huehuetenango: 12,480</title>"),
            "{svg}"
        );
        assert!(svg.contains("<title>San Marcos: 8,935</title>"));
        assert!(svg.contains("<title>Petén: 0</title>"));
        assert!(svg.contains("<a href=\"#division-GT-HU\">"));
        assert!(svg.contains("Natural Earth"));
        // The map stays small enough to send over a poor connection.
        assert!(svg.len() < 40_000, "{} bytes", svg.len());
        let spanish = division_map(
            &translator(),
            Lang::Es,
            &outlines,
            &guatemala_map(Lang::Es).1,
        )
        .into_string();
        assert!(spanish.contains("Ninguna registrada") && spanish.contains("Límites"));
    }

    #[test]
    fn huehuetenango_with_the_most_returnees_is_drawn_darkest_and_peten_with_none_lightest() {
        let (outlines, map) = guatemala_map(Lang::En);
        let svg = division_map(&translator(), Lang::En, &outlines, &map).into_string();
        let fill = |code: &str| {
            let at = svg
                .find(&format!("data-code=\"{code}\""))
                .expect("the department is drawn");
            svg[at..]
                .split("fill=\"")
                .nth(1)
                .and_then(|rest| rest.split('"').next())
                .expect("a fill")
                .to_owned()
        };
        assert_eq!(fill("GT-HU"), PALETTE[MAX_CLASSES]);
        assert_eq!(fill("GT-PE"), EMPTY_FILL);
        // The legend names each class's range.
        assert!(svg.contains("to 12,480"), "{svg}");
    }
}
