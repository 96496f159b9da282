//! Listing an S3 archive in CloudTrail's layout (AWS-FACTS §3.1) with `ListObjectsV2`, folder by folder with
//! delimiter `/`: below the archive's prefix, the `AWSLogs/` folders (the prefix's own, and any up to
//! [`SEARCH_DEPTH`] folders further down: a trail whose key prefix contains `AWSLogs`, Control Tower's
//! `o-ORG/AWSLogs/`, several trails' prefixes in one bucket); in each, the accounts and `o-…/` organizations
//! whose folders are accounts; each account's `CloudTrail/` and `CloudTrail-Insight/` (not `CloudTrail-Digest/`:
//! digests are for integrity validation), their Region folders; then each Region prefix's keys after its
//! cursor, page by page. Days are walked in key order by that one paginated listing, which is what listing them
//! one by one would give, in fewer calls. Listings run at once, a bounded number at a time.
use super::S3Archive;
use crate::ssr::aws::describe;
use crate::ssr::ingest::{FileProblem, IngestError};
use crate::ssr::logs::key::{is_account_id, is_organization_id};
use aws_sdk_s3::Client;
use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;

/// Listings in flight at once.
const LISTS_AT_ONCE: usize = 16;
/// The folders under an account that hold log files.
const LOG_FOLDERS: [&str; 2] = ["CloudTrail", "CloudTrail-Insight"];
/// How many folders below the archive's prefix (or below an `AWSLogs/` folder) `AWSLogs/` folders are looked
/// for: trails' own key prefixes are rarely deeper.
const SEARCH_DEPTH: u8 = 3;
/// How many folders the search for `AWSLogs/` lists at most, so that a bucket full of other data is not
/// walked whole; the archive's prefix narrows the search.
const SEARCHED_FOLDERS: usize = 1000;

/// What a folder is in the layout, and so which of its children are listed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Folder {
    /// Above any `AWSLogs/`, this many folders below where the search started.
    Search(u8),
    /// An `AWSLogs/` folder, this many `AWSLogs/` folders deep.
    Root(u8),
    Organization,
    Account,
    /// `CloudTrail/` or `CloudTrail-Insight/`: its children are Region prefixes.
    Logs,
    Region,
}

/// What the child folder `name` of a `parent` folder is; `None` when it cannot hold log files.
fn child(parent: Folder, name: &str) -> Option<Folder> {
    match parent {
        Folder::Search(_) if name == "AWSLogs" => Some(Folder::Root(1)),
        Folder::Search(depth) => (depth < SEARCH_DEPTH).then_some(Folder::Search(depth + 1)),
        Folder::Root(depth) if name == "AWSLogs" => {
            (depth < SEARCH_DEPTH).then_some(Folder::Root(depth + 1))
        }
        Folder::Root(_) if is_organization_id(name) => Some(Folder::Organization),
        Folder::Root(_) | Folder::Organization => is_account_id(name).then_some(Folder::Account),
        Folder::Account => LOG_FOLDERS.contains(&name).then_some(Folder::Logs),
        Folder::Logs => Some(Folder::Region),
        Folder::Region => None,
    }
}

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
pub(crate) async fn keys_after(
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

/// The archive's Region prefixes and their new keys. Only an archive whose own folder cannot be listed at all
/// is an error; a folder below it that cannot be listed is a problem, and the rest is listed.
pub async fn list_archive(
    client: &Client,
    archive: &S3Archive,
    cursors: &HashMap<String, String>,
) -> Result<Listing, IngestError> {
    let bucket = &archive.bucket;
    let start = archive.folder();
    let start_kind = if folder_name(&start) == "AWSLogs" {
        Folder::Root(1)
    } else {
        Folder::Search(0)
    };
    let mut problems = Vec::new();
    let mut region_prefixes = Vec::new();
    let mut level = vec![(start.clone(), start_kind)];
    let mut searched = 0;
    while !level.is_empty() {
        let (prefixes, kinds): (Vec<String>, Vec<Folder>) = level.into_iter().unzip();
        let listed = list_each(prefixes, |p| folders(client.clone(), bucket.clone(), p)).await;
        level = Vec::new();
        for ((prefix, result), kind) in listed.into_iter().zip(kinds) {
            let children = match result {
                Ok(children) => children,
                Err(reason) if prefix == start => {
                    return Err(IngestError::S3List {
                        url: archive.object_url(&prefix),
                        reason,
                    });
                }
                Err(reason) => {
                    problems.push(FileProblem {
                        key: archive.object_url(&prefix),
                        reason: format!("cannot list: {reason}"),
                    });
                    continue;
                }
            };
            for found in children {
                match child(kind, folder_name(&found)) {
                    Some(Folder::Region) => region_prefixes.push(found),
                    Some(Folder::Search(_)) if searched >= SEARCHED_FOLDERS => {}
                    Some(kind) => {
                        searched += usize::from(matches!(kind, Folder::Search(_)));
                        level.push((found, kind));
                    }
                    None => {}
                }
            }
        }
    }
    if searched >= SEARCHED_FOLDERS {
        tracing::warn!(%archive, searched, "stopped looking for AWSLogs/ folders; name the trail's S3 key prefix in the archive's URL");
    }
    region_prefixes.sort();
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

/// Up to a thousand keys under the archive's prefix (one listing page): where to find an example of a file
/// out of the layout when the archive has no log folder.
pub async fn some_keys(client: &Client, archive: &S3Archive) -> Vec<String> {
    let listed = client
        .list_objects_v2()
        .bucket(&archive.bucket)
        .prefix(archive.folder())
        .send()
        .await;
    listed.map_or_else(
        |_| Vec::new(),
        |page| {
            page.contents()
                .iter()
                .filter_map(|o| o.key())
                .map(str::to_owned)
                .collect()
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The kinds a path of folder names walks through from `start`.
    fn walk(start: Folder, path: &str) -> Option<Folder> {
        path.split('/').try_fold(start, child)
    }

    #[test]
    fn log_folders_are_found_below_any_prefix() {
        let s = Folder::Search(0);
        for path in [
            "AWSLogs/111122223333/CloudTrail/eu-west-1",
            "AWSLogs/AWSLogs/111122223333/CloudTrail/eu-west-1",
            "o-a1b2c3d4e5/AWSLogs/o-a1b2c3d4e5/444455556666/CloudTrail/eu-west-1",
            "custom-prefix/AWSLogs/777788889999/CloudTrail-Insight/eu-west-1",
            "a/b/c/AWSLogs/777788889999/CloudTrail/eu-west-1",
        ] {
            assert_eq!(walk(s, path), Some(Folder::Region), "{path}");
        }
        assert_eq!(
            walk(Folder::Root(1), "AWSLogs/111122223333/CloudTrail/us-east-1"),
            Some(Folder::Region),
            "s3://bucket/AWSLogs when the trail's prefix is AWSLogs"
        );
        for path in [
            "a/b/c/d/AWSLogs/111122223333/CloudTrail/eu-west-1",
            "AWSLogs/111122223333/CloudTrail-Digest/eu-west-1",
            "AWSLogs/1111/CloudTrail/eu-west-1",
            "111122223333/CloudTrail/us-east-1/2026",
            "AWSLogs/o-a1b2c3d4e5/o-x/CloudTrail/us-east-1",
        ] {
            assert_eq!(walk(s, path), None, "{path}");
        }
    }
}
