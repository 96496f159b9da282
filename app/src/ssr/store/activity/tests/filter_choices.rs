//! The Activity filters offer exactly the accounts and Regions of the stored events: after a first load, an
//! incremental ingest and an Event History page of a new account and Region, and on a store made before
//! `account_regions` existed, once it is opened.
use super::*;
use crate::model::activity::FilterChoices;
use crate::ssr::store::account_regions;

/// The distinct values of an `events` column, sorted: what the filters must offer.
fn distinct(conn: &Connection, column: &str) -> Vec<String> {
    let sql = format!(
        "SELECT value FROM strings WHERE id IN (SELECT {column} FROM events) ORDER BY value"
    );
    let mut stmt = conn.prepare(&sql).expect("prepare");
    stmt.query_map([], |r| r.get(0))
        .expect("query")
        .collect::<Result<_, _>>()
        .expect("values")
}

/// Asserts that the choices are the events' accounts and Regions, and returns them.
fn assert_choices_are_the_events(store: &Store) -> FilterChoices {
    store
        .read(|conn| {
            let choices = account_regions::filter_choices(conn)?;
            assert_eq!(choices.accounts, distinct(conn, "account"));
            assert_eq!(choices.regions, distinct(conn, "region"));
            Ok(choices)
        })
        .expect("choices")
}

#[test]
fn the_filters_offer_the_accounts_and_regions_of_every_write() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = demo_store(dir.path());
    let first = assert_choices_are_the_events(&store);
    assert!(
        first.accounts.len() > 1 && first.regions.len() > 1,
        "{first:?}"
    );
    ingest(&store, &demo_archive(dir.path(), "more", 12, 3, 3_000));
    assert_choices_are_the_events(&store);

    // An Event History page of an account and a Region no file had.
    let records: Vec<String> = records_of_a_file(&dir.path().join("archive"))
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let mut record: serde_json::Value = serde_json::from_str(r).expect("record");
            record["eventID"] = format!("00000000-0000-4000-8000-{i:012}").into();
            record["recipientAccountId"] = "444455556666".into();
            record["awsRegion"] = "ap-southeast-4".into();
            record.to_string()
        })
        .collect();
    let records: Vec<&str> = records.iter().map(String::as_str).collect();
    let mut writer = EventWriter::new(&store).expect("writer");
    let (file, _) = crate::ssr::sync::page::page_file(
        "event-history/page-1".into(),
        "444455556666",
        "ap-southeast-4",
        &records,
        writer.dictionary(),
    )
    .expect("page");
    let written = writer
        .write_then(vec![file], ORIGIN_EVENT_HISTORY, |_| Ok(()))
        .expect("write");
    assert_eq!(written.events, records.len() as u64);
    let after = assert_choices_are_the_events(&store);
    assert!(after.accounts.contains(&"444455556666".to_owned()));
    assert!(after.regions.contains(&"ap-southeast-4".to_owned()));
    assert!(!first.regions.contains(&"ap-southeast-4".to_owned()));
}

#[test]
fn a_store_made_before_the_pairs_were_kept_offers_them_once_opened() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = demo_store(dir.path());
    let before = assert_choices_are_the_events(&store);
    let store = reopened_before(
        dir.path(),
        store,
        account_regions::MIGRATION,
        "DROP TABLE account_regions",
    );
    assert_eq!(assert_choices_are_the_events(&store), before);
}
