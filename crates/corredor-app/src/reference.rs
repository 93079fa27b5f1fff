//! Reference data: countries, places and corridors.

use corredor_core::{authorize, Action, Caller, Corridor, CorridorCode, Country, Place, PlaceCode};
use corredor_exchange::reference::{read_corridors, read_countries, read_places};
use serde::Serialize;

use crate::{App, AppError};

/// The reference data shipped with corredor (see `data/reference/README.md`).
pub(crate) const COUNTRIES_CSV: &str = include_str!("../../../data/reference/countries.csv");
pub(crate) const PLACES_CSV: &str = include_str!("../../../data/reference/places.csv");
pub(crate) const CORRIDORS_JSON: &str = include_str!("../../../data/reference/corridors.json");
/// Country outlines of the Americas (Natural Earth 1:110m), for the map.
pub const AMERICAS_GEOJSON: &str =
    include_str!("../../../data/reference/americas-countries-110m.geojson");

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ReferenceCounts {
    pub countries: usize,
    pub places: usize,
    pub corridors: usize,
}

impl App {
    /// Installs (or refreshes) the shipped reference data. Idempotent.
    pub async fn install_reference_data(&self) -> Result<ReferenceCounts, AppError> {
        let countries = read_countries(COUNTRIES_CSV.as_bytes(), "data/reference/countries.csv")
            .map_err(AppError::Invalid)?;
        let places = read_places(PLACES_CSV.as_bytes(), "data/reference/places.csv")
            .map_err(AppError::Invalid)?;
        let corridors = read_corridors(CORRIDORS_JSON.as_bytes(), "data/reference/corridors.json")
            .map_err(AppError::Invalid)?;
        self.store.put_countries(&countries).await?;
        self.store.put_places(&places).await?;
        for corridor in &corridors {
            self.store.put_corridor(corridor).await?;
        }
        Ok(ReferenceCounts {
            countries: countries.len(),
            places: places.len(),
            corridors: corridors.len(),
        })
    }

    pub async fn countries(&self) -> Result<Vec<Country>, AppError> {
        Ok(self.store.countries().await?)
    }

    pub async fn places(&self) -> Result<Vec<Place>, AppError> {
        Ok(self.store.places().await?)
    }

    pub async fn place(&self, code: &PlaceCode) -> Result<Place, AppError> {
        Ok(self.store.place(code).await?)
    }

    /// Adds or changes a place. Its country (and counterpart) must be known countries. A
    /// place belongs to its country: only that country's focal points (or the secretariat)
    /// change it, and moving it to another country needs both countries' right.
    pub async fn put_place(&self, caller: &Caller, place: &Place) -> Result<(), AppError> {
        authorize(caller, &Action::EditPlace(place.country))?;
        match self.store.place(&place.code).await {
            Ok(existing) => authorize(caller, &Action::EditPlace(existing.country))?,
            Err(corredor_store::StoreError::NotFound { .. }) => {}
            Err(error) => return Err(error.into()),
        }
        let countries = self.store.countries().await?;
        for (field, code) in [
            ("country", Some(place.country)),
            ("counterpart", place.counterpart),
        ] {
            if let Some(code) = code {
                if !countries.iter().any(|country| country.code == code) {
                    return Err(AppError::invalid(
                        field,
                        format!("{code} is not in the reference countries"),
                    ));
                }
            }
        }
        self.acting(caller)
            .put_places(std::slice::from_ref(place))
            .await?;
        Ok(())
    }

    pub async fn corridors(&self) -> Result<Vec<Corridor>, AppError> {
        Ok(self.store.corridors().await?)
    }

    pub async fn corridor(&self, code: &CorridorCode) -> Result<Corridor, AppError> {
        Ok(self.store.corridor(code).await?)
    }

    /// Adds or changes a corridor. Every node's places must exist and lie in that node's
    /// country.
    pub async fn put_corridor(&self, caller: &Caller, corridor: &Corridor) -> Result<(), AppError> {
        authorize(caller, &Action::EditReference)?;
        let places = self.store.places().await?;
        for node in corridor.nodes() {
            for code in &node.places {
                match places.iter().find(|place| &place.code == code) {
                    None => {
                        return Err(AppError::invalid(
                            "nodes",
                            format!("place {code} does not exist"),
                        ))
                    }
                    Some(place) if place.country != node.country => {
                        return Err(AppError::invalid(
                            "nodes",
                            format!(
                                "place {code} is in {}, not in {}",
                                place.country, node.country
                            ),
                        ))
                    }
                    Some(_) => {}
                }
            }
        }
        self.acting(caller).put_corridor(corridor).await?;
        Ok(())
    }
}
