//! Reading the archive being validated: its keys, and objects with their metadata, from S3 (through
//! `aws-sdk-s3`, each object from its own bucket) or from a folder copy, where a digest's metadata is read from
//! its sidecar `KEY.meta.json` (S3 object metadata does not survive a copy to disk).
use super::verify::{MAX_DIGEST_BYTES, Metadata, check_log_stream, digest_too_large};
use crate::model::integrity::LogVerdict;
use crate::model::integrity::chain::Location;
use crate::ssr::aws::clients::AwsClients;
use crate::ssr::aws::describe;
use crate::ssr::ingest::folder::{Unopened, open_file};
use crate::ssr::ingest::s3::S3Archive;
use crate::ssr::logs::key::layout;
use aws_sdk_s3::Client;
use std::collections::HashMap;
use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;
use tokio::sync::Mutex;

/// The suffix of a digest's sidecar in a folder archive: `KEY.meta.json` holds the object's metadata as a
/// JSON object (`{"signature": …, "signature-algorithm": …, "backfill-generation-timestamp": …}`).
pub const SIDECAR_SUFFIX: &str = ".meta.json";

/// What is validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IntegritySource {
    /// A folder holding a copy of the bucket (or of anything from a trail's prefix down).
    Folder(PathBuf),
    /// A bucket, under a key prefix.
    S3(S3Archive),
}

impl std::fmt::Display for IntegritySource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Folder(path) => write!(f, "{}", path.display()),
            Self::S3(archive) if archive.prefix.is_empty() => write!(f, "s3://{}", archive.bucket),
            Self::S3(archive) => write!(f, "s3://{}/{}", archive.bucket, archive.prefix),
        }
    }
}

/// An object read whole.
pub struct Object {
    /// The object's bytes as stored (gzip-compressed for digest and log files).
    pub bytes: Vec<u8>,
    /// Its S3 object metadata (`x-amz-meta-` dropped), or a folder digest's sidecar.
    pub metadata: Metadata,
}

/// The archive being read.
pub enum Archive {
    /// A folder copy, with `KEY.meta.json` sidecars for digest metadata.
    Folder(PathBuf),
    /// A bucket, read with the default credential chain.
    S3 {
        /// Where the trail archive is: bucket and key prefix.
        archive: S3Archive,
        /// The AWS clients registry whose default credential chain reads the buckets.
        aws: Arc<AwsClients>,
        /// One client per bucket, in the bucket's Region.
        clients: Mutex<HashMap<String, Client>>,
    },
}

/// The S3 client for `bucket`: the one place validation makes S3 clients (in the bucket's own Region, with the
/// default credential chain, as ingest does).
async fn s3_client(aws: &AwsClients, bucket: &str) -> Client {
    crate::ssr::ingest::s3::client_for(aws, bucket).await
}

impl Archive {
    /// Opens `source`; S3 clients are made on first use, one per bucket.
    pub fn open(source: &IntegritySource, aws: Arc<AwsClients>) -> Self {
        match source {
            IntegritySource::Folder(root) => Self::Folder(root.clone()),
            IntegritySource::S3(archive) => Self::S3 {
                archive: archive.clone(),
                aws,
                clients: Mutex::new(HashMap::new()),
            },
        }
    }

    async fn client(&self, bucket: &str) -> Option<Client> {
        let Self::S3 { clients, aws, .. } = self else {
            return None;
        };
        let mut clients = clients.lock().await;
        if let Some(client) = clients.get(bucket) {
            return Some(client.clone());
        }
        let client = s3_client(aws, bucket).await;
        clients.insert(bucket.to_owned(), client.clone());
        Some(client)
    }

    /// Every key of the archive (relative to the folder; object keys under the prefix in S3), with the bucket
    /// they are in (`""` for a folder).
    pub async fn list(&self) -> Result<(String, Vec<String>), String> {
        match self {
            Self::Folder(root) => {
                let root = root.clone();
                let keys = crate::ssr::background::spawn_blocking(move || {
                    crate::ssr::ingest::folder::list_keys(&root)
                        .map(|listing| listing.keys)
                        .map_err(|e| e.to_string())
                })
                .await
                .map_err(|e| e.to_string())??;
                Ok((
                    String::new(),
                    keys.into_iter().map(|(key, _)| key).collect(),
                ))
            }
            Self::S3 { archive, .. } => {
                let client = self.client(&archive.bucket).await.ok_or("no client")?;
                let keys = crate::ssr::ingest::s3::list::keys_after(
                    client,
                    archive.bucket.clone(),
                    archive.folder(),
                    None,
                )
                .await
                .map_err(|reason| format!("cannot list {}: {reason}", archive.object_url("")))?;
                Ok((archive.bucket.clone(), keys))
            }
        }
    }

