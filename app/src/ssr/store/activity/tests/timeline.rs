//! Timelines read from the rollups equal a count of the events per bucket, also on a store made before the
//! timeline rollup (or its spans of hours) once it is opened.
use super::*;

#[test]
fn timelines_equal_a_count_of_the_events() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = demo_store(dir.path());
    assert_timelines_match_the_events(&store);
    // Every source a timeline reads was used: events, quarters, hours, 3 and 6 hours, and days.
    let sources: Vec<Source> = store
        .read(|conn| {
            filters(conn)
                .iter()
                .map(|f| {
                    Ok(Source::for_bucket(
                        resolve_window(conn, f.range, NOW)?.bucket_secs,
                    ))
                })
                .collect()
        })
        .expect("windows");
    for source in [
        Source::Events,
        Source::Timeline(timeline_rollup::QUARTER),
        Source::Hourly,
        Source::Timeline(timeline_rollup::THREE_HOURS),
        Source::Timeline(timeline_rollup::SIX_HOURS),
        Source::Timeline(DAY),
    ] {
        assert!(sources.contains(&source), "{source:?}");
    }
}

#[test]
fn a_store_made_before_the_timeline_rollup_gives_the_same_timelines_once_opened() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = demo_store(dir.path());
    let store = reopened_before(
        dir.path(),
        store,
        timeline_rollup::MIGRATION,
        "DROP TABLE rollup_timeline",
    );
    assert_timelines_match_the_events(&store);
}

#[test]
fn a_store_made_before_the_spans_of_hours_gives_the_same_timelines_once_opened() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = demo_store(dir.path());
    let store = reopened_before(
        dir.path(),
        store,
        timeline_rollup::HOURS_MIGRATION,
        &format!(
            "DELETE FROM rollup_timeline WHERE span IN ({}, {})",
            timeline_rollup::THREE_HOURS,
            timeline_rollup::SIX_HOURS
        ),
    );
    assert_timelines_match_the_events(&store);
}

/// Asserts that every filter's timeline equals a count of its events per bucket.
fn assert_timelines_match_the_events(store: &Store) {
    store
        .read(|conn| {
            for filter in filters(conn) {
                let w = resolve_window(conn, filter.range, NOW)?;
                let mut counted = Vec::new();
                if let Some((conds, params)) = conditions(conn, &filter, Table::Events)? {
                    let mut stmt = conn.prepare(&format!(
                        "SELECT event_time, read_only, error_code IS NOT NULL FROM events
                         WHERE event_time >= ? AND event_time < ?{conds}"
                    ))?;
                    let all_params = [w.start, w.end].into_iter().chain(params);
                    let mut rows = stmt.query(params_from_iter(all_params))?;
                    while let Some(row) = rows.next()? {
                        let (time, read_only, error): (i64, Option<i64>, bool) =
                            (row.get(0)?, row.get(1)?, row.get(2)?);
                        let one = |wanted| u64::from(read_only == wanted);
                        counted.push(TimelineBucket {
                            start: w.start + (time - w.start) / w.bucket_secs * w.bucket_secs,
                            read: one(Some(1)),
                            write: one(Some(0)),
                            other: one(None),
                            errors: u64::from(error),
                        });
                    }
                }
                let expected = Timeline::from_sparse(w.start, w.end, w.bucket_secs, counted);
                assert_eq!(timeline(conn, &filter, NOW)?, expected, "{filter:?}");
            }
            Ok(())
        })
        .expect("queries");
}
