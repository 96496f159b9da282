//! Log file integrity validation of a trail archive (CloudTrail digest files): the report and its verdicts,
//! shared by the CLI (`trailscope validate`), the JSON API and the page. One [`ChainReport`] per account ×
//! Region × trail; the verdicts and their wording follow `aws cloudtrail validate-logs` (aws-cli
//! `awscli/customizations/cloudtrail/validation.py`; AWS CloudTrail User Guide, "Validating CloudTrail log
//! file integrity with the AWS CLI"), so the same archive gets the same verdict from both. What Trailscope
//! reports beyond the CLI is marked where it is defined: [`DigestEntry::inferred`], [`UnlistedLog`].
pub mod chain;
pub mod status;
pub mod summary;
pub mod timeline;

use crate::model::time::format_rfc3339;
use serde::{Deserialize, Serialize};

/// A standard hourly digest, or a backfill digest (`…_backfill.json.gz`) that CloudTrail delivers later for
/// log files a processing delay left out of the hourly one; backfill digests form their own chain.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DigestKind {
    /// An hourly digest file, linked to the one before it by `previousDigestS3Bucket`/`previousDigestS3Object`.
    Standard,
    /// A backfill digest file (`…_backfill.json.gz`, with `backfill-generation-timestamp` metadata).
    Backfill,
}

/// What validation found for one digest file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum DigestVerdict {
    /// Signed by a listed public key over its exact bytes and location.
    Valid,
    /// Absent where the chain (or the listing) says it is.
    NotFound,
    /// Not gzip-compressed JSON, a required field missing, or (backfill) no `backfill-generation-timestamp`
    /// metadata.
    InvalidFormat,
    /// The object carries no `signature`/`signature-algorithm` metadata (in a folder: no `KEY.meta.json`
    /// sidecar). The CLI words this as a failed signature verification.
    NoSignature,
    /// Its `digestS3Bucket`/`digestS3Object` name another place than where it was read.
    Moved,
    /// No public key of `region` has the digest's `digestPublicKeyFingerprint`.
    PublicKeyNotFound {
        /// The trail's home Region, as the CLI names it (the keys are listed in the digests' Region).
        region: String,
        /// The digest's `digestPublicKeyFingerprint`.
        fingerprint: String,
    },
    /// The public key with this fingerprint is not an RSA key in PKCS#1 or SubjectPublicKeyInfo DER.
    PublicKeyUnreadable {
        /// The digest's `digestPublicKeyFingerprint`.
        fingerprint: String,
    },
    /// The RSA PKCS#1 v1.5 SHA-256 signature does not verify (content, location, end time or previous
    /// signature changed, or signed by another key).
    SignatureFailed,
    /// Any other reason the digest could not be checked (an unreadable time, a read error).
    Unreadable {
        /// What went wrong, shown after `INVALID: `.
        reason: String,
    },
}

impl DigestVerdict {
    /// Whether the digest file is valid (its log files are then checked).
    pub fn is_valid(&self) -> bool {
        matches!(self, Self::Valid)
    }

    /// The verdict as the CLI words it after the digest's name (`valid`, `INVALID: not found`, …).
    pub fn text(&self) -> String {
        match self {
            Self::Valid => "valid".to_owned(),
            Self::NotFound => "INVALID: not found".to_owned(),
            Self::InvalidFormat => "INVALID: invalid format".to_owned(),
            Self::NoSignature => {
                "INVALID: signature verification failed (no signature metadata)".to_owned()
            }
            Self::Moved => "INVALID: has been moved from its original location".to_owned(),
            Self::PublicKeyNotFound {
                region,
                fingerprint,
            } => format!(
                "INVALID: public key not found in region {region} for fingerprint {fingerprint}"
            ),
            Self::PublicKeyUnreadable { fingerprint } => {
                format!("INVALID: Unable to load PKCS #1 key with fingerprint {fingerprint}")
            }
            Self::SignatureFailed => "INVALID: signature verification failed".to_owned(),
            Self::Unreadable { reason } => format!("INVALID: {reason}"),
        }
    }
}

