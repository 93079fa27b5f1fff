//! The fields of an alert's content, shared by the issue form and the update form: drawn
//! (with the values given and each field's error next to it) and read back into the
//! domain's `AlertContent`, every bad field named at once.

use chrono::NaiveDate;
use corredor_core::{
    AlertContent, AlertLocation, AlertText, Area, CoreError, Corridor, CorridorCode, Direction,
    FlowComposition, FlowCompositionParts, FlowStage, Nationality, NationalityEstimate, Needs,
    Place, Point, RequiredAction, Route, TextBlock,
};
use maud::{html, Markup};

use super::{action_name, direction_name, stage_name};
use crate::pages::form::Form;
use crate::render::i18n::Arg;
use crate::render::{Lang, Translator};

/// One field that could not be read, with the reason in the reader's language (or the
/// domain's words when the domain refused the value).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct FieldError {
    /// The form field's name, also its element id.
    pub field: &'static str,
    pub message: String,
}

/// The counted groups: the form field and the label's message id.
pub(super) const GROUPS: [(&str, &str); 7] = [
    ("estimated_people", "alerts-col-people"),
    ("women", "alert-group-women"),
    ("children", "alert-group-children"),
    (
        "unaccompanied_children",
        "alert-group-unaccompanied-children",
    ),
    ("pregnant_women", "alert-group-pregnant-women"),
    (
        "people_with_disabilities",
        "alert-group-people-with-disabilities",
    ),
    ("older_people", "alert-group-older-people"),
];

/// The values a content form shows: what was posted, or the alert's latest content.
#[derive(Debug, Clone, Default)]
pub(super) struct Values(pub Vec<(String, String)>);

impl Values {
    pub fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(key, _)| key == name)
            .map_or("", |(_, value)| value.as_str())
    }

    fn has(&self, name: &str, value: &str) -> bool {
        self.0.iter().any(|(key, v)| key == name && v == value)
    }

    pub fn from_form(form: &Form, names: &[&str]) -> Values {
        let mut values = Vec::new();
        for name in names {
            for value in form.all(name) {
                values.push(((*name).to_owned(), value.to_owned()));
            }
        }
        Values(values)
    }

    /// The form filled with an alert's content, for an update.
    pub fn from_content(content: &AlertContent) -> Values {
        let mut values: Vec<(String, String)> = Vec::new();
        let mut push = |name: &str, value: String| values.push((name.to_owned(), value));
        let parts = content.composition.parts();
        push("estimated_people", parts.estimated_people.to_string());
        for (name, count) in [
            ("women", parts.women),
            ("children", parts.children),
            ("unaccompanied_children", parts.unaccompanied_children),
            ("pregnant_women", parts.pregnant_women),
            ("people_with_disabilities", parts.people_with_disabilities),
            ("older_people", parts.older_people),
        ] {
            push(name, count.map(|c| c.to_string()).unwrap_or_default());
        }
        push(
            "nationalities",
            parts
                .nationalities
                .iter()
                .map(|n| format!("{}:{}", n.nationality, n.estimated_people))
                .collect::<Vec<_>>()
                .join(", "),
        );
        match content.location.area() {
            Area::Place { place } => push("place", place.as_str().to_owned()),
            Area::Circle { centre, radius_km } => {
                push("latitude", centre.latitude.to_string());
                push("longitude", centre.longitude.to_string());
                push("radius_km", radius_km.to_string());
            }
            // A polygon cannot be edited in this form: its centre and a radius that holds it
            // stand for it, and the description keeps the words.
            Area::Polygon { points } => {
                let (latitude, longitude) = centroid(points);
                push("latitude", format!("{latitude:.4}"));
                push("longitude", format!("{longitude:.4}"));
                let radius = points
                    .iter()
                    .map(|p| {
                        ((p.latitude - latitude).powi(2) + (p.longitude - longitude).powi(2)).sqrt()
                            * 111.32
                    })
                    .fold(1.0_f64, f64::max);
                push("radius_km", format!("{:.0}", radius.min(1000.0)));
            }
        }
        push(
            "location_description",
            content.location.description().to_owned(),
        );
        push("corridor", content.route.corridor.to_string());
        push("direction", content.route.direction.code().to_owned());
        push("stage", content.stage.code().to_owned());
        for action in &content.needs.actions {
            push("need", action.code().to_owned());
        }
        push("needs_note", content.needs.note.clone().unwrap_or_default());
        for (suffix, block) in [
            ("es", content.text.spanish()),
            ("en", content.text.english()),
        ] {
            if let Some(block) = block {
                push(&format!("headline_{suffix}"), block.headline.clone());
                push(&format!("description_{suffix}"), block.description.clone());
                push(
                    &format!("instruction_{suffix}"),
                    block.instruction.clone().unwrap_or_default(),
                );
            }
        }
        Values(values)
    }
}

