//! One page of a pass: its rows read in order (`eventTime`, then `events.id`), its records read and their
//! detection rules run on several threads ([`detect`]), then every record fed to the correlation windows on one
//! thread, in the page's order ([`correlate`]). Detection is a pure function of the record, so the threads change
//! no result: the matches, their order and the windows are those of reading the page on one thread. Records are
//! split among the threads by block (log file), and each thread reads its records block by block, so each block
//! is decompressed by one thread, once per page.
use super::{FindingsError, MatchRow, next_pass};
use crate::ssr::findings::engine::Evaluator;
use crate::ssr::findings::record::LazyRecord;
use crate::ssr::store::Store;
use crate::ssr::store::records::{RecordAt, RecordReader};
use rsigma_eval::{EvaluationResult, JsonEvent};
use rusqlite::params;
use serde_json::Value;

/// An event of the page.
pub(super) struct Row {
    /// Its `events.id`.
    pub id: i64,
    /// Its `eventTime`, epoch seconds.
    pub event_time_secs: i64,
    /// Where its record is kept.
    pub at: RecordAt,
}

/// Where evaluation has read to: every event with `events.id <= through`, and of the pass in progress (its
/// last `events.id`, then the `eventTime` and `events.id` read up to) the events up to that point.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Position {
    pub through: i64,
    pub pass: Option<(i64, i64, i64)>,
}

/// A page: its events in order, and the position after them.
pub(super) struct Page {
    pub rows: Vec<Row>,
    pub next: Position,
}

/// A record the rules could not read (skipped, and shown as such on the Findings page).
pub(super) struct Unreadable {
    /// Its `events.id`.
    pub event: i64,
    /// Why, as the JSON parser says it.
    pub reason: String,
}

/// What detection found on a page: the records that matched a detection rule, in the page's order, and those
/// that could not be read.
pub(super) struct Detections {
    detected: Vec<Detected>,
    unreadable: Vec<Unreadable>,
}

/// A record that matched at least one detection rule: its index in the page, the record and the detections.
struct Detected {
    index: usize,
    record: LazyRecord<'static>,
    detections: Vec<EvaluationResult>,
}

