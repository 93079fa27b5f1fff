//! Turning query parameters into the app's filters and requests.

use chrono::NaiveDate;
use corredor_app::store::{DimensionFilter, ObservationFilter, PlaceFilter};
use corredor_app::{Dimension, SeriesRequest};
use corredor_core::{
    AgeGroup, CoreError, CountryCode, Granularity, Measure, Nationality, Period, PlaceCode, Sex,
    Vulnerability,
};

use crate::params::Params;

/// `from`/`to` take a day or any period: `from=2023-08` means from the start of August,
/// `to=2023-08` up to its end.
fn bound(raw: &str, end: bool) -> Result<NaiveDate, CoreError> {
    let period = Period::parse(raw)?;
    Ok(if end { period.end() } else { period.start() })
}

fn dimension<T: Clone>(
    params: &mut Params,
    name: &'static str,
    parse: fn(&str) -> Result<T, CoreError>,
) -> DimensionFilter<T> {
    let mut total = false;
    let values = params.list(name, |raw| {
        if raw.eq_ignore_ascii_case("total") {
            total = true;
            Ok(None)
        } else {
            parse(raw).map(Some)
        }
    });
    let values: Vec<T> = values.into_iter().flatten().collect();
    match (total, values.is_empty()) {
        (false, true) => DimensionFilter::Any,
        (true, true) => DimensionFilter::Total,
        (false, false) => DimensionFilter::Values(values),
        (true, false) => {
            params.refuse(
                name,
                format!("`{name}` cannot be `total` and a list of codes at once"),
            );
            DimensionFilter::Any
        }
    }
}

pub fn observation_filter(params: &mut Params) -> ObservationFilter {
    let countries = params.list("country", CountryCode::parse);
    let mut country_level = false;
    let places = params.list("place", |raw| {
        if raw.eq_ignore_ascii_case("none") {
            country_level = true;
            Ok(None)
        } else {
            PlaceCode::parse(raw).map(Some)
        }
    });
    let places: Vec<PlaceCode> = places.into_iter().flatten().collect();
    let places = match (country_level, places.is_empty()) {
        (true, true) => PlaceFilter::CountryLevel,
        (false, true) => PlaceFilter::Any,
        (false, false) => PlaceFilter::Places(places),
        (true, false) => {
            params.refuse(
                "place",
                "`place` cannot be `none` and a list of places at once",
            );
            PlaceFilter::Any
        }
    };
    let measures = params.list("measure", Measure::parse);
    let nationality = dimension(params, "nationality", Nationality::parse);
    let sex = dimension(params, "sex", Sex::parse);
    let age_group = dimension(params, "age_group", AgeGroup::parse);
    let vulnerability = dimension(params, "vulnerability", Vulnerability::parse);
    let granularity = params.one("granularity", |raw| {
        Granularity::parse(raw).ok_or_else(|| format!("`{raw}` is not day, week, month or year"))
    });
    let from = params.one("from", |raw| bound(raw, false));
    let to = params.one("to", |raw| bound(raw, true));
    let limit = params.one("limit", |raw| match raw.parse::<u32>() {
        Ok(limit) if (1..=100_000).contains(&limit) => Ok(limit),
        _ => Err(format!("`{raw}` is not a limit between 1 and 100000")),
    });
    let offset = params.one("offset", |raw| {
        raw.parse::<u32>()
            .map_err(|_| format!("`{raw}` is not an offset (0 or more)"))
    });
    ObservationFilter {
        countries,
        places,
        measures,
        nationality,
        sex,
        age_group,
        vulnerability,
        granularity,
        from,
        to,
        limit: Some(limit.unwrap_or(10_000)),
        offset: offset.unwrap_or(0),
        // The application restricts this to what the caller may read.
        readable: Default::default(),
    }
}

pub fn series_request(params: &mut Params) -> Option<SeriesRequest> {
    let measure = params.one("measure", Measure::parse);
    let granularity = params
        .one("granularity", |raw| {
            Granularity::parse(raw)
                .ok_or_else(|| format!("`{raw}` is not day, week, month or year"))
        })
        .unwrap_or(Granularity::Month);
    let countries = params.list("country", CountryCode::parse);
    let places = params.list("place", PlaceCode::parse);
    let by = params.list("by", |raw| {
        Dimension::parse(raw).ok_or_else(|| {
            format!("`{raw}` is not a dimension (country, place, nationality, sex, age_group, vulnerability)")
        })
    });
    let nationalities = params.list("nationality", Nationality::parse);
    let sexes = params.list("sex", Sex::parse);
    let age_groups = params.list("age_group", AgeGroup::parse);
    let vulnerabilities = params.list("vulnerability", Vulnerability::parse);
    let from = params.one("from", |raw| bound(raw, false));
    let to = params.one("to", |raw| bound(raw, true));
    let top = params.one("top", |raw| match raw.parse::<usize>() {
        Ok(top) if top >= 1 => Ok(top),
        _ => Err(format!("`{raw}` is not a number of lines (1 or more)")),
    });
    let Some(measure) = measure else {
        params.refuse(
            "measure",
            format!("`measure` is required: one of {}", Measure::CODES.trim()),
        );
        return None;
    };
    Some(SeriesRequest {
        measure,
        countries,
        places,
        granularity,
        by,
        nationalities,
        sexes,
        age_groups,
        vulnerabilities,
        from,
        to,
        top,
    })
}
