//! The S3 source: a trail bucket read in place through `aws-sdk-s3` with the default credential chain. The
//! archive is listed per Region prefix from its cursor (`s3/list`, `s3/cursor`), new log files are downloaded
//! [`GETS_IN_FLIGHT`] at a time on the async runtime and handed to the parser threads of the common pipeline.
//! SSE-S3 and SSE-KMS objects are decrypted by S3 itself (the credentials need `kms:Decrypt` on the key).
//!
//! Files are stored as `s3://bucket/key` (the whole object key, prefix included): keys of different buckets,
//! and of a folder ingest (stored relative to its folder), never collide, and a problem names the object so it
//! can be fetched as it is. The same archive ingested from a folder and from S3 is therefore read twice; its
//! events are stored once (by event ID).
//!
//! An object larger than [`IngestLimits::max_file_bytes`] is refused from its `Content-Length`, before its body
//! is read, and a body is read chunk by chunk, never past the bound. An archive with no log folder, or whose
//! listed keys hold no log file, is [`IngestError::NoLogFiles`].
mod cursor;
pub(crate) mod list;
mod url;

pub use url::S3Archive;

use super::{
    Fetched, FileProblem, IngestError, IngestLimits, IngestSummary, Progress, Source, load,
};
use crate::ssr::aws::clients::AwsClients;
use crate::ssr::aws::{default_region, describe};
use crate::ssr::logs::key::{KeyKind, LogKey, classify};
use crate::ssr::store::writer::ORIGIN_ARCHIVE;
use crate::ssr::store::{EventWriter, Store, StoreError};
use aws_sdk_s3::Client;
use cursor::{Cursors, ListedKey};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;
use tokio::sync::mpsc;

/// Downloads at once: a GET takes tens of milliseconds, mostly waiting, so many in flight keep parsers busy.
const GETS_IN_FLIGHT: usize = 32;
/// Downloaded files waiting for a parser thread.
const DOWNLOADED_FILES: usize = 64;

/// A log file to download.
struct Download {
    object_key: String,
    url: String,
    log_key: LogKey,
}

/// The parser threads' side of the downloads.
struct Downloaded(Mutex<mpsc::Receiver<Fetched>>);

impl Source for Downloaded {
    fn next_file(&self) -> Option<Fetched> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .blocking_recv()
    }
}

/// An S3 client in `region`, with the default credential chain of `aws`. Emulators on an IP address (moto in
/// the tests) answer only path-style requests (the bucket in the path), so a configured endpoint turns path
/// style on; AWS itself takes either.
async fn client_in(aws: &AwsClients, region: &str) -> Client {
    let config = aws.default_chain().sdk_config(region).await;
    let custom_endpoint =
        config.endpoint_url().is_some() || std::env::var_os("AWS_ENDPOINT_URL_S3").is_some();
    Client::from_conf(
        aws_sdk_s3::config::Builder::from(&config)
            .force_path_style(custom_endpoint)
            .build(),
    )
}

/// A client in the bucket's own Region: S3 answers requests sent to another Region with a redirect, which the
/// SDK does not follow, and names the bucket's Region in `x-amz-bucket-region` even when it refuses.
pub(crate) async fn client_for(aws: &AwsClients, bucket: &str) -> Client {
    let region = default_region()
        .await
        .unwrap_or_else(|| "us-east-1".to_owned());
    let client = client_in(aws, &region).await;
    let home = match client.head_bucket().bucket(bucket).send().await {
        Ok(head) => head.bucket_region().map(str::to_owned),
        Err(error) => error
            .raw_response()
            .and_then(|r| r.headers().get("x-amz-bucket-region"))
            .map(str::to_owned),
    };
    match home {
        Some(home) if home != region => client_in(aws, &home).await,
        _ => client,
    }
}

/// Attempts at reading one object's body. The SDK retries a request that fails (throttling, 5xx, a dropped
/// connection before the answer) by itself, but not a body cut off part way, which is read again from the
/// start here.
const BODY_ATTEMPTS: u32 = 3;
/// The wait before reading a cut-off body again, times the attempt number.
const BODY_RETRY_MS: u64 = 200;

/// Why one object could not be downloaded; only a body cut off part way is worth reading again.
enum GetError {
    /// Refused or failed as a request (after the SDK's retries), or over the size bound.
    Final(String),
    /// The body stopped arriving part way.
    Cut(String),
}