/// Every field name of the content form (what `Values::from_form` keeps).
pub(super) const FIELDS: [&str; 25] = [
    "estimated_people",
    "women",
    "children",
    "unaccompanied_children",
    "pregnant_women",
    "people_with_disabilities",
    "older_people",
    "nationalities",
    "place",
    "latitude",
    "longitude",
    "radius_km",
    "location_description",
    "corridor",
    "direction",
    "stage",
    "need",
    "needs_note",
    "headline_es",
    "description_es",
    "instruction_es",
    "headline_en",
    "description_en",
    "instruction_en",
    "seen_on",
];

/// The centre of a polygon's points (their mean, enough to place a mark on a map).
pub(super) fn centroid(points: &[Point]) -> (f64, f64) {
    if points.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let n = points.len() as f64;
    (
        points.iter().map(|p| p.latitude).sum::<f64>() / n,
        points.iter().map(|p| p.longitude).sum::<f64>() / n,
    )
}

/// Reads the content fields. `places` are the places the form offered: a place not among
/// them is refused.
pub(super) fn read_content(
    translator: &Translator,
    lang: Lang,
    values: &Values,
    places: &[Place],
) -> Result<(AlertContent, Option<NaiveDate>), Vec<FieldError>> {
    let mut errors = Vec::new();
    let label = |field: &str| field_label(translator, lang, field);
    let error = |field: &'static str, id: &str| FieldError {
        field,
        message: translator.get(lang, id, &[("value", Arg::Text(&label(field)))]),
    };
    let mut counts = [None; 7];
    for (index, (field, _)) in GROUPS.iter().enumerate() {
        let raw = values.get(field).trim();
        if raw.is_empty() {
            if index == 0 {
                errors.push(error(field, "alert-error-required"));
            }
            continue;
        }
        match raw.replace([',', '.', ' ', '\u{202F}'], "").parse::<u32>() {
            Ok(count) => counts[index] = Some(count),
            Err(_) => errors.push(error(field, "alert-error-number")),
        }
    }
    let mut nationalities = Vec::new();
    for item in values
        .get("nationalities")
        .split([',', ';', '\n'])
        .map(str::trim)
        .filter(|item| !item.is_empty())
    {
        let parsed = item.split_once(':').and_then(|(code, count)| {
            Some(NationalityEstimate {
                nationality: Nationality::parse(code.trim()).ok()?,
                estimated_people: count.trim().parse().ok()?,
            })
        });
        match parsed {
            Some(estimate) => nationalities.push(estimate),
            None => {
                errors.push(error("nationalities", "alert-error-nationalities"));
                break;
            }
        }
    }
    let composition = counts[0].and_then(|estimated_people| {
        let parts = FlowCompositionParts {
            estimated_people,
            women: counts[1],
            children: counts[2],
            unaccompanied_children: counts[3],
            pregnant_women: counts[4],
            people_with_disabilities: counts[5],
            older_people: counts[6],
            nationalities,
        };
        FlowComposition::new(parts)
            .map_err(|refused| errors.push(domain_error("estimated_people", refused)))
            .ok()
    });

    let place_code = values.get("place").trim();
    let area = if !place_code.is_empty() {
        match places
            .iter()
            .find(|place| place.code.as_str() == place_code)
        {
            Some(place) => Some((
                Area::Place {
                    place: place.code.clone(),
                },
                place.name.clone(),
            )),
            None => {
                errors.push(error("place", "alert-error-choice"));
                None
            }
        }
    } else {
        let number = |field: &'static str, errors: &mut Vec<FieldError>| {
            let raw = values.get(field).trim();
            if raw.is_empty() {
                return None;
            }
            match raw.parse::<f64>() {
                Ok(value) if value.is_finite() => Some(value),
                _ => {
                    errors.push(FieldError {
                        field,
                        message: translator.get(
                            lang,
                            "alert-error-coordinate",
                            &[("value", Arg::Text(&field_label(translator, lang, field)))],
                        ),
                    });
                    None
                }
            }
        };
        let latitude = number("latitude", &mut errors);
        let longitude = number("longitude", &mut errors);
        let radius = number("radius_km", &mut errors);
        match (latitude, longitude, radius) {
            (Some(latitude), Some(longitude), Some(radius_km)) => Some((
                Area::Circle {
                    centre: Point {
                        latitude,
                        longitude,
                    },
                    radius_km,
                },
                format!("{latitude}, {longitude}"),
            )),
            _ => {
                if !errors
                    .iter()
                    .any(|e| matches!(e.field, "latitude" | "longitude" | "radius_km"))
                {
                    errors.push(FieldError {
                        field: "place",
                        message: translator.get(
                            lang,
                            "alert-error-location",
                            &[("value", Arg::Text(&label("place")))],
                        ),
                    });
                }
                None
            }
        }
    };
    let location = area.and_then(|(area, fallback)| {
        let given = values.get("location_description").trim();
        let description = if given.is_empty() { &fallback } else { given };
        AlertLocation::new(area, description)
            .map_err(|refused| errors.push(domain_error("location_description", refused)))
            .ok()
    });

    let corridor = match CorridorCode::parse(values.get("corridor")) {
        Ok(code) => Some(code),
        Err(_) => {
            errors.push(error("corridor", "alert-error-choice"));
            None
        }
    };
    let direction = Direction::parse(values.get("direction"))
        .map_err(|_| errors.push(error("direction", "alert-error-choice")))
        .ok();
    let stage = FlowStage::parse(values.get("stage"))
        .map_err(|_| errors.push(error("stage", "alert-error-choice")))
        .ok();
    let mut actions = std::collections::BTreeSet::new();
    for raw in values
        .0
        .iter()
        .filter(|(key, _)| key == "need")
        .map(|(_, v)| v)
    {
        match RequiredAction::parse(raw) {
            Ok(action) => {
                actions.insert(action);
            }
            Err(_) => errors.push(error("need", "alert-error-choice")),
        }
    }
    let note = Some(values.get("needs_note").trim().to_owned()).filter(|n| !n.is_empty());

    let block = |suffix: &str| {
        let headline = values.get(&format!("headline_{suffix}")).trim().to_owned();
        let description = values
            .get(&format!("description_{suffix}"))
            .trim()
            .to_owned();
        let instruction = values
            .get(&format!("instruction_{suffix}"))
            .trim()
            .to_owned();
        (!headline.is_empty() || !description.is_empty()).then(|| TextBlock {
            headline,
            description,
            instruction: Some(instruction).filter(|i| !i.is_empty()),
        })
    };
    let text = AlertText::new(block("es"), block("en"))
        .map_err(|refused| {
            let field = match &refused {
                CoreError::InvalidAlert {
                    field: "text.english",
                    ..
                } => "headline_en",
                _ => "headline_es",
            };
            errors.push(domain_error(field, refused));
        })
        .ok();

    let seen_on_raw = values.get("seen_on").trim();
    let seen_on = if seen_on_raw.is_empty() {
        None
    } else {
        match NaiveDate::parse_from_str(seen_on_raw, "%Y-%m-%d") {
            Ok(date) => Some(date),
            Err(_) => {
                errors.push(error("seen_on", "alert-error-date"));
                None
            }
        }
    };

    match (composition, location, corridor, direction, stage, text) {
        (
            Some(composition),
            Some(location),
            Some(corridor),
            Some(direction),
            Some(stage),
            Some(text),
        ) if errors.is_empty() => Ok((
            AlertContent {
                composition,
                location,
                route: Route {
                    corridor,
                    direction,
                },
                stage,
                needs: Needs { actions, note },
                text,
            },
            seen_on,
        )),
        _ => Err(errors),
    }
}

