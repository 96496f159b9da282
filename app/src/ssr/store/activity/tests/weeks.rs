//! Top-10 lists over windows of whole weeks (17 days of events) equal a count of every matching event, also on a
//! store made before `rollup_top` had weekly rows once it is opened.
use super::*;
use crate::ssr::store::top_rollup::weeks::{self, WEEK};

/// A store of 5,000 events over the 17 days up to [`END`], so that windows hold whole weeks of events.
fn weeks_store(dir: &Path) -> Store {
    store_of(dir, 5, 17, 5_000)
}

/// Asserts that the lists of windows holding whole weeks equal the scan's, for every read/write and errors
/// choice.
fn assert_week_lists_match_the_events(store: &Store) {
    let ranges = [
        RangeSpec::All,
        RangeSpec::Last(30 * DAY),
        // Whole weeks with whole days and partial hours at both ends.
        RangeSpec::Between(END - 16 * DAY - 5 * HOUR - 10 * 60, END - HOUR - 7 * 60),
        RangeSpec::Between(END - 15 * DAY, END - 8 * DAY + 3 * HOUR),
    ];
    store
        .read(|conn| {
            for range in ranges {
                for read_write in [ReadWrite::All, ReadWrite::Read, ReadWrite::Write] {
                    for errors_only in [false, true] {
                        let filter = ActivityFilter {
                            range,
                            account: None,
                            region: None,
                            read_write,
                            errors_only,
                        };
                        let lists = top_lists(conn, &filter, NOW)?;
                        assert_eq!(lists, scanned(conn, &filter, NOW), "{filter:?}");
                    }
                }
            }
            Ok(())
        })
        .expect("queries");
}

/// Whether the 30-day lists equal the scan's.
fn month_lists_match(store: &Store) -> bool {
    store
        .read(|conn| {
            let filter = ActivityFilter {
                range: RangeSpec::Last(30 * DAY),
                account: None,
                region: None,
                read_write: ReadWrite::All,
                errors_only: false,
            };
            Ok(top_lists(conn, &filter, NOW)? == scanned(conn, &filter, NOW))
        })
        .expect("lists")
}

#[test]
fn top_lists_of_whole_weeks_equal_a_scan_of_the_events() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = weeks_store(dir.path());
    assert_week_lists_match_the_events(&store);
    // The 30-day lists read the weekly rows: without their entries, they miss those weeks' events.
    assert!(month_lists_match(&store));
    store
        .write(|c| {
            c.execute(
                "UPDATE rollup_top SET entries = X'' WHERE span = ?1",
                [WEEK],
            )
        })
        .expect("blank weeks");
    assert!(!month_lists_match(&store));
}

/// Sets a 17-day store back to the schema before the weekly rows with `sql`, reopens it and asserts that its
/// lists equal the events' and that nothing is left asked for.
fn assert_reopened_before_weeks_lists_the_events(sql: &str) {
    let dir = tempfile::tempdir().expect("tmp");
    let store = weeks_store(dir.path());
    let store = reopened_before(dir.path(), store, weeks::MIGRATION, sql);
    assert_week_lists_match_the_events(&store);
    assert_nothing_asked(&store);
}

#[test]
fn a_store_made_before_the_weekly_rows_gives_the_same_lists_once_opened() {
    assert_reopened_before_weeks_lists_the_events(&format!(
        "DELETE FROM rollup_top WHERE span = {WEEK}"
    ));
}

#[test]
fn a_day_the_weekly_sum_cannot_read_has_the_events_counted_again() {
    // The last day of the event names list, a varint that never ends.
    assert_reopened_before_weeks_lists_the_events(
        "UPDATE rollup_top SET entries = X'80'
         WHERE span = 86400 AND dimension = 0 AND period = (SELECT max(period) FROM rollup_top WHERE span = 86400)",
    );
}

#[test]
fn search_totals_over_whole_weeks_equal_the_events_listed() {
    // One value of a list (and "user agent contains") counts its whole weeks from the weekly rows.
    let dir = tempfile::tempdir().expect("tmp");
    let store = weeks_store(dir.path());
    super::search_totals::assert_search_totals_equal_the_events_listed(&store);
}
