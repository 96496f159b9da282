//! One page of a pass: its records read and their detection rules run on several threads, then every record
//! fed to the correlation windows on this one, in the page's order (`eventTime`, then `events.id`). Detection
//! is a pure function of the record, so the threads change no result: the matches, their order and the windows
//! are those of reading the page on one thread. Records are split among the threads by block (log file), so
//! each block is decompressed by one thread, about once.
use super::{FindingsError, MatchRow};
use crate::ssr::findings::engine::Evaluator;
use crate::ssr::findings::record::LazyRecord;
use crate::ssr::store::Store;
use crate::ssr::store::records::{RecordAt, RecordReader};
use rsigma_eval::{EvaluationResult, JsonEvent};
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

/// A record that matched at least one detection rule: its index in the page, the record and the detections.
struct Detected {
    index: usize,
    record: LazyRecord<'static>,
    detections: Vec<EvaluationResult>,
}

/// Evaluates `rows` (one page, in order) with `evaluator`, on one thread per reader of `readers`; returns the
/// matches to store.
///
/// Errors: [`FindingsError::Store`] when a record cannot be read back.
pub(super) fn evaluate(
    store: &Store,
    evaluator: &mut Evaluator,
    readers: &mut [RecordReader],
    rows: &[Row],
) -> Result<Vec<MatchRow>, FindingsError> {
    let workers = readers.len().max(1);
    let detector: &Evaluator = evaluator;
    let mut detected = if workers == 1 || rows.len() < 2 * workers {
        let mut all = Vec::new();
        for (worker, reader) in readers.iter_mut().enumerate() {
            all.extend(detect(store, detector, reader, rows, worker, workers)?);
        }
        all
    } else {
        std::thread::scope(|scope| {
            let handles: Vec<_> = readers
                .iter_mut()
                .enumerate()
                .map(|(worker, reader)| {
                    scope.spawn(move || detect(store, detector, reader, rows, worker, workers))
                })
                .collect();
            let mut all = Vec::new();
            for handle in handles {
                let found = handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))?;
                all.extend(found);
            }
            Ok::<_, FindingsError>(all)
        })?
    };
    detected.sort_unstable_by_key(|d| d.index);
    let nothing = Value::Null;
    let no_record = JsonEvent::borrow(&nothing);
    let mut detected = detected.into_iter().peekable();
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
    Ok(found)
}

/// Detection on the records of `rows` whose block falls to `worker` of `workers`.
fn detect(
    store: &Store,
    evaluator: &Evaluator,
    reader: &mut RecordReader,
    rows: &[Row],
    worker: usize,
    workers: usize,
) -> Result<Vec<Detected>, FindingsError> {
    let mut found = Vec::new();
    store.read(|conn| {
        for (index, row) in rows.iter().enumerate() {
            if row.at.block.rem_euclid(workers as i64) as usize != worker {
                continue;
            }
            let record = LazyRecord::new(reader.read_text(conn, row.at)?);
            let detections = evaluator.detect(&record);
            if let Err(why) = record.check() {
                // One record the rules cannot read (e.g. nested past the parser's limit, which ingest stores)
                // must not stop the evaluation of every record after it: it is skipped, by name, in the log.
                tracing::warn!(
                    event = row.id,
                    block = row.at.block,
                    record = row.at.ordinal,
                    reason = %why,
                    "record not evaluated by the detection rules: it cannot be read"
                );
                continue;
            }
            if !detections.is_empty() {
                found.push(Detected {
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
