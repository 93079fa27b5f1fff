use corredor_app::{AppError, ImportRequest, SeriesRequest};
use corredor_core::{CountryCode, Granularity, Measure};
use corredor_exchange::observations::Format;

use crate::support::TestApp;

async fn import(
    test: &TestApp,
    country: &str,
    text: &str,
) -> Result<corredor_app::ImportReport, AppError> {
    let request = ImportRequest {
        country: Some(CountryCode::parse(country).unwrap()),
        format: Format::Csv,
        caller: &corredor_core::Caller::System,
        on_behalf_of: Some("test"),
    };
    test.app.import(request, "test.csv", text.as_bytes()).await
}

#[tokio::test]
async fn a_stock_is_never_summed_over_time_but_a_flow_is() {
    let test = TestApp::new().await;
    test.app.install_reference_data().await.unwrap();
    let file = "period,place,measure,value\n\
        2023-08-01,PA-ERM-LB,shelter_occupancy,900\n\
        2023-08-15,PA-ERM-LB,shelter_occupancy,1400\n\
        2023-08-31,PA-ERM-LB,shelter_occupancy,1100\n\
        2023-08-01,PA-ERM-LB,irregular_entry,2000\n\
        2023-08-15,PA-ERM-LB,irregular_entry,2500\n";
    import(&test, "PAN", file).await.unwrap();

    let mut stock = SeriesRequest::new(Measure::ShelterOccupancy, Granularity::Month);
    stock.countries = vec![CountryCode::parse("PAN").unwrap()];
    let stock = test
        .app
        .series(&corredor_core::Caller::System, &stock)
        .await
        .unwrap();
    assert_eq!(
        stock.lines[0].points[0].value, 1100,
        "the stock at the end of August, not 3,400"
    );

    let mut flow = SeriesRequest::new(Measure::IrregularEntry, Granularity::Month);
    flow.countries = vec![CountryCode::parse("PAN").unwrap()];
    let flow = test
        .app
        .series(&corredor_core::Caller::System, &flow)
        .await
        .unwrap();
    assert_eq!(flow.lines[0].points[0].value, 4500);
    assert!(
        flow.notes
            .iter()
            .any(|note| note.contains("sum of its places")),
        "{:?}",
        flow.notes
    );
}

#[tokio::test]
async fn a_country_cannot_report_at_a_place_of_another_country_and_nothing_is_written() {
    let test = TestApp::new().await;
    test.app.install_reference_data().await.unwrap();
    let file = "period,place,measure,value\n2023-08,PA-ERM-LB,irregular_entry,10\n2023-08,HN-DNL,irregular_entry,12\n";
    let Err(AppError::Invalid(problems)) = import(&test, "PAN", file).await else {
        panic!("a place of Honduras in Panama's file must be refused");
    };
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].line, 3);
    assert_eq!(test.app.store().count_observations().await.unwrap(), 0);
}

#[tokio::test]
async fn a_weekly_series_is_not_rolled_into_months() {
    let test = TestApp::new().await;
    test.app.install_reference_data().await.unwrap();
    import(
        &test,
        "CRI",
        "period,measure,value\n2023-W33,irregular_entry,700\n2023-W34,irregular_entry,650\n",
    )
    .await
    .unwrap();
    let mut monthly = SeriesRequest::new(Measure::IrregularEntry, Granularity::Month);
    monthly.countries = vec![CountryCode::parse("CRI").unwrap()];
    let monthly = test
        .app
        .series(&corredor_core::Caller::System, &monthly)
        .await
        .unwrap();
    assert!(monthly.lines.is_empty());
    assert!(
        monthly
            .notes
            .iter()
            .any(|note| note.contains("2 observation")),
        "{:?}",
        monthly.notes
    );
    let mut weekly = SeriesRequest::new(Measure::IrregularEntry, Granularity::Week);
    weekly.countries = vec![CountryCode::parse("CRI").unwrap()];
    assert_eq!(
        test.app
            .series(&corredor_core::Caller::System, &weekly)
            .await
            .unwrap()
            .lines[0]
            .total,
        1350
    );
}

#[tokio::test]
async fn two_files_that_give_the_same_value_are_refused_together() {
    let test = TestApp::new().await;
    test.app.install_reference_data().await.unwrap();
    let request = ImportRequest {
        country: Some(CountryCode::parse("PAN").unwrap()),
        format: Format::Csv,
        caller: &corredor_core::Caller::System,
        on_behalf_of: Some("test"),
    };
    let first = "period,measure,nationality,value\n2023-08,irregular_entry,VEN,57862\n";
    let second = "period,measure,nationality,value\n2023-08,irregular_entry,HTI,5105\n2023-08,irregular_entry,VEN,57900\n";
    let files: [(&str, &[u8]); 2] = [
        ("july.csv", first.as_bytes()),
        ("august.csv", second.as_bytes()),
    ];
    let Err(AppError::Invalid(problems)) =
        test.app.import_files(request, &files, &mut |_| {}).await
    else {
        panic!("the same value in two files must be refused");
    };
    assert_eq!(problems.len(), 1);
    assert_eq!(problems[0].file, "august.csv");
    assert!(
        problems[0].reason.contains("july.csv"),
        "{}",
        problems[0].reason
    );
    assert_eq!(test.app.store().count_observations().await.unwrap(), 0);
}