    /// Where an object a digest names (`bucket`, `key`) is in this archive. In S3, where it says; in a folder,
    /// below the folder's copy of `prefix` (the key prefix the chain was found under), from the layout's
    /// `AWSLogs/` on, whatever prefix the trail wrote it under.
    pub fn locate(&self, bucket: &str, key: &str, prefix: &str) -> Location {
        match self {
            Self::S3 { .. } => Location {
                bucket: bucket.to_owned(),
                key: key.to_owned(),
            },
            Self::Folder(_) => Location {
                bucket: String::new(),
                key: match layout(key) {
                    Some(parts) => format!("{prefix}{}", parts.tail(key)),
                    None => key.to_owned(),
                },
            },
        }
    }

    /// The folder of a folder archive (`None` in S3): its files are read in place, streamed.
    pub fn folder_root(&self) -> Option<&std::path::Path> {
        match self {
            Self::Folder(root) => Some(root),
            Self::S3 { .. } => None,
        }
    }

    /// The path of `key` inside the folder `root`, or `None` when the key would lead out of it: absolute, or
    /// with a `.` or `..` folder (CloudTrail never writes one; a digest naming one, planted or damaged, must
    /// not make validation read files outside the archive).
    pub fn folder_path(root: &std::path::Path, key: &str) -> Option<std::path::PathBuf> {
        let outside =
            key.starts_with('/') || crate::ssr::ingest::layout::refused_key(key).is_some();
        (!outside).then(|| root.join(key))
    }

    /// How a report names `at`: `s3://bucket/key`, or the file's path.
    pub fn display(&self, at: &Location) -> String {
        match self {
            Self::S3 { .. } => format!("s3://{}/{}", at.bucket, at.key),
            Self::Folder(root) => root.join(&at.key).display().to_string(),
        }
    }

    /// The digest file at `at` with its metadata (in a folder, from the sidecar, both opened by ingest's rule
    /// [`open_file`]); `Ok(None)` when there is no such object. Errors name why: a read error, a symbolic link
    /// not followed, or a file over [`MAX_DIGEST_BYTES`] (refused by its length or as it arrives, never held).
    pub async fn get(&self, at: &Location) -> Result<Option<Object>, String> {
        match self {
            Self::Folder(root) => {
                let Some(path) = Self::folder_path(root, &at.key) else {
                    return Ok(None);
                };
                let root = root.clone();
                crate::ssr::background::spawn_blocking(move || read_folder_digest(&root, &path))
                    .await
                    .map_err(|e| format!("cannot read: {e}"))?
            }
            Self::S3 { .. } => {
                let client = self.client(&at.bucket).await.ok_or("no client")?;
                let object = match client
                    .get_object()
                    .bucket(&at.bucket)
                    .key(&at.key)
                    .send()
                    .await
                {
                    Ok(object) => object,
                    Err(e) if e.as_service_error().is_some_and(|e| e.is_no_such_key()) => {
                        return Ok(None);
                    }
                    Err(e) => return Err(describe(&e)),
                };
                if object
                    .content_length()
                    .is_some_and(|n| n > MAX_DIGEST_BYTES as i64)
                {
                    return Err(digest_too_large());
                }
                let metadata = object.metadata().cloned().unwrap_or_default();
                let mut body = object.body;
                let mut bytes = Vec::new();
                while let Some(chunk) = body
                    .try_next()
                    .await
                    .map_err(|e| format!("cannot download: {e}"))?
                {
                    if bytes.len() + chunk.len() > MAX_DIGEST_BYTES {
                        return Err(digest_too_large());
                    }
                    bytes.extend_from_slice(&chunk);
                }
                Ok(Some(Object { bytes, metadata }))
            }
        }
    }