/// The page after `at` (at most `page_events` events), or `None` when every event is evaluated. An empty page
/// ends its pass.
///
/// Errors: [`FindingsError::Store`].
pub(super) fn read(
    store: &Store,
    at: Position,
    page_events: i64,
) -> Result<Option<Page>, FindingsError> {
    let pass = match at.pass {
        Some(pass) => Some(pass),
        None => next_pass(store, at.through)?,
    };
    let Some((until, time, id)) = pass else {
        return Ok(None);
    };
    let rows = store.read(|conn| {
        let mut stmt = conn.prepare_cached(
            "SELECT id, event_time, block, ordinal FROM events INDEXED BY events_by_time
             WHERE event_time >= ?1 AND (event_time > ?1 OR id > ?2) AND id > ?3 AND id <= ?4
             ORDER BY event_time, id LIMIT ?5",
        )?;
        let rows = stmt
            .query_map(params![time, id, at.through, until, page_events], |r| {
                Ok(Row {
                    id: r.get(0)?,
                    event_time_secs: r.get(1)?,
                    at: RecordAt {
                        block: r.get(2)?,
                        ordinal: r.get(3)?,
                    },
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    })?;
    let next = match rows.last() {
        Some(last) => Position {
            through: at.through,
            pass: Some((until, last.event_time_secs, last.id)),
        },
        None => Position {
            through: until,
            pass: None,
        },
    };
    Ok(Some(Page { rows, next }))
}

/// Runs the detection rules of `detector` on the records of `rows`, on one thread per reader of `readers`.
///
/// Errors: [`FindingsError::Store`] when a record cannot be read back.
pub(super) fn detect(
    store: &Store,
    detector: &Evaluator,
    readers: &mut [RecordReader],
    rows: &[Row],
) -> Result<Detections, FindingsError> {
    let workers = readers.len().max(1);
    let parts = if workers == 1 || rows.len() < 2 * workers {
        let mut all = Vec::new();
        for (worker, reader) in readers.iter_mut().enumerate() {
            all.push(detect_part(store, detector, reader, rows, worker, workers)?);
        }
        all
    } else {
        std::thread::scope(|scope| {
            let handles: Vec<_> = readers
                .iter_mut()
                .enumerate()
                .map(|(worker, reader)| {
                    scope.spawn(move || detect_part(store, detector, reader, rows, worker, workers))
                })
                .collect();
            handles
                .into_iter()
                .map(|handle| {
                    handle
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect::<Result<Vec<_>, _>>()
        })?
    };
    let mut all = Detections {
        detected: Vec::new(),
        unreadable: Vec::new(),
    };
    for part in parts {
        all.detected.extend(part.detected);
        all.unreadable.extend(part.unreadable);
    }
    all.detected.sort_unstable_by_key(|d| d.index);
    all.unreadable.sort_unstable_by_key(|u| u.event);
    Ok(all)
}

/// Feeds the page's `rows`, with what detection found on them, to `evaluator`'s correlation windows in order;
/// returns the matches to store and the records that could not be read.
pub(super) fn correlate(
    evaluator: &mut Evaluator,
    rows: &[Row],
    detections: Detections,
) -> (Vec<MatchRow>, Vec<Unreadable>) {
    let nothing = Value::Null;
    let no_record = JsonEvent::borrow(&nothing);
    let mut detected = detections.detected.into_iter().peekable();
    let mut found = Vec::new();
    for (index, row) in rows.iter().enumerate() {
        match detected.next_if(|d| d.index == index) {
            Some(d) => {
                for m in evaluator.correlate(&d.record, d.detections, row.event_time_secs) {
                    found.push(MatchRow::new(row.id, row.event_time_secs, &d.record, m));
                }
            }
            // No detection: no window changes, so the record itself is not needed.
            None => {
                evaluator.correlate(&no_record, Vec::new(), row.event_time_secs);
            }
        }
    }
    (found, detections.unreadable)
}

/// Detection on the records of `rows` whose block falls to `worker` of `workers`.
fn detect_part(
    store: &Store,
    evaluator: &Evaluator,
    reader: &mut RecordReader,
    rows: &[Row],
    worker: usize,
    workers: usize,
) -> Result<Detections, FindingsError> {
    let mut found = Detections {
        detected: Vec::new(),
        unreadable: Vec::new(),
    };
    // Block by block, so that each block of the page is decompressed once, however many blocks the page's
    // time order interleaves (an organization trail delivers one file per account and Region at a time).
    let mut mine: Vec<usize> = (0..rows.len())
        .filter(|&index| rows[index].at.block.rem_euclid(workers as i64) as usize == worker)
        .collect();
    mine.sort_by_key(|&index| rows[index].at.block);
    store.read(|conn| {
        for index in mine {
            let row = &rows[index];
            let record = LazyRecord::new(reader.read_text(conn, row.at)?);
            let detections = evaluator.detect(&record);
            if let Err(reason) = record.check() {
                // One record the rules cannot read (e.g. nested past the parser's limit, which ingest stores)
                // must not stop the evaluation of every record after it: it is skipped, and counted.
                tracing::warn!(
                    event = row.id,
                    block = row.at.block,
                    record = row.at.ordinal,
                    reason = %reason,
                    "record not evaluated by the detection rules: it cannot be read"
                );
                found.unreadable.push(Unreadable {
                    event: row.id,
                    reason,
                });
                continue;
            }
            if !detections.is_empty() {
                found.detected.push(Detected {
                    index,
                    record: record.into_owned(),
                    detections,
                });
            }
        }
        Ok(())
    })?;
    Ok(found)
}