/// A value the domain refused: its words, on the field that holds it.
fn domain_error(field: &'static str, refused: CoreError) -> FieldError {
    let message = match refused {
        CoreError::InvalidAlert { reason, .. } => reason,
        other => other.to_string(),
    };
    FieldError { field, message }
}

/// The form field an error of the app names (`route.corridor`, `composition`, …).
pub(super) fn field_of_problem(column: Option<&str>) -> &'static str {
    match column.unwrap_or_default() {
        "route.corridor" | "route" => "corridor",
        "composition" => "estimated_people",
        "location" => "location_description",
        "text.english" => "headline_en",
        "text" | "text.spanish" => "headline_es",
        "needs.note" => "needs_note",
        "what_changed" => "what_changed",
        "country" => "country",
        _ => "form",
    }
}

/// The words of a field's label, for error messages.
pub(super) fn field_label(translator: &Translator, lang: Lang, field: &str) -> String {
    let t = |id: &str| translator.get(lang, id, &[]);
    if let Some((_, id)) = GROUPS.iter().find(|(name, _)| *name == field) {
        return t(id);
    }
    let in_language = |language: &str, part: &str| format!("{} — {}", t(language), t(part));
    match field {
        "nationalities" => t("alert-detail-nationalities"),
        "place" => t("alerts-new-place"),
        "latitude" => t("alerts-new-latitude"),
        "longitude" => t("alerts-new-longitude"),
        "radius_km" => t("alerts-new-radius"),
        "location_description" => t("alerts-new-location-description"),
        "corridor" => t("alerts-new-corridor"),
        "direction" => t("alerts-new-direction"),
        "stage" => t("alerts-new-stage"),
        "need" => t("alerts-new-needs"),
        "needs_note" => t("alerts-new-needs-note"),
        "seen_on" => t("alerts-new-seen-on"),
        "headline_es" => in_language("alerts-new-text-es", "alerts-new-headline"),
        "headline_en" => in_language("alerts-new-text-en", "alerts-new-headline"),
        "what_changed" => t("alert-form-what-changed"),
        "country" => t("alert-form-country"),
        _ => t("alert-detail-summary"),
    }
}

