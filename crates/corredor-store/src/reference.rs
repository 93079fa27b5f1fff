//! Reference data: countries, places and corridors, upserted by code.

use corredor_core::{
    Corridor, CorridorCode, CorridorNode, Country, CountryCode, Leg, Place, PlaceCode, PlaceKind,
    RcmStatus,
};

use crate::audit::{capped, NewAuditEntry, Tx};
use crate::error::StoreError;
use crate::sql::{Param, RowAccess};
use crate::Store;

impl Store {
    /// Inserts the countries, or updates the names and status of those already stored.
    pub async fn put_countries(&self, countries: &[Country]) -> Result<(), StoreError> {
        let statements = countries
            .iter()
            .map(|country| {
                let mut sql =
                    self.sql("INSERT INTO country (code, name_en, name_es, rcm_status) VALUES ");
                sql.bind_list([
                    Param::Text(country.code.to_string()),
                    Param::Text(country.name_en.clone()),
                    Param::Text(country.name_es.clone()),
                    Param::OptionalText(
                        country.rcm_status.map(|status| rcm_code(status).to_owned()),
                    ),
                ]);
                sql.push(
                    " ON CONFLICT (code) DO UPDATE SET name_en = excluded.name_en, \
                     name_es = excluded.name_es, rcm_status = excluded.rcm_status",
                );
                sql
            })
            .collect::<Vec<_>>();
        let codes: Vec<String> = countries.iter().map(|c| c.code.to_string()).collect();
        let mut tx = self.begin_audited().await?;
        let before = if codes.is_empty() {
            Vec::new()
        } else {
            let mut old =
                tx.sql("SELECT code, name_en, name_es, rcm_status FROM country WHERE code IN ");
            old.bind_list(codes.iter().cloned().map(Param::Text));
            old.push(" ORDER BY code");
            tx.fetch(old, country_from_row).await?
        };
        for sql in statements {
            tx.execute(sql).await?;
        }
        let subject = match countries {
            [country] => format!("country:{}", country.code),
            _ => format!("countries:{}", countries.len()),
        };
        let country = match countries {
            [country] => Some(country.code),
            _ => None,
        };
        let entry = NewAuditEntry {
            action: "put_countries".to_owned(),
            subject,
            country,
            before: listed("countries", &before)?,
            after: listed("countries", countries)?,
        };
        audit_and_commit(self, tx, &entry).await
    }

    /// Every stored country, by code.
    pub async fn countries(&self) -> Result<Vec<Country>, StoreError> {
        let sql = self.sql("SELECT code, name_en, name_es, rcm_status FROM country ORDER BY code");
        self.fetch(sql, country_from_row).await
    }

    /// Inserts the places, or updates those already stored. Their countries must be stored.
    pub async fn put_places(&self, places: &[Place]) -> Result<(), StoreError> {
        let statements = places
            .iter()
            .map(|place| {
                let mut sql = self.sql(
                    "INSERT INTO place (code, name, country, kind, counterpart, latitude, longitude) VALUES ",
                );
                sql.bind_list([
                    Param::Text(place.code.to_string()),
                    Param::Text(place.name.clone()),
                    Param::Text(place.country.to_string()),
                    Param::Text(place.kind.code().to_owned()),
                    Param::OptionalText(place.counterpart.map(|code| code.to_string())),
                    Param::Real(place.latitude),
                    Param::Real(place.longitude),
                ]);
                sql.push(
                    " ON CONFLICT (code) DO UPDATE SET name = excluded.name, \
                     country = excluded.country, kind = excluded.kind, \
                     counterpart = excluded.counterpart, latitude = excluded.latitude, \
                     longitude = excluded.longitude",
                );
                sql
            })
            .collect::<Vec<_>>();
        let mut tx = self.begin_audited().await?;
        let before = if places.is_empty() {
            Vec::new()
        } else {
            let mut old = tx.sql(&format!("{PLACE_COLUMNS} WHERE code IN "));
            old.bind_list(places.iter().map(|p| Param::Text(p.code.to_string())));
            old.push(" ORDER BY code");
            tx.fetch(old, place_from_row).await?
        };
        for sql in statements {
            tx.execute(sql).await?;
        }
        let subject = match places {
            [place] => format!("place:{}", place.code),
            _ => format!("places:{}", places.len()),
        };
        // The country whose places these are, when they are all of one.
        let country = match places.first() {
            Some(first) if places.iter().all(|p| p.country == first.country) => Some(first.country),
            _ => None,
        };
        let entry = NewAuditEntry {
            action: "put_places".to_owned(),
            subject,
            country,
            before: listed("places", &before)?,
            after: listed("places", places)?,
        };
        audit_and_commit(self, tx, &entry).await
    }

    /// Every stored place, by code.
    pub async fn places(&self) -> Result<Vec<Place>, StoreError> {
        let sql = self.sql(&format!("{PLACE_COLUMNS} ORDER BY code"));
        self.fetch(sql, place_from_row).await
    }

    /// One place, or [`StoreError::NotFound`].
    pub async fn place(&self, code: &PlaceCode) -> Result<Place, StoreError> {
        let mut sql = self.sql(&format!("{PLACE_COLUMNS} WHERE code = "));
        sql.bind(Param::Text(code.to_string()));
        self.fetch(sql, place_from_row)
            .await?
            .pop()
            .ok_or_else(|| StoreError::not_found(format!("place `{code}`")))
    }

