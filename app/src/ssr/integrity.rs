//! Log file integrity validation of a trail archive, in S3 or in a folder: what `aws cloudtrail
//! validate-logs` does for one trail and Region (AWS-FACTS §4.4), for every account, Region and trail found
//! under `AWSLogs/[o-ORG/]ACCOUNT/CloudTrail-Digest/REGION/` at once, chains in parallel, plus the log files
//! no digest lists. The pure parts (verdicts, the chain walk, the unlisted rule) are `model::integrity`.
pub mod archive;
pub mod keys;
pub mod progress;
pub mod service;
pub mod sign;
pub mod verify;
mod walk;

pub use archive::IntegritySource;

use crate::model::integrity::chain::{
    Location, is_backfill_key, key_date_secs, log_delivery_secs, unlisted_logs,
};
use crate::model::integrity::{ChainReport, IntegrityReport, UnlistedLog};
use crate::ssr::aws::clients::AwsClients;
use crate::ssr::ingest::IngestLimits;
use crate::ssr::logs::key::layout;
use archive::Archive;
use keys::Keyring;
use progress::Progress;
use std::collections::{BTreeMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

/// What to validate, as `trailscope validate` takes it.
#[derive(Clone, Debug, Default)]
pub struct ValidateOptions {
    /// Only these accounts (12 digits); empty: all.
    pub accounts: Vec<String>,
    /// Only these Regions (the digests' Regions); empty: all.
    pub regions: Vec<String>,
    /// Only the trail with this name (as digest file names state it); `None`: all.
    pub trail: Option<String>,
    /// The window: digests whose names date from `start_secs` to `end_secs` + 1 h (the CLI's spill-over);
    /// `None`: from the oldest.
    pub start_secs: Option<i64>,
    /// The end of the window (epoch seconds).
    pub end_secs: i64,
    /// A folder of public key files instead of `ListPublicKeys`.
    pub public_keys: Option<PathBuf>,
    /// The bounds ingest reads files within (config `ingest_max_file_bytes`): a log file that decompresses past
    /// `max_file_bytes` is reported [`crate::model::integrity::LogVerdict::TooLarge`] and the run goes on.
    pub limits: IngestLimits,
}

/// Why a validation run could not start.
#[derive(Debug, thiserror::Error)]
pub enum IntegrityError {
    /// The archive could not be listed (S3 `ListObjects` or the folder).
    #[error("{0}")]
    List(String),
    /// The `--public-keys` folder could not be read.
    #[error("cannot read the public keys: {0}")]
    PublicKeys(String),
    #[error(
        "no CloudTrail digest file found under {0}: digests are read from keys laid out as \
         …/AWSLogs/[o-ORG/]ACCOUNT/CloudTrail-Digest/REGION/YYYY/MM/DD/ACCOUNT_CloudTrail-Digest_REGION_TRAIL_HOMEREGION_YYYYMMDDTHHMMSSZ.json.gz"
    )]
    /// No digest file in the archive (the source is named).
    NoDigests(String),
}

/// The window of a run.
#[derive(Clone, Copy, Debug)]
pub struct Window {
    /// The start of the requested window (epoch seconds); `None`: from the oldest digest.
    pub start_secs: Option<i64>,
    /// The end of the requested window (epoch seconds); digests are listed up to an hour after it.
    pub end_secs: i64,
}

/// Listed digests are kept up to an hour after the window's end: log files delivered in the window may be in
/// the next digest (aws-cli `load_all_digest_keys_in_range`).
const SPILL_OVER_SECS: i64 = 3600;

/// One chain: a trail's digests of one Region, under one key prefix.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ChainId {
    /// The key prefix before `AWSLogs/` (with its `/`), as found in the archive.
    pub prefix: String,
    /// The AWS Organizations ID (`o-…`) of an organization trail's folder.
    pub org_id: Option<String>,
    /// The 12-digit account ID of the `AWSLogs/ACCOUNT/` folder.
    pub account_id: String,
    /// The Region whose digests these are (the `CloudTrail-Digest/REGION/` folder).
    pub region: String,
    /// The trail's name, from the digest file names.
    pub trail_name: String,
    /// The trail's home Region, from the digest file names.
    pub home_region: String,
}

