//! Validation inside the server: the archives it knows (each configured S3 archive, and the demo's folder),
//! one run at a time, results kept in the store (`store::integrity_reports`). After each ingest only new
//! digests are validated ([`validate_new`]): from each chain's newest validated digest on, so the link a new
//! digest makes to it is checked. An admin's run ([`start_full`]) validates every digest again, which is what
//! finds a file changed after its hour was validated.
use super::progress::Progress;
use super::{IntegrityError, IntegritySource, ValidateOptions, validate_counting};
use crate::error::AppError;
use crate::model::integrity::status::{
    ArchiveOutcome, ArchiveStatus, ChainStatus, IntegrityStatus, RunProgress, ValidationStarted,
};
use crate::model::integrity::summary::IntegritySummary;
use crate::ssr::audit::{Action, Outcome};
use crate::ssr::auth::{Principal, audit, audit_entry};
use crate::ssr::state::AppState;
use crate::ssr::store::integrity_reports;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// An archive the server validates.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IntegrityArchive {
    /// Where it is.
    pub source: IntegritySource,
    /// A folder of public key files to verify its digests with; `None`: `ListPublicKeys` (AWS's keys).
    pub public_keys: Option<PathBuf>,
    /// The bounds ingest reads its files within (config `ingest_max_file_bytes`), which validation keeps too.
    pub limits: crate::ssr::ingest::IngestLimits,
}

/// The run going on now.
struct Current {
    run: RunProgress,
    progress: Arc<Progress>,
}

/// The server's validation state: its archives, and one run at a time.
#[derive(Default)]
pub struct IntegrityState {
    /// The archives validated, in order.
    pub archives: Vec<IntegrityArchive>,
    running: Arc<tokio::sync::Mutex<()>>,
    current: Mutex<Option<Current>>,
}

impl IntegrityState {
    /// The state for these archives, with nothing running.
    pub fn new(archives: Vec<IntegrityArchive>) -> Self {
        Self {
            archives,
            ..Self::default()
        }
    }

    /// Waits for the validation running now to end, then keeps any other from starting while the guard lives
    /// (an admin's start is answered "already running" meanwhile).
    pub async fn exclusive(&self) -> tokio::sync::OwnedMutexGuard<()> {
        self.running.clone().lock_owned().await
    }

    /// The run going on now, with its counts.
    pub fn run(&self) -> Option<RunProgress> {
        let current = self.current.lock().ok()?;
        let current = current.as_ref()?;
        let (digests_done, digests_total, logs_done, logs_total) = current.progress.read();
        Some(RunProgress {
            digests_done,
            digests_total,
            logs_done,
            logs_total,
            ..current.run.clone()
        })
    }

    fn set(&self, current: Option<Current>) {
        if let Ok(mut slot) = self.current.lock() {
            *slot = current;
        }
    }

    fn set_source(&self, source: String) {
        if let Ok(mut slot) = self.current.lock()
            && let Some(current) = slot.as_mut()
        {
            current.run.source = source;
        }
    }
}

/// Validates one archive (every digest when `full`, else those after its stored results) and stores what it
/// found. A failure is stored as the archive's outcome and logged.
async fn validate_archive(
    state: &AppState,
    archive: &IntegrityArchive,
    full: bool,
    progress: &Arc<Progress>,
) -> Result<(), AppError> {
    let source = archive.source.to_string();
    let previous = state
        .blocking({
            let source = source.clone();
            move |store| integrity_reports::load(store, &source)
        })
        .await?;
    let start_secs = if full {
        None
    } else {
        previous.as_ref().and_then(ArchiveStatus::new_digests_from)
    };
    let options = ValidateOptions {
        start_secs,
        end_secs: crate::ssr::clock::now_secs(),
        public_keys: archive.public_keys.clone(),
        limits: archive.limits,
        ..ValidateOptions::default()
    };
    let result = validate_counting(&state.aws, &archive.source, &options, progress).await;
    let at_secs = crate::ssr::clock::now_secs();
    let status = match result {
        Ok(report) => {
            let chains = report
                .chains
                .iter()
                .map(|chain| ChainStatus::from_report(chain, at_secs))
                .collect();
            let full = full || start_secs.is_none();
            ArchiveStatus::after_run(previous, source.clone(), chains, full, at_secs)
        }
        Err(error) => {
            tracing::warn!(%source, %error, "log file integrity validation failed");
            let outcome = match error {
                IntegrityError::NoDigests(_) => ArchiveOutcome::NoDigests,
                other => ArchiveOutcome::Failed {
                    reason: other.to_string(),
                },
            };
            let chains = previous.map(|p| p.chains).unwrap_or_default();
            ArchiveStatus {
                source: source.clone(),
                validated_at_secs: at_secs,
                full_validated_at_secs: None,
                outcome,
                chains,
            }
        }
    };
    let counts = IntegritySummary::of(&IntegrityStatus {
        archives: vec![status.clone()],
        sources: vec![source.clone()],
        ..IntegrityStatus::default()
    });
    tracing::info!(%source, full, found = ?counts.tally, "log file integrity validated");
    state
        .blocking(move |store| integrity_reports::save(store, &status))
        .await
}

