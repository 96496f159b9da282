//! Reading the archive being validated: its keys, and objects with their metadata, from S3 (through
//! `aws-sdk-s3`, each object from its own bucket) or from a folder copy, where a digest's metadata is read from
//! its sidecar `KEY.meta.json` (S3 object metadata does not survive a copy to disk).
use super::verify::Metadata;
use crate::model::integrity::chain::Location;
use crate::ssr::aws::clients::AwsClients;
use crate::ssr::aws::describe;
use crate::ssr::ingest::s3::S3Archive;
use crate::ssr::logs::key::layout;
use aws_sdk_s3::Client;
use std::collections::HashMap;
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
                let keys = tokio::task::spawn_blocking(move || {
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

    /// The object at `at` with its metadata (`with_metadata`: in a folder, from the sidecar); `Ok(None)` when
    /// there is no such object.
    pub async fn get(&self, at: &Location, with_metadata: bool) -> Result<Option<Object>, String> {
        match self {
            Self::Folder(root) => {
                let Some(path) = Self::folder_path(root, &at.key) else {
                    return Ok(None);
                };
                let bytes = match tokio::fs::read(&path).await {
                    Ok(bytes) => bytes,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
                    Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
                };
                let metadata = if with_metadata {
                    let mut sidecar = path.into_os_string();
                    sidecar.push(SIDECAR_SUFFIX);
                    match tokio::fs::read(&sidecar).await {
                        Ok(json) => serde_json::from_slice(&json).unwrap_or_default(),
                        Err(_) => Metadata::new(),
                    }
                } else {
                    Metadata::new()
                };
                Ok(Some(Object { bytes, metadata }))
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
                let metadata = object.metadata().cloned().unwrap_or_default();
                let bytes = object
                    .body
                    .collect()
                    .await
                    .map_err(|e| format!("cannot download: {e}"))?
                    .into_bytes()
                    .to_vec();
                Ok(Some(Object { bytes, metadata }))
            }
        }
    }
}