impl ChainId {
    /// The chain of a digest key, when `key` is one:
    /// `…/CloudTrail-Digest/REGION/Y/M/D/ACCOUNT_CloudTrail-Digest_REGION_TRAIL_HOME_YYYYMMDDTHHMMSSZ[_backfill].json.gz`.
    fn of_digest(key: &str) -> Option<Self> {
        let parts = layout(key).filter(|p| p.kind == "CloudTrail-Digest")?;
        key_date_secs(key)?;
        let stem = parts.name.strip_suffix(if is_backfill_key(key) {
            "_backfill.json.gz"
        } else {
            ".json.gz"
        })?;
        let head = format!("{}_CloudTrail-Digest_{}_", parts.account_id, parts.region);
        // TRAIL_HOME, then `_` and the 16-character date.
        let trail_and_home = stem
            .strip_prefix(&head)?
            .get(..stem.len().checked_sub(head.len() + 17)?)?;
        let (trail_name, home_region) = trail_and_home.rsplit_once('_')?;
        (!trail_name.is_empty() && !home_region.is_empty()).then(|| Self {
            prefix: parts.prefix.to_owned(),
            org_id: parts.org_id.map(str::to_owned),
            account_id: parts.account_id.to_owned(),
            region: parts.region.to_owned(),
            trail_name: trail_name.to_owned(),
            home_region: home_region.to_owned(),
        })
    }

    fn report(&self) -> ChainReport {
        ChainReport {
            account_id: self.account_id.clone(),
            organization_id: self.org_id.clone(),
            region: self.region.clone(),
            trail_name: self.trail_name.clone(),
            home_region: self.home_region.clone(),
            ..ChainReport::default()
        }
    }

    fn wanted(&self, options: &ValidateOptions) -> bool {
        (options.accounts.is_empty() || options.accounts.contains(&self.account_id))
            && (options.regions.is_empty() || options.regions.contains(&self.region))
            && options
                .trail
                .as_ref()
                .is_none_or(|trail| *trail == self.trail_name)
    }
}

/// The folder log files of a chain's account and Region are in: (prefix, organization, account, Region).
type LogFolder = (String, Option<String>, String, String);

/// The digests of each chain (standard, backfill) and the log files of each log folder.
#[derive(Default)]
struct Listing {
    chains: BTreeMap<ChainId, (Vec<Location>, Vec<Location>)>,
    logs: BTreeMap<LogFolder, Vec<(String, i64)>>,
    any_digest: bool,
}

fn sort_listing(
    archive: &Archive,
    bucket: &str,
    keys: Vec<String>,
    options: &ValidateOptions,
) -> Listing {
    let mut listing = Listing::default();
    let (start, end) = (
        options.start_secs.unwrap_or(i64::MIN),
        options.end_secs + SPILL_OVER_SECS,
    );
    for key in keys {
        if let Some(chain) = ChainId::of_digest(&key) {
            listing.any_digest = true;
            let date = key_date_secs(&key).unwrap_or(i64::MIN);
            if !chain.wanted(options) || date < start || date > end {
                continue;
            }
            let backfill = is_backfill_key(&key);
            let lists = listing.chains.entry(chain).or_default();
            let at = Location {
                bucket: bucket.to_owned(),
                key,
            };
            if backfill {
                lists.1.push(at)
            } else {
                lists.0.push(at)
            }
            continue;
        }
        let Some(parts) = layout(&key).filter(|p| p.kind == "CloudTrail") else {
            continue;
        };
        let Some(delivered) = log_delivery_secs(&key) else {
            continue;
        };
        let folder = (
            parts.prefix.to_owned(),
            parts.org_id.map(str::to_owned),
            parts.account_id.to_owned(),
            parts.region.to_owned(),
        );
        let shown = archive.display(&Location {
            bucket: bucket.to_owned(),
            key: key.clone(),
        });
        listing
            .logs
            .entry(folder)
            .or_default()
            .push((shown, delivered));
    }
    listing
}

/// Validates `source` as `options` ask, reading S3 and `ListPublicKeys` with `aws`'s default credential chain: every chain in parallel, then the unlisted log files of each log
/// folder (attached to the first chain of that folder). Errors only when nothing can be validated: the
/// archive cannot be listed, the key folder cannot be read, or no digest is there at all.
pub async fn validate(
    aws: &Arc<AwsClients>,
    source: &IntegritySource,
    options: &ValidateOptions,
) -> Result<IntegrityReport, IntegrityError> {
    validate_counting(aws, source, options, &Arc::new(Progress::default())).await
}