/// The list of errors above a form, each a link to its field.
pub(super) fn error_summary(translator: &Translator, lang: Lang, errors: &[FieldError]) -> Markup {
    html! {
        @if !errors.is_empty() {
            div class="form-error" role="alert" id="form-errors" {
                p { strong { (translator.get(lang, "alerts-new-errors", &[])) } }
                ul {
                    @for error in errors {
                        li { a href=(format!("#{}", error.field)) { (error.message) } }
                    }
                }
            }
        }
    }
}

fn field_error<'a>(errors: &'a [FieldError], field: &str) -> Option<&'a FieldError> {
    errors.iter().find(|error| error.field == field)
}

/// A labelled input with its error, if any, linked by `aria-describedby`.
fn input(
    label: &str,
    name: &'static str,
    kind: &str,
    values: &Values,
    errors: &[FieldError],
    extra: Option<&str>,
) -> Markup {
    let error = field_error(errors, name);
    let error_id = format!("{name}-error");
    html! {
        div class="field" {
            label for=(name) { (label) }
            @if let Some(error) = error {
                p class="field-error" id=(error_id) { (error.message) }
            }
            input type=(kind) id=(name) name=(name) value=(values.get(name))
                inputmode=[extra]
                aria-invalid=[error.map(|_| "true")]
                aria-describedby=[error.map(|_| error_id.as_str())];
        }
    }
}

fn textarea(label: &str, name: &'static str, values: &Values, errors: &[FieldError]) -> Markup {
    let error = field_error(errors, name);
    let error_id = format!("{name}-error");
    html! {
        div class="field" {
            label for=(name) { (label) }
            @if let Some(error) = error {
                p class="field-error" id=(error_id) { (error.message) }
            }
            textarea id=(name) name=(name) rows="3"
                aria-invalid=[error.map(|_| "true")]
                aria-describedby=[error.map(|_| error_id.as_str())] { (values.get(name)) }
        }
    }
}

fn select(
    label: &str,
    name: &'static str,
    options: &[(String, String)],
    values: &Values,
    errors: &[FieldError],
) -> Markup {
    let error = field_error(errors, name);
    let error_id = format!("{name}-error");
    html! {
        div class="field" {
            label for=(name) { (label) }
            @if let Some(error) = error {
                p class="field-error" id=(error_id) { (error.message) }
            }
            select id=(name) name=(name)
                aria-invalid=[error.map(|_| "true")]
                aria-describedby=[error.map(|_| error_id.as_str())] {
                @for (value, words) in options {
                    option value=(value) selected[values.get(name) == value] { (words) }
                }
            }
        }
    }
}