    /// Inserts the corridor, or replaces the one stored with the same code.
    pub async fn put_corridor(&self, corridor: &Corridor) -> Result<(), StoreError> {
        let mut sql =
            self.sql("INSERT INTO corridor (code, name_en, name_es, nodes, legs) VALUES ");
        sql.bind_list([
            Param::Text(corridor.code().to_string()),
            Param::Text(corridor.name(false).to_owned()),
            Param::Text(corridor.name(true).to_owned()),
            Param::Text(to_json(corridor.nodes())?),
            Param::Text(to_json(corridor.legs())?),
        ]);
        sql.push(
            " ON CONFLICT (code) DO UPDATE SET name_en = excluded.name_en, \
             name_es = excluded.name_es, nodes = excluded.nodes, legs = excluded.legs",
        );
        let mut tx = self.begin_audited().await?;
        let mut old = tx.sql(&format!("{CORRIDOR_COLUMNS} WHERE code = "));
        old.bind(Param::Text(corridor.code().to_string()));
        let before = tx.fetch(old, corridor_from_row).await?.pop();
        tx.execute(sql).await?;
        let entry = NewAuditEntry {
            action: "put_corridor".to_owned(),
            subject: format!("corridor:{}", corridor.code()),
            country: None,
            before: before.as_ref().map(to_value).transpose()?,
            after: Some(to_value(corridor)?),
        };
        audit_and_commit(self, tx, &entry).await
    }

    /// Every stored corridor, by code.
    pub async fn corridors(&self) -> Result<Vec<Corridor>, StoreError> {
        let sql = self.sql(&format!("{CORRIDOR_COLUMNS} ORDER BY code"));
        self.fetch(sql, corridor_from_row).await
    }

    /// One corridor, or [`StoreError::NotFound`].
    pub async fn corridor(&self, code: &CorridorCode) -> Result<Corridor, StoreError> {
        let mut sql = self.sql(&format!("{CORRIDOR_COLUMNS} WHERE code = "));
        sql.bind(Param::Text(code.to_string()));
        self.fetch(sql, corridor_from_row)
            .await?
            .pop()
            .ok_or_else(|| StoreError::not_found(format!("corridor `{code}`")))
    }
}

const PLACE_COLUMNS: &str =
    "SELECT code, name, country, kind, counterpart, latitude, longitude FROM place";
const CORRIDOR_COLUMNS: &str = "SELECT code, name_en, name_es, nodes, legs FROM corridor";

/// Serialises a JSON column. Core types always serialise, but a failure is reported rather
/// than panicked on.
fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> Result<String, StoreError> {
    serde_json::to_string(value).map_err(|error| StoreError::Backend(error.to_string()))
}

fn to_value<T: serde::Serialize + ?Sized>(value: &T) -> Result<serde_json::Value, StoreError> {
    serde_json::to_value(value).map_err(|error| StoreError::Backend(error.to_string()))
}

/// `{"<name>": [first items], "unlisted": <rest>}`, or nothing for no items (a put of new
/// reference data has no "before").
fn listed<T: serde::Serialize>(
    name: &str,
    items: &[T],
) -> Result<Option<serde_json::Value>, StoreError> {
    if items.is_empty() {
        return Ok(None);
    }
    let (listed, unlisted) = capped(items)?;
    Ok(Some(
        serde_json::json!({ name: listed, "unlisted": unlisted }),
    ))
}

async fn audit_and_commit(
    store: &Store,
    mut tx: Tx,
    entry: &NewAuditEntry,
) -> Result<(), StoreError> {
    tx.audit(store.actor(), entry).await?;
    tx.commit().await
}

fn rcm_code(status: RcmStatus) -> &'static str {
    match status {
        RcmStatus::Member => "member",
        RcmStatus::Observer => "observer",
    }
}

pub(crate) fn country_code(raw: &str) -> Result<CountryCode, StoreError> {
    CountryCode::parse(raw).map_err(StoreError::corrupt)
}

pub(crate) fn place_code(raw: &str) -> Result<PlaceCode, StoreError> {
    PlaceCode::parse(raw).map_err(StoreError::corrupt)
}

fn country_from_row(row: &dyn RowAccess) -> Result<Country, StoreError> {
    let rcm_status = match row.optional_text(3)?.as_deref() {
        None => None,
        Some("member") => Some(RcmStatus::Member),
        Some("observer") => Some(RcmStatus::Observer),
        Some(other) => return Err(StoreError::corrupt(format!("RCM status `{other}`"))),
    };
    Ok(Country {
        code: country_code(&row.text(0)?)?,
        name_en: row.text(1)?,
        name_es: row.text(2)?,
        rcm_status,
    })
}

fn place_from_row(row: &dyn RowAccess) -> Result<Place, StoreError> {
    Ok(Place {
        code: place_code(&row.text(0)?)?,
        name: row.text(1)?,
        country: country_code(&row.text(2)?)?,
        kind: PlaceKind::parse(&row.text(3)?).map_err(StoreError::corrupt)?,
        counterpart: row
            .optional_text(4)?
            .map(|code| country_code(&code))
            .transpose()?,
        latitude: row.real(5)?,
        longitude: row.real(6)?,
    })
}

fn corridor_from_row(row: &dyn RowAccess) -> Result<Corridor, StoreError> {
    let code = CorridorCode::parse(&row.text(0)?).map_err(StoreError::corrupt)?;
    let nodes: Vec<CorridorNode> =
        serde_json::from_str(&row.text(3)?).map_err(StoreError::corrupt)?;
    let legs: Vec<Leg> = serde_json::from_str(&row.text(4)?).map_err(StoreError::corrupt)?;
    Corridor::new(code, &row.text(1)?, &row.text(2)?, nodes, legs).map_err(StoreError::corrupt)
}
