//! One evaluation pass: the rule set compiled into `rsigma-eval`'s correlation engine, fed CloudTrail records as
//! CloudTrail wrote them (so rules name CloudTrail's own fields: `eventName`, `userIdentity.type`,
//! `requestParameters.*`, …), each at its `eventTime`.
use super::FindingsError;
use super::rules::RuleSet;
use crate::model::findings::EVIDENCE_LIMIT;
use rsigma_eval::{
    CorrelationAction, CorrelationConfig, CorrelationEngine, CorrelationEventMode,
    CorrelationSnapshot, EvaluationResult, Event, ResultBody, TimestampFallback,
};
use serde_json::Value;
use std::collections::HashSet;

/// A rule that matched one record: a detection on the record itself, or a correlation whose window the record
/// completed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleMatch {
    /// The rule's Sigma `id`.
    pub rule_id: String,
    /// For a correlation, the `eventID`s of the events in its window (oldest first, at most
    /// [`EVIDENCE_LIMIT`]); empty for a detection, whose evidence is the record itself.
    pub window_event_ids: Vec<String>,
    /// For a correlation, the time (epoch seconds) of the oldest event of its window that rsigma keeps (the
    /// window's first unless it held more than [`EVIDENCE_LIMIT`]); `None` for a detection.
    pub window_start_secs: Option<i64>,
}

/// The compiled rules and their correlation windows.
pub struct Evaluator {
    engine: CorrelationEngine,
    /// The rules that make findings ([`RuleSet::info`]): not those only a correlation uses.
    shown: HashSet<String>,
}

impl Evaluator {
    /// The engine over every rule of `rules`, with empty windows.
    ///
    /// Errors: [`FindingsError::Compile`] when the rules, each fine alone, do not compile together.
    pub fn new(rules: &RuleSet) -> Result<Self, FindingsError> {
        let config = CorrelationConfig {
            // Every record has an `eventTime`; the store's copy is passed explicitly anyway.
            timestamp_fallback: TimestampFallback::Skip,
            // Sigma's default: a rule a correlation uses makes no finding of its own (`generate: false`).
            emit_detections: false,
            // A window that fired starts again, so 80 refused calls make 4 findings of 20, not 61.
            action_on_match: CorrelationAction::Reset,
            correlation_event_mode: CorrelationEventMode::Refs,
            max_correlation_events: EVIDENCE_LIMIT,
            ..CorrelationConfig::default()
        };
        let mut engine = CorrelationEngine::new(config);
        engine
            .add_collection(rules.collection())
            .map_err(|e| FindingsError::Compile(e.to_string()))?;
        Ok(Self {
            engine,
            shown: rules.info().keys().cloned().collect(),
        })
    }

    /// Evaluates one record (as CloudTrail wrote it) at `event_time_secs`, updating the correlation windows:
    /// [`Evaluator::detect`] then [`Evaluator::correlate`].
    pub fn process(&mut self, record: &Value, event_time_secs: i64) -> Vec<RuleMatch> {
        // Read as a stored record is (`LazyRecord`), derived fields included.
        let event = super::record::LazyRecord::new(record.to_string());
        let detections = self.detect(&event);
        self.correlate(&event, detections, event_time_secs)
    }

    /// The detection rules `record` matches, windows untouched. It takes `&self`, so several threads can detect
    /// at once; the results go to [`Evaluator::correlate`] in time order.
    pub fn detect(&self, record: &impl Event) -> Vec<EvaluationResult> {
        self.engine.evaluate(record)
    }

    /// Feeds one record's `detections` (from [`Evaluator::detect`]) to the correlation windows at
    /// `event_time_secs`; returns the record's findings: matches of the rules that make findings only. (rsigma
    /// drops the detections of a rule only a correlation uses when the correlation names it by `id`, not by
    /// `name`, so they are dropped here: otherwise every `List*` call would be stored as a match nobody sees.) A record without detections changes no window (its
    /// time only lets the engine drop expired ones when its state is full), so any event may stand for it.
    pub fn correlate(
        &mut self,
        record: &impl Event,
        detections: Vec<EvaluationResult>,
        event_time_secs: i64,
    ) -> Vec<RuleMatch> {
        self.engine
            .process_with_detections(record, detections, event_time_secs)
            .into_iter()
            .filter_map(|result| {
                let rule_id = result.header.rule_id.filter(|id| self.shown.contains(id))?;
                let (window_event_ids, window_start_secs) = match result.body {
                    ResultBody::Correlation(body) => {
                        let refs = body.event_refs.unwrap_or_default();
                        let start = refs.iter().map(|r| r.timestamp).min();
                        (refs.into_iter().filter_map(|r| r.id).collect(), start)
                    }
                    ResultBody::Detection(_) => (Vec::new(), None),
                };
                Some(RuleMatch {
                    rule_id,
                    window_event_ids,
                    window_start_secs,
                })
            })
            .collect()
    }

    /// The correlation windows as JSON, to continue from after a restart.
    pub fn export_state(&self) -> String {
        serde_json::to_string(&self.engine.export_state()).unwrap_or_default()
    }

    /// Continues from windows saved by [`Evaluator::export_state`]; windows of correlations no longer loaded are
    /// dropped.
    ///
    /// Errors: [`FindingsError::State`] when the JSON is not a snapshot this build of `rsigma-eval` reads.
    pub fn import_state(&mut self, json: &str) -> Result<(), FindingsError> {
        let snapshot: CorrelationSnapshot =
            serde_json::from_str(json).map_err(|e| FindingsError::State(e.to_string()))?;
        if self.engine.import_state(snapshot) {
            Ok(())
        } else {
            Err(FindingsError::State(
                "written by another snapshot version".to_owned(),
            ))
        }
    }
}