/// The content fields, in fieldsets with legends.
pub(super) fn content_fields(
    translator: &Translator,
    lang: Lang,
    values: &Values,
    errors: &[FieldError],
    places: &[Place],
    corridors: &[Corridor],
) -> Markup {
    let t = |id: &str| translator.get(lang, id, &[]);
    let mut place_options = vec![(String::new(), t("alerts-new-place-none"))];
    place_options.extend(
        places
            .iter()
            .map(|place| (place.code.as_str().to_owned(), place.name.clone())),
    );
    let corridor_options: Vec<(String, String)> = corridors
        .iter()
        .map(|c| (c.code().to_string(), c.name(lang == Lang::Es).to_owned()))
        .collect();
    let direction_options: Vec<(String, String)> = Direction::ALL
        .iter()
        .map(|d| (d.code().to_owned(), direction_name(translator, lang, *d)))
        .collect();
    let stage_options: Vec<(String, String)> = FlowStage::ALL
        .iter()
        .map(|s| (s.code().to_owned(), stage_name(translator, lang, *s)))
        .collect();
    let need_error = field_error(errors, "need");
    html! {
        @for (suffix, legend, language) in [("es", "alerts-new-text-es", "es"), ("en", "alerts-new-text-en", "en")] {
            fieldset lang=(language) {
                legend lang=(lang.code()) { (t(legend)) }
                (input_named(&t("alerts-new-headline"), &format!("headline_{suffix}"), values, errors))
                (textarea_named(&t("alerts-new-description"), &format!("description_{suffix}"), values))
                (textarea_named(&t("alerts-new-instruction"), &format!("instruction_{suffix}"), values))
            }
        }
        fieldset {
            legend { (t("alerts-new-composition")) }
            @for (name, id) in GROUPS {
                (input(&t(id), name, "text", values, errors, Some("numeric")))
            }
            (input(&t("alerts-new-nationalities"), "nationalities", "text", values, errors, None))
        }
        fieldset {
            legend { (t("alerts-new-location")) }
            (select(&t("alerts-new-place"), "place", &place_options, values, errors))
            (input(&t("alerts-new-latitude"), "latitude", "text", values, errors, Some("decimal")))
            (input(&t("alerts-new-longitude"), "longitude", "text", values, errors, Some("decimal")))
            (input(&t("alerts-new-radius"), "radius_km", "text", values, errors, Some("decimal")))
            (input(&t("alerts-new-location-description"), "location_description", "text", values, errors, None))
        }
        fieldset {
            legend { (t("alerts-new-route")) }
            (select(&t("alerts-new-corridor"), "corridor", &corridor_options, values, errors))
            (select(&t("alerts-new-direction"), "direction", &direction_options, values, errors))
            (select(&t("alerts-new-stage"), "stage", &stage_options, values, errors))
            (input(&t("alerts-new-seen-on"), "seen_on", "date", values, errors, None))
        }
        fieldset id="need" {
            legend { (t("alerts-new-needs")) }
            @if let Some(error) = need_error {
                p class="field-error" { (error.message) }
            }
            @for action in RequiredAction::ALL {
                @let id = format!("need-{}", action.code());
                div class="choice" {
                    input type="checkbox" id=(id) name="need" value=(action.code()) checked[values.has("need", action.code())];
                    label for=(id) { (action_name(translator, lang, *action)) }
                }
            }
            (textarea(&t("alerts-new-needs-note"), "needs_note", values, errors))
        }
    }
}

/// An input whose name is built at run time (the text fields of each language).
fn input_named(label: &str, name: &str, values: &Values, errors: &[FieldError]) -> Markup {
    let error = errors.iter().find(|error| error.field == name);
    let error_id = format!("{name}-error");
    html! {
        div class="field" {
            label for=(name) { (label) }
            @if let Some(error) = error {
                p class="field-error" id=(error_id) { (error.message) }
            }
            input type="text" id=(name) name=(name) value=(values.get(name)) maxlength="160"
                aria-invalid=[error.map(|_| "true")]
                aria-describedby=[error.map(|_| error_id.as_str())];
        }
    }
}

fn textarea_named(label: &str, name: &str, values: &Values) -> Markup {
    html! {
        div class="field" {
            label for=(name) { (label) }
            textarea id=(name) name=(name) rows="3" { (values.get(name)) }
        }
    }
}