    /// Checks the log file at `at` in S3 against the digest's `hash` as its body arrives: the chunks are
    /// decompressed and hashed by [`check_log_stream`] on a blocking thread while the download goes on, so no
    /// log file is held whole. One larger than `max_bytes` (ingest's bound, compressed by its length or
    /// decompressed as it comes) is [`LogVerdict::TooLarge`]; a missing one [`LogVerdict::NotFound`]; a
    /// download that fails [`LogVerdict::InvalidFormat`], as the CLI reports any other exception.
    pub async fn check_s3_log(&self, at: &Location, hash: &str, max_bytes: usize) -> LogVerdict {
        let Some(client) = self.client(&at.bucket).await else {
            return LogVerdict::InvalidFormat;
        };
        let object = match client
            .get_object()
            .bucket(&at.bucket)
            .key(&at.key)
            .send()
            .await
        {
            Ok(object) => object,
            Err(e) if e.as_service_error().is_some_and(|e| e.is_no_such_key()) => {
                return LogVerdict::NotFound;
            }
            Err(_) => return LogVerdict::InvalidFormat,
        };
        if object
            .content_length()
            .is_some_and(|n| u64::try_from(n).unwrap_or(0) > max_bytes as u64)
        {
            return LogVerdict::TooLarge;
        }
        let (sender, receiver) = tokio::sync::mpsc::channel(CHUNKS_AHEAD);
        let hash = hash.to_owned();
        let checker = crate::ssr::background::spawn_blocking(move || {
            let reader = ChunkReader {
                receiver,
                chunk: None,
                at: 0,
            };
            check_log_stream(reader, &hash, max_bytes)
        });
        let mut body = object.body;
        let mut compressed = 0usize;
        loop {
            let next = match body.try_next().await {
                Ok(Some(chunk)) => {
                    compressed += chunk.len();
                    if compressed > max_bytes {
                        drop(sender);
                        checker.abort();
                        return LogVerdict::TooLarge;
                    }
                    Ok(chunk)
                }
                Ok(None) => break,
                Err(e) => Err(std::io::Error::other(e)),
            };
            let failed = next.is_err();
            // The checker stops reading once it has its verdict (too large, not gzip): stop downloading.
            if sender.send(next).await.is_err() || failed {
                break;
            }
        }
        drop(sender);
        checker.await.unwrap_or(LogVerdict::InvalidFormat)
    }
}

/// Chunks a log file's download keeps ahead of its decompression.
const CHUNKS_AHEAD: usize = 8;

/// The chunks of a download as a [`std::io::BufRead`], for [`check_log_stream`] on a blocking thread.
struct ChunkReader<T> {
    receiver: tokio::sync::mpsc::Receiver<std::io::Result<T>>,
    /// The chunk being read and how far.
    chunk: Option<T>,
    at: usize,
}

impl<T: AsRef<[u8]>> std::io::Read for ChunkReader<T> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        use std::io::BufRead;
        let available = self.fill_buf()?;
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl<T: AsRef<[u8]>> std::io::BufRead for ChunkReader<T> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        while self
            .chunk
            .as_ref()
            .is_none_or(|chunk| self.at >= chunk.as_ref().len())
        {
            match self.receiver.blocking_recv() {
                Some(Ok(chunk)) => {
                    self.chunk = Some(chunk);
                    self.at = 0;
                }
                Some(Err(e)) => return Err(e),
                None => return Ok(&[]),
            }
        }
        Ok(self
            .chunk
            .as_ref()
            .map_or(&[][..], |chunk| &chunk.as_ref()[self.at..]))
    }

    fn consume(&mut self, amount: usize) {
        self.at += amount;
    }
}

/// A folder archive's digest file at `path` (below `root`) and its sidecar, each opened by ingest's rule and
/// read within [`MAX_DIGEST_BYTES`].
fn read_folder_digest(
    root: &std::path::Path,
    path: &std::path::Path,
) -> Result<Option<Object>, String> {
    let read = |path: &std::path::Path| -> Result<Option<Vec<u8>>, String> {
        let file = match open_file(root, path) {
            Ok(file) => file,
            Err(Unopened::NotFound) => return Ok(None),
            Err(Unopened::LinkNotFollowed(reason) | Unopened::Failed(reason)) => {
                return Err(reason);
            }
        };
        let mut bytes = Vec::new();
        file.take(MAX_DIGEST_BYTES as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read: {e}"))?;
        if bytes.len() > MAX_DIGEST_BYTES {
            return Err(digest_too_large());
        }
        Ok(Some(bytes))
    };
    let Some(bytes) = read(path)? else {
        return Ok(None);
    };
    let mut sidecar = path.as_os_str().to_owned();
    sidecar.push(SIDECAR_SUFFIX);
    let metadata = match read(std::path::Path::new(&sidecar)) {
        Ok(Some(json)) => serde_json::from_slice(&json).unwrap_or_default(),
        _ => Metadata::new(),
    };
    Ok(Some(Object { bytes, metadata }))
}
