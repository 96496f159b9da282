//! A store whose `rollup_top` rows are of the fixed width the builds before `top_rollup::packed` wrote lists the
//! same events once it is opened, from rows a fifth of the size.
use super::*;
use crate::ssr::store::top_rollup::packed;

/// Bytes of every `rollup_top` row.
fn rollup_bytes(conn: &Connection) -> i64 {
    conn.query_row("SELECT sum(length(entries)) FROM rollup_top", [], |r| {
        r.get(0)
    })
    .expect("bytes")
}

#[test]
fn a_store_with_fixed_width_lists_gives_the_same_lists_once_opened() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = demo_store(dir.path());
    let before = assert_lists_match_the_events(&store);
    let packed_bytes = store.read(|c| Ok(rollup_bytes(c))).expect("bytes");
    store.write(|c| write_fixed_width(c)).expect("fixed width");
    let fixed_bytes = store.read(|c| Ok(rollup_bytes(c))).expect("bytes");
    let store = reopened_before(dir.path(), store, packed::MIGRATION, "");
    assert_eq!(assert_lists_match_the_events(&store), before);
    let bytes = store.read(|c| Ok(rollup_bytes(c))).expect("bytes");
    assert_eq!(bytes, packed_bytes);
    assert!(bytes * 3 < fixed_bytes, "{bytes} of {fixed_bytes} bytes");
    assert_nothing_asked(&store);
}

#[test]
fn a_row_that_cannot_be_repacked_has_the_events_counted_again() {
    let dir = tempfile::tempdir().expect("tmp");
    let store = demo_store(dir.path());
    let before = assert_lists_match_the_events(&store);
    store.write(|c| write_fixed_width(c)).expect("fixed width");
    // The last day of the event names list, one byte short of whole entries.
    let store = reopened_before(
        dir.path(),
        store,
        packed::MIGRATION,
        "UPDATE rollup_top SET entries = substr(entries, 1, length(entries) - 1)
         WHERE span = 86400 AND dimension = 0 AND period = (SELECT max(period) FROM rollup_top WHERE span = 86400)",
    );
    assert_eq!(assert_lists_match_the_events(&store), before);
    assert_nothing_asked(&store);
}