/// What validation found for one log file a valid digest lists.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LogVerdict {
    /// The SHA-256 of its decompressed bytes is the digest's `hashValue`.
    Valid,
    /// Absent where the digest's `s3Bucket`/`s3Object` says it is.
    NotFound,
    /// Decompressed bytes differ from what the digest hashed.
    HashMismatch,
    /// Bytes after the end of its gzip stream (CLI ≥ 1.45.12).
    TrailingData,
    /// Not a gzip stream, or it could not be read.
    InvalidFormat,
    /// Beyond the CLI: it decompresses to more than ingest's bound (`ingest_max_file_bytes`), so it was not
    /// hashed to the end (a gzip bomb, or a file no trail writes).
    TooLarge,
    /// Beyond the CLI, in a folder archive: the file is, or is reached through, a symbolic link that leads out
    /// of the folder (or to a folder inside it), so it was not read, as ingest does not read it.
    LinkNotFollowed,
}

impl LogVerdict {
    /// Whether the log file is valid.
    pub fn is_valid(self) -> bool {
        self == Self::Valid
    }

    /// The verdict as the CLI words it after the log file's name.
    pub fn text(self) -> &'static str {
        match self {
            Self::Valid => "valid",
            Self::NotFound => "INVALID: not found",
            Self::HashMismatch => "INVALID: hash value doesn't match",
            Self::TrailingData => "INVALID: unexpected data after end of compressed stream",
            Self::InvalidFormat => "INVALID: invalid format",
            Self::TooLarge => {
                "INVALID: decompresses to more than the limit ingest_max_file_bytes, not read further"
            }
            Self::LinkNotFollowed => {
                "INVALID: symbolic link not followed: it leads outside the archive folder or to a folder"
            }
        }
    }
}

/// One digest file, as the chain walk met it (newest first).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DigestEntry {
    /// Where it is (`s3://bucket/key`, or the file below the validated folder).
    pub location: String,
    /// Standard or backfill digest.
    pub kind: DigestKind,
    /// Why it is valid or not; flattened into the entry as `verdict` and its fields.
    #[serde(flatten)]
    pub verdict: DigestVerdict,
    /// `digestStartTime`/`digestEndTime` (epoch seconds) when the file could be read; for a missing digest,
    /// the end its name states.
    pub start_secs: Option<i64>,
    /// `digestEndTime` (epoch seconds) when the file could be read; otherwise the end its name states.
    pub end_secs: Option<i64>,
    /// Beyond the CLI: a digest that must have existed but whose name nothing records (the second and later
    /// of consecutive deleted digests, counted from the hourly cadence). Its `location` is the expected name
    /// with an approximate time; the CLI names only the first deleted digest of a run (aws-cli#7054).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub inferred: bool,
}

/// One log file listed by a valid digest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    /// Where the log file is (`s3://bucket/key` from the digest's `s3Bucket`/`s3Object`, or the file below the
    /// validated folder).
    pub location: String,
    /// The SHA-256 of its decompressed bytes against the digest's `hashValue`.
    pub verdict: LogVerdict,
    /// The digest that lists it.
    pub digest: String,
    /// The kind of digest that lists it.
    pub kind: DigestKind,
}

/// A stretch with no digest because CloudTrail delivered nothing (logging or validation was off): a starting
/// digest follows it. Not an error.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Gap {
    /// The end of the older digest and the start of the newer one (epoch seconds).
    pub from_secs: i64,
    /// The newer digest's `digestStartTime` (epoch seconds).
    pub to_secs: i64,
    /// The kind of chain the gap is in.
    pub kind: DigestKind,
}

impl Gap {
    /// The CLI's wording.
    pub fn text(&self) -> String {
        format!(
            "No log files were delivered by CloudTrail between {} and {}",
            format_rfc3339(self.from_secs),
            format_rfc3339(self.to_secs)
        )
    }
}

/// Beyond the CLI: a log file in the archive, delivered while the chain was being written (between its oldest
/// and newest digest), that no digest lists: added by someone else, or listed by a digest that is missing.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnlistedLog {
    /// Where the log file is (`s3://bucket/key`, or the file below the validated folder).
    pub location: String,
    /// Delivery time from its name (minute precision, epoch seconds).
    pub delivered_secs: i64,
}

