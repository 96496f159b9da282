//! Listing an S3 archive in CloudTrail's layout (AWS-FACTS §3.1) with `ListObjectsV2`: the folders of
//! `PREFIX/AWSLogs/` with delimiter `/` (accounts, and `o-…/` organizations whose folders are accounts), each
//! account's `CloudTrail/` and `CloudTrail-Insight/` (not `CloudTrail-Digest/`: digests are for integrity
//! validation), their Region folders; then each Region prefix's keys after its cursor, page by page. Days are
//! walked in key order by that one paginated listing, which is what listing them one by one would give, in
//! fewer calls. Listings run at once, a bounded number at a time.
use super::S3Archive;
use crate::ssr::aws::describe;
use crate::ssr::ingest::{FileProblem, IngestError};
use aws_sdk_s3::Client;
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

/// Listings in flight at once.
const LISTS_AT_ONCE: usize = 16;
/// The folders under an account that hold log files.
const LOG_FOLDERS: [&str; 2] = ["CloudTrail", "CloudTrail-Insight"];

/// One Region prefix and its keys after the cursor, in key order.
pub struct RegionKeys {
    pub prefix: String,
    pub keys: Vec<String>,
}

pub struct Listing {
    pub regions: Vec<RegionKeys>,
    /// Folders that could not be listed (their keys are listed again next run).
    pub problems: Vec<FileProblem>,
}

/// The last folder name of a prefix ending in `/`.
fn folder_name(prefix: &str) -> &str {
    prefix
        .trim_end_matches('/')
        .rsplit('/')
        .next()
        .unwrap_or_default()
}

/// The folders directly under `prefix`.
async fn folders(client: Client, bucket: String, prefix: String) -> Result<Vec<String>, String> {
    let mut pages = client
        .list_objects_v2()
        .bucket(bucket)
        .prefix(prefix)
        .delimiter("/")
        .into_paginator()
        .send();
    let mut found = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| describe(&e))?;
        found.extend(
            page.common_prefixes()
                .iter()
                .filter_map(|p| p.prefix())
                .map(str::to_owned),
        );
    }
    Ok(found)
}

/// Every key under `prefix` after `start_after`, in key order (S3 lists in UTF-8 byte order).
async fn keys_after(
    client: Client,
    bucket: String,
    prefix: String,
    start_after: Option<String>,
) -> Result<Vec<String>, String> {
    let mut pages = client
        .list_objects_v2()
        .bucket(bucket)
        .prefix(prefix)
        .set_start_after(start_after)
        .into_paginator()
        .send();
    let mut keys = Vec::new();
    while let Some(page) = pages.next().await {
        let page = page.map_err(|e| describe(&e))?;
        keys.extend(
            page.contents()
                .iter()
                .filter_map(|o| o.key())
                .map(str::to_owned),
        );
    }
    Ok(keys)
}

/// Runs `list` for every prefix, [`LISTS_AT_ONCE`] at a time; results in the prefixes' order.
async fn list_each<T, F, Fut>(prefixes: Vec<String>, list: F) -> Vec<(String, Result<T, String>)>
where
    T: Send + 'static,
    F: Fn(String) -> Fut,
    Fut: Future<Output = Result<T, String>> + Send + 'static,
{
    let permits = Arc::new(tokio::sync::Semaphore::new(LISTS_AT_ONCE));
    let running: Vec<_> = prefixes
        .into_iter()
        .map(|prefix| {
            let (listing, permits) = (list(prefix.clone()), permits.clone());
            let task = tokio::spawn(async move {
                let _permit = permits.acquire_owned().await;
                listing.await
            });
            (prefix, task)
        })
        .collect();
    let mut results = Vec::with_capacity(running.len());
    for (prefix, task) in running {
        let result = task
            .await
            .unwrap_or_else(|e| Err(format!("the listing task failed: {e}")));
        results.push((prefix, result));
    }
    results
}

/// The archive's Region prefixes and their new keys. Only an archive whose `AWSLogs/` folder cannot be listed at
/// all is an error; a folder below it that cannot be listed is a problem, and the rest is listed.
pub async fn list_archive(
    client: &Client,
    archive: &S3Archive,
    cursors: &HashMap<String, String>,
) -> Result<Listing, IngestError> {
    let bucket = &archive.bucket;
    let root = archive.logs_root();
    let top = folders(client.clone(), bucket.clone(), root.clone())
        .await
        .map_err(|reason| IngestError::S3List {
            url: archive.object_url(&root),
            reason,
        })?;
    let mut problems = Vec::new();
    let mut children_of = async |prefixes: Vec<String>| {
        let mut children = Vec::new();
        let listed = list_each(prefixes, |p| folders(client.clone(), bucket.clone(), p)).await;
        for (prefix, result) in listed {
            match result {
                Ok(found) => children.extend(found),
                Err(reason) => problems.push(FileProblem {
                    key: archive.object_url(&prefix),
                    reason: format!("cannot list: {reason}"),
                }),
            }
        }
        children
    };
    let (organizations, mut accounts): (Vec<String>, Vec<String>) = top
        .into_iter()
        .partition(|p| folder_name(p).starts_with("o-"));
    accounts.extend(children_of(organizations).await);
    let mut log_folders = children_of(accounts).await;
    log_folders.retain(|p| LOG_FOLDERS.contains(&folder_name(p)));
    let region_prefixes = children_of(log_folders).await;
    let listed = list_each(region_prefixes, |p| {
        let start_after = cursors.get(&p).cloned();
        keys_after(client.clone(), bucket.clone(), p, start_after)
    })
    .await;
    let mut regions = Vec::with_capacity(listed.len());
    for (prefix, result) in listed {
        match result {
            Ok(keys) => regions.push(RegionKeys { prefix, keys }),
            Err(reason) => problems.push(FileProblem {
                key: archive.object_url(&prefix),
                reason: format!("cannot list: {reason}"),
            }),
        }
    }
    Ok(Listing { regions, problems })
}