/// Downloads one object, refusing one larger than `limits` allows (by its length, then as it arrives), reading
/// a body cut off part way again up to [`BODY_ATTEMPTS`] times; the error says why, and how many times.
async fn get(
    client: &Client,
    bucket: &str,
    key: &str,
    limits: &IngestLimits,
) -> Result<Vec<u8>, String> {
    let mut attempt = 1;
    loop {
        match get_once(client, bucket, key, limits).await {
            Ok(bytes) => return Ok(bytes),
            Err(GetError::Cut(_)) if attempt < BODY_ATTEMPTS => {
                tokio::time::sleep(std::time::Duration::from_millis(
                    BODY_RETRY_MS * u64::from(attempt),
                ))
                .await;
                attempt += 1;
            }
            Err(GetError::Cut(reason)) => {
                return Err(format!(
                    "cannot download ({attempt} attempts, each cut off): {reason}"
                ));
            }
            Err(GetError::Final(reason)) => return Err(reason),
        }
    }
}

/// One download of an object (see [`get`]).
async fn get_once(
    client: &Client,
    bucket: &str,
    key: &str,
    limits: &IngestLimits,
) -> Result<Vec<u8>, GetError> {
    let object = client
        .get_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .map_err(|e| GetError::Final(format!("cannot download: {}", describe(&e))))?;
    let limit = limits.max_file_bytes;
    let length = object
        .content_length()
        .and_then(|n| usize::try_from(n).ok())
        .unwrap_or(0);
    if length > limit {
        return Err(GetError::Final(limits.compressed_too_large(length as u64)));
    }
    let mut body = object.body;
    let mut bytes = Vec::with_capacity(length);
    while let Some(chunk) = body
        .try_next()
        .await
        .map_err(|e| GetError::Cut(e.to_string()))?
    {
        if bytes.len() + chunk.len() > limit {
            return Err(GetError::Final(
                limits.compressed_too_large((bytes.len() + chunk.len()) as u64),
            ));
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// Downloads `work`, [`GETS_IN_FLIGHT`] at a time, into `sender`; stops early when the parsers have stopped.
async fn download_all(
    client: Client,
    bucket: String,
    limits: IngestLimits,
    work: Vec<Download>,
    sender: mpsc::Sender<Fetched>,
) {
    let permits = Arc::new(tokio::sync::Semaphore::new(GETS_IN_FLIGHT));
    for file in work {
        let Ok(permit) = permits.clone().acquire_owned().await else {
            return;
        };
        if sender.is_closed() {
            return;
        }
        let (client, bucket, sender) = (client.clone(), bucket.clone(), sender.clone());
        tokio::spawn(async move {
            let gz_bytes = get(&client, &bucket, &file.object_key, &limits).await;
            let fetched = Fetched {
                key: file.url,
                log_key: file.log_key,
                gz_bytes,
            };
            let _ = sender.send(fetched).await;
            drop(permit);
        });
    }
}

/// What a listing leaves to do: the files to download, the cursors of the listed keys, and the summary so far
/// (keys stored by earlier runs or not log files, folders that could not be listed). Keys are looked up one by
/// one: after the cursors a listing is short, and the store may hold millions of keys. A listing that found
/// no log file, with no folder that failed and no Region prefix read before (a cursor), is
/// [`IngestError::NoLogFiles`].
fn plan(
    writer: &EventWriter,
    archive: &S3Archive,
    listing: list::Listing,
    saved: &HashMap<String, String>,
    now: i64,
) -> Result<(Vec<Download>, Cursors, IngestSummary), IngestError> {
    let mut summary = IngestSummary {
        failed_listings: listing.problems.len() as u64,
        problems: listing.problems,
        ..IngestSummary::default()
    };
    let mut cursors = Cursors::default();
    let mut work = Vec::new();
    let read_before = listing
        .regions
        .iter()
        .any(|r| saved.contains_key(&r.prefix));
    for region in listing.regions {
        let mut listed = Vec::with_capacity(region.keys.len());
        for key in region.keys {
            let url = archive.object_url(&key);
            if let Some(reason) = super::layout::refused_key(&key) {
                // Refused for good: the cursor may pass it, so it is reported once.
                summary.failed_files += 1;
                summary.problems.push(FileProblem {
                    key: url.clone(),
                    reason,
                });
                listed.push(ListedKey {
                    key,
                    url,
                    done: true,
                });
                continue;
            }
            let done = match classify(&key) {
                KeyKind::Log(log_key) => {
                    let stored = writer.is_stored(&url)?;
                    if stored {
                        summary.skipped_known += 1;
                    } else {
                        work.push(Download {
                            object_key: key.clone(),
                            url: url.clone(),
                            log_key,
                        });
                    }
                    stored
                }
                KeyKind::Digest => {
                    summary.skipped_digests += 1;
                    true
                }
                KeyKind::Other => {
                    summary.skip_other(&key);
                    true
                }
            };
            listed.push(ListedKey { key, url, done });
        }
        let saved = saved.get(&region.prefix).cloned();
        cursors.add_prefix(region.prefix, saved, listed, now);
    }
    if work.is_empty() && summary.skipped_known == 0 && summary.problems.is_empty() && !read_before
    {
        return Err(IngestError::NoLogFiles {
            under: archive.to_string(),
            example: summary.other_example,
        });
    }
    Ok((work, cursors, summary))
}

/// Ingests the new log files of `archive` into `store` (the process's one open store) within `limits`, read
/// with the default credential chain of `aws`, calling `progress` after each committed batch. Each Region
/// prefix's cursor commits with the batch that lets it move.
pub async fn ingest_s3(
    store: Arc<Store>,
    aws: &AwsClients,
    archive: &S3Archive,
    limits: &IngestLimits,
    mut progress: Box<dyn FnMut(Progress) + Send>,
) -> Result<IngestSummary, IngestError> {
    let started = Instant::now();
    let client = client_for(aws, &archive.bucket).await;
    let bucket = archive.bucket.clone();
    let (writer, saved) = crate::ssr::background::spawn_blocking(move || {
        let writer = EventWriter::new(&store)?;
        let saved = cursor::load(&store, &bucket)?;
        Ok::<_, StoreError>((writer, saved))
    })
    .await
    .map_err(|e| IngestError::Task(e.to_string()))??;
    let listing = list::list_archive(&client, archive, &saved).await?;
    if listing.regions.is_empty() && listing.problems.is_empty() {
        let mut summary = IngestSummary::default();
        for key in list::some_keys(&client, archive).await {
            summary.skip_other(&key);
        }
        return Err(IngestError::NoLogFiles {
            under: archive.to_string(),
            example: summary.other_example,
        });
    }
    let now = crate::ssr::clock::now_secs();
    let planned = archive.clone();
    let (mut writer, work, mut cursors, mut summary) =
        crate::ssr::background::spawn_blocking(move || {
            let (work, cursors, summary) = plan(&writer, &planned, listing, &saved, now)?;
            Ok::<_, IngestError>((writer, work, cursors, summary))
        })
        .await
        .map_err(|e| IngestError::Task(e.to_string()))??;

    let total = work.len() as u64;
    let (sender, receiver) = mpsc::channel(DOWNLOADED_FILES);
    let downloads = tokio::spawn(download_all(
        client,
        archive.bucket.clone(),
        *limits,
        work,
        sender,
    ));
    let limits = *limits;
    let bucket = archive.bucket.clone();
    let loaded = crate::ssr::background::spawn_blocking(move || {
        let source = Downloaded(Mutex::new(receiver));
        let mut settle = |tx: &rusqlite::Transaction<'_>, stored: &[String]| {
            cursors.stored(stored);
            cursors.save_moves(tx, &bucket, now)
        };
        load(
            &mut writer,
            &source,
            &limits,
            total,
            &mut summary,
            &mut settle,
            &mut *progress,
        )?;
        // Keys stored by earlier runs (or not log files) move cursors even when this run stored nothing.
        writer.write_then(Vec::new(), ORIGIN_ARCHIVE, |tx| {
            cursors.save_moves(tx, &bucket, now)
        })?;
        writer.checkpoint()?;
        Ok::<_, StoreError>(summary)
    })
    .await;
    downloads.abort();
    let mut summary = loaded.map_err(|e| IngestError::Task(e.to_string()))??;
    summary.problems.sort_by(|a, b| a.key.cmp(&b.key));
    summary.elapsed_secs = started.elapsed().as_secs_f64();
    Ok(summary)
}