/// Account × Region × trail: one digest chain (plus its backfill chain) and the log files it vouches for.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainReport {
    /// The 12-digit account ID of the `AWSLogs/ACCOUNT/` folder the digests are in.
    pub account_id: String,
    /// The AWS Organizations ID (`o-…`) of an organization trail's folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
    /// The Region whose digests these are (the digest folder's Region).
    pub region: String,
    /// The trail's name, from the digest file names.
    pub trail_name: String,
    /// The trail's home Region, from the digest file names.
    pub home_region: String,
    /// Standard digests newest first, then backfill digests newest first.
    pub digests: Vec<DigestEntry>,
    /// The log files the valid digests list (`logFiles[]`), each checked against its `hashValue`.
    pub logs: Vec<LogEntry>,
    /// Stretches without digests: the standard chain's newest first, then the backfill chain's.
    pub gaps: Vec<Gap>,
    /// Log files in the chain's folder that no digest lists (beyond the CLI).
    pub unlisted_logs: Vec<UnlistedLog>,
    /// Why this chain could not be validated at all (no public keys, no access, …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl ChainReport {
    /// `ACCOUNT REGION TRAIL`, as headings name the chain.
    pub fn label(&self) -> String {
        format!("{} {} {}", self.account_id, self.region, self.trail_name)
    }
}

/// Counts over a report or a chain.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Valid standard digest files.
    pub digests_valid: usize,
    /// Standard digest files that are not valid (including missing ones).
    pub digests_invalid: usize,
    /// Valid backfill digest files.
    pub backfill_valid: usize,
    /// Backfill digest files that are not valid (including missing ones).
    pub backfill_invalid: usize,
    /// Log files whose decompressed SHA-256 is the listed `hashValue`.
    pub logs_valid: usize,
    /// Log files missing, unreadable, or not matching their `hashValue`.
    pub logs_invalid: usize,
    /// Stretches without digests (information, not errors).
    pub gaps: usize,
    /// Log files no digest lists (beyond the CLI).
    pub unlisted_logs: usize,
    /// Chains that could not be validated at all ([`ChainReport::error`]).
    pub errors: usize,
}

impl Counts {
    /// Adds the verdicts of `chain`.
    pub fn add(&mut self, chain: &ChainReport) {
        for digest in &chain.digests {
            let (valid, invalid) = match digest.kind {
                DigestKind::Standard => (&mut self.digests_valid, &mut self.digests_invalid),
                DigestKind::Backfill => (&mut self.backfill_valid, &mut self.backfill_invalid),
            };
            if digest.verdict.is_valid() {
                *valid += 1;
            } else {
                *invalid += 1;
            }
        }
        for log in &chain.logs {
            if log.verdict.is_valid() {
                self.logs_valid += 1;
            } else {
                self.logs_invalid += 1;
            }
        }
        self.gaps += chain.gaps.len();
        self.unlisted_logs += chain.unlisted_logs.len();
        self.errors += usize::from(chain.error.is_some());
    }

    /// Nothing invalid and nothing that could not be checked: the CLI's exit 0. Gaps and unlisted log files
    /// do not count (the CLI reports the first as information and does not see the second).
    pub fn is_clean(&self) -> bool {
        self.digests_invalid + self.backfill_invalid + self.logs_invalid + self.errors == 0
    }
}

/// A whole validation run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegrityReport {
    /// What was validated: `s3://bucket[/prefix]` or a folder.
    pub source: String,
    /// The requested window (epoch seconds); `None`: from the oldest digest.
    pub start_secs: Option<i64>,
    /// The end of the requested window (epoch seconds).
    pub end_secs: i64,
    /// When the run finished (epoch seconds).
    pub validated_at_secs: i64,
    /// One per account × Region × trail found.
    pub chains: Vec<ChainReport>,
}

impl IntegrityReport {
    /// The counts over all chains.
    pub fn counts(&self) -> Counts {
        let mut counts = Counts::default();
        for chain in &self.chains {
            counts.add(chain);
        }
        counts
    }
}