/// [`validate`], counting the digest and log files it checks in `progress` as it goes.
pub async fn validate_counting(
    aws: &Arc<AwsClients>,
    source: &IntegritySource,
    options: &ValidateOptions,
    progress: &Arc<Progress>,
) -> Result<IntegrityReport, IntegrityError> {
    let keyring = Arc::new(match &options.public_keys {
        Some(dir) => Keyring::from_folder(dir).map_err(IntegrityError::PublicKeys)?,
        None => Keyring::Aws(aws.clone()),
    });
    let archive = Arc::new(Archive::open(source, aws.clone()));
    let (bucket, keys) = archive.list().await.map_err(IntegrityError::List)?;
    let listing = sort_listing(&archive, &bucket, keys, options);
    if !listing.any_digest {
        return Err(IntegrityError::NoDigests(source.to_string()));
    }
    let window = Window {
        start_secs: options.start_secs,
        end_secs: options.end_secs,
    };
    progress.add_digests(
        listing
            .chains
            .values()
            .map(|(s, b)| s.len() + b.len())
            .sum(),
    );
    let tasks: Vec<_> = listing
        .chains
        .into_iter()
        .map(|(chain, (standard, backfill))| {
            let fallback = chain.report();
            let task = tokio::spawn(walk::validate_chain(
                archive.clone(),
                keyring.clone(),
                chain.clone(),
                (standard, backfill),
                window,
                options.limits.max_file_bytes,
                progress.clone(),
            ));
            (chain, fallback, task)
        })
        .collect();
    let mut results = Vec::with_capacity(tasks.len());
    for (chain, fallback, task) in tasks {
        let result = task.await.unwrap_or_else(|e| walk::ChainResult {
            report: ChainReport {
                error: Some(format!("validation failed: {e}")),
                ..fallback
            },
            listed_logs: HashSet::new(),
            span: None,
        });
        results.push((chain, result));
    }
    attach_unlisted(&mut results, &listing.logs, &window);
    Ok(IntegrityReport {
        source: source.to_string(),
        start_secs: options.start_secs,
        end_secs: options.end_secs,
        validated_at_secs: crate::ssr::clock::now_secs(),
        chains: results
            .into_iter()
            .map(|(_, result)| result.report)
            .collect(),
    })
}

/// For each log folder: the log files, delivered in the window while its chains were written, that none of its
/// chains' digests lists; reported on the folder's first chain.
fn attach_unlisted(
    results: &mut [(ChainId, walk::ChainResult)],
    logs: &BTreeMap<LogFolder, Vec<(String, i64)>>,
    window: &Window,
) {
    for (folder, archive_logs) in logs {
        let in_folder = |chain: &ChainId| {
            (
                &chain.prefix,
                &chain.org_id,
                &chain.account_id,
                &chain.region,
            ) == (&folder.0, &folder.1, &folder.2, &folder.3)
        };
        let mut listed = HashSet::new();
        let mut span: Option<(i64, i64)> = None;
        let mut first = None;
        for (index, (chain, result)) in results.iter().enumerate() {
            if !in_folder(chain) {
                continue;
            }
            first.get_or_insert(index);
            listed.extend(result.listed_logs.iter().cloned());
            if let Some((from, to)) = result.span {
                let s = span.get_or_insert((from, to));
                *s = (s.0.min(from), s.1.max(to));
            }
        }
        let (Some(first), Some((from, to))) = (first, span) else {
            continue;
        };
        let span = (
            from.max(window.start_secs.unwrap_or(i64::MIN)),
            to.min(window.end_secs),
        );
        results[first].1.report.unlisted_logs = unlisted_logs(archive_logs, &listed, span)
            .into_iter()
            .map(|(location, delivered_secs)| UnlistedLog {
                location,
                delivered_secs,
            })
            .collect();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_digest_key_names_its_chain() {
        let key = "pfx/AWSLogs/111122223333/CloudTrail-Digest/eu-west-1/2026/11/20/111122223333_CloudTrail-Digest_eu-west-1_org_trail_us-east-1_20261120T100512Z_backfill.json.gz";
        let chain = ChainId::of_digest(key).expect("a digest");
        assert_eq!(chain.prefix, "pfx/");
        assert_eq!(
            (chain.trail_name.as_str(), chain.home_region.as_str()),
            ("org_trail", "us-east-1")
        );
        assert_eq!(chain.region, "eu-west-1");
        assert!(ChainId::of_digest(&key.replace("CloudTrail-Digest/", "CloudTrail/")).is_none());
        let no_trail = "AWSLogs/111122223333/CloudTrail-Digest/eu-west-1/2026/11/20/111122223333_CloudTrail-Digest_eu-west-1_20261120T100512Z.json.gz";
        assert!(ChainId::of_digest(no_trail).is_none());
    }
}
