use corredor_core::{Corridor, CorridorCode, CorridorNode, Leg, PlaceKind, RcmStatus};
use corredor_store::{Backend, Store, StoreError};

use crate::support::{countries, country, each_backend, place_code, places, with_reference};

fn northbound() -> Corridor {
    let node = |code: &str, places: &[&str]| CorridorNode {
        country: country(code),
        places: places.iter().map(|p| place_code(p)).collect(),
    };
    let leg = |from: &str, to: &str, days: u16| Leg {
        from: country(from),
        to: country(to),
        typical_transit_days: days,
    };
    Corridor::new(
        CorridorCode::parse("northbound").unwrap(),
        "Northbound corridor",
        "Corredor hacia el norte",
        vec![
            node("PAN", &["PA-LB", "PA-SV"]),
            node("CRI", &["CR-EM"]),
            node("MEX", &[]),
        ],
        vec![leg("PAN", "CRI", 3), leg("CRI", "MEX", 25)],
    )
    .unwrap()
}

#[tokio::test]
async fn countries_places_and_corridors_come_back_as_they_were_stored() {
    each_backend(|store| async move {
        with_reference(&store).await;
        store.put_corridor(&northbound()).await.unwrap();

        let mut expected_countries = countries();
        expected_countries.sort_by_key(|c| c.code);
        assert_eq!(store.countries().await.unwrap(), expected_countries);
        let mut expected_places = places();
        expected_places.sort_by(|a, b| a.code.cmp(&b.code));
        assert_eq!(store.places().await.unwrap(), expected_places);
        assert_eq!(
            store.place(&place_code("PA-LB")).await.unwrap().name,
            "Lajas Blancas"
        );
        assert_eq!(store.corridors().await.unwrap(), vec![northbound()]);
        assert_eq!(
            store
                .corridor(&CorridorCode::parse("northbound").unwrap())
                .await
                .unwrap(),
            northbound()
        );
    })
    .await;
}

#[tokio::test]
async fn putting_reference_data_again_updates_it_by_code() {
    each_backend(|store| async move {
        with_reference(&store).await;
        let mut renamed = countries();
        renamed[0].name_en = "Republic of Panama".to_owned();
        renamed[0].rcm_status = Some(RcmStatus::Observer);
        store.put_countries(&renamed).await.unwrap();
        let mut moved = places();
        moved[0].kind = PlaceKind::Shelter;
        moved[0].latitude = 8.3;
        store.put_places(&moved).await.unwrap();

        let stored = store.countries().await.unwrap();
        assert_eq!(stored.len(), 4);
        let panama = stored.iter().find(|c| c.code == country("PAN")).unwrap();
        assert_eq!(panama.name_en, "Republic of Panama");
        assert_eq!(panama.rcm_status, Some(RcmStatus::Observer));
        let place = store.place(&place_code("PA-LB")).await.unwrap();
        assert_eq!((place.kind, place.latitude), (PlaceKind::Shelter, 8.3));
        assert_eq!(store.places().await.unwrap().len(), 4);
    })
    .await;
}

#[tokio::test]
async fn a_place_or_corridor_never_stored_is_not_found() {
    each_backend(|store| async move {
        with_reference(&store).await;
        assert!(matches!(
            store.place(&place_code("GT-TECUN")).await,
            Err(StoreError::NotFound { what }) if what.contains("GT-TECUN")
        ));
        assert!(matches!(
            store
                .corridor(&CorridorCode::parse("pacific").unwrap())
                .await,
            Err(StoreError::NotFound { .. })
        ));
    })
    .await;
}

#[tokio::test]
async fn a_place_in_a_country_not_stored_is_refused_by_a_constraint() {
    each_backend(|store| async move {
        let result = store.put_places(&places()).await;
        assert!(
            matches!(result, Err(StoreError::Conflict { .. })),
            "{result:?}"
        );
        assert!(store.places().await.unwrap().is_empty());
    })
    .await;
}

#[tokio::test]
async fn an_unsupported_database_url_names_its_scheme_and_not_its_password() {
    let error = Store::connect("mysql://admin:secret@db/corredor")
        .await
        .unwrap_err();
    assert_eq!(
        error,
        StoreError::UnsupportedUrl {
            scheme: "mysql".to_owned()
        }
    );
    let message = error.to_string();
    assert!(
        message.contains("mysql") && !message.contains("secret"),
        "{message}"
    );
    assert!(Store::connect("corredor.sqlite").await.is_err());
}

#[tokio::test]
async fn a_bare_path_ending_in_db_creates_an_sqlite_file_and_reopens_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("corredor.db");
    let path = path.to_str().unwrap();
    let store = Store::connect(path).await.unwrap();
    assert_eq!(store.backend(), Backend::Sqlite);
    with_reference(&store).await;
    store.close().await;
    assert!(std::path::Path::new(path).exists());

    let reopened = Store::connect(&format!("sqlite://{path}")).await.unwrap();
    assert_eq!(reopened.countries().await.unwrap().len(), 4);
    reopened.close().await;
}