/// Runs the validation of every archive in turn (the caller holds the run lock) and clears the progress.
async fn run_all(state: &AppState, full: bool, progress: Arc<Progress>) {
    for archive in &state.integrity.archives {
        state.integrity.set_source(archive.source.to_string());
        if let Err(error) = validate_archive(state, archive, full, &progress).await {
            tracing::warn!(%error, source = %archive.source, "cannot store the integrity validation");
        }
    }
    state.integrity.set(None);
}

fn begin(state: &AppState, full: bool, started_by: Option<String>) -> Arc<Progress> {
    let progress = Arc::new(Progress::default());
    state.integrity.set(Some(Current {
        run: RunProgress {
            full,
            started_at_secs: crate::ssr::clock::now_secs(),
            started_by,
            source: String::new(),
            ..RunProgress::default()
        },
        progress: progress.clone(),
    }));
    progress
}

/// Validates the digests that arrived since the last validation of each archive (everything, for an archive
/// never validated), after the run going on now if there is one. What it finds is stored.
pub async fn validate_new(state: &AppState) {
    if state.integrity.archives.is_empty() {
        return;
    }
    let _running = state.integrity.running.clone().lock_owned().await;
    let progress = begin(state, false, None);
    run_all(state, false, progress).await;
}

/// Starts validating every digest of every archive in the background, for admin `by` (audited). A request
/// while a validation runs starts nothing and says so (`started: false`, audited as refused).
/// Errors: [`AppError::Unavailable`] when no archive is configured.
pub async fn start_full(state: &AppState, by: &Principal) -> Result<ValidationStarted, AppError> {
    if state.integrity.archives.is_empty() {
        return Err(AppError::Unavailable {
            what: "log file validation (no trail archive is configured)".to_owned(),
        });
    }
    let actor = by.actor();
    let Ok(guard) = state.integrity.running.clone().try_lock_owned() else {
        let entry = audit_entry(&actor, Action::IntegrityValidated, None, Outcome::Refused).await;
        audit(state, entry).await?;
        return Ok(ValidationStarted {
            started: false,
            run: state.integrity.run(),
        });
    };
    let entry = audit_entry(&actor, Action::IntegrityValidated, None, Outcome::Succeeded).await;
    audit(state, entry).await?;
    let progress = begin(state, true, Some(actor));
    let run = state.integrity.run();
    let state = state.clone();
    tokio::spawn(async move {
        run_all(&state, true, progress).await;
        drop(guard);
    });
    Ok(ValidationStarted { started: true, run })
}

/// What is known of every archive the server validates, and the run going on now.
pub async fn status(state: &AppState) -> Result<IntegrityStatus, AppError> {
    let sources: Vec<String> = state
        .integrity
        .archives
        .iter()
        .map(|a| a.source.to_string())
        .collect();
    let stored = state.blocking(integrity_reports::all).await?;
    Ok(IntegrityStatus {
        now_secs: crate::ssr::clock::now_secs(),
        archives: stored
            .into_iter()
            .filter(|a| sources.contains(&a.source))
            .collect(),
        sources,
        run: state.integrity.run(),
    })
}

/// The one-line summary Activity shows.
pub async fn summary(state: &AppState) -> Result<IntegritySummary, AppError> {
    Ok(IntegritySummary::of(&status(state).await?))
}
