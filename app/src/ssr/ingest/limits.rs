//! What one archive file may cost to read: bounds on a log file's decompressed size and on one record, so that
//! a gzip bomb (a few megabytes that expand to gigabytes) or a runaway record cannot exhaust the machine. A
//! file over a bound is reported by key with the reason and left unread (it is retried on the next run, so
//! raising the bound reads it); a record over its bound is rejected alone.
use std::io::Read;
use std::path::Path;

/// The bounds ingest reads archive files within (config keys `ingest_max_file_bytes`,
/// `ingest_max_record_bytes`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IngestLimits {
    /// Bytes one log file may decompress to, its gzip members together. The compressed file (read from disk
    /// or downloaded from S3) may not be larger either: gzip never makes JSON bigger, so a larger one cannot
    /// fit. Each parser thread holds at most one decompressed file.
    pub max_file_bytes: usize,
    /// Bytes of JSON one record may span in its file; a longer record is not stored and is reported by its
    /// ordinal, and the rest of the file is stored.
    pub max_record_bytes: usize,
}

impl IngestLimits {
    /// 256 MiB: CloudTrail delivers a file per account and Region every few minutes and rarely writes one above
    /// ~50 MB uncompressed, so this is five times that. A parser thread holds the decompressed file and its
    /// parsed rows (about as much again), so two parser threads on a 2-core machine stay near 1 GiB even when
    /// every file is at the bound, and eight (the most ingest starts) near 4 GiB.
    pub const DEFAULT_MAX_FILE_BYTES: usize = 256 << 20;
    /// 4 MiB: a record's large fields are bounded at 100 KB (`requestParameters`, `responseElements`) and
    /// 28 KB (`additionalEventData`) by CloudTrail, so real records stay well below 1 MiB.
    pub const DEFAULT_MAX_RECORD_BYTES: usize = 4 << 20;

    /// Why a file that decompresses past the bound is not stored.
    pub fn file_too_large(&self) -> String {
        format!(
            "decompresses to more than {} (limit ingest_max_file_bytes)",
            size_text(self.max_file_bytes)
        )
    }

    /// Why a compressed file larger than the bound is not read.
    pub fn compressed_too_large(&self, bytes: u64) -> String {
        format!(
            "is {} compressed, more than it may decompress to: {} (limit ingest_max_file_bytes)",
            size_text(usize::try_from(bytes).unwrap_or(usize::MAX)),
            size_text(self.max_file_bytes)
        )
    }

    /// Why a record longer than the bound is not stored.
    pub fn record_too_large(&self) -> String {
        format!(
            "larger than {} (limit ingest_max_record_bytes)",
            size_text(self.max_record_bytes)
        )
    }

    /// Reads the file at `path` whole, refusing one larger than [`Self::max_file_bytes`] before reading it
    /// (and while reading, should it grow meanwhile).
    pub(crate) fn read_file(&self, path: &Path) -> Result<Vec<u8>, String> {
        let file = std::fs::File::open(path).map_err(|e| format!("cannot read: {e}"))?;
        let size = file
            .metadata()
            .map_err(|e| format!("cannot read: {e}"))?
            .len();
        let limit = self.max_file_bytes as u64;
        if size > limit {
            return Err(self.compressed_too_large(size));
        }
        let mut bytes = Vec::with_capacity(size as usize);
        file.take(limit + 1)
            .read_to_end(&mut bytes)
            .map_err(|e| format!("cannot read: {e}"))?;
        if bytes.len() as u64 > limit {
            return Err(self.compressed_too_large(bytes.len() as u64));
        }
        Ok(bytes)
    }
}

impl Default for IngestLimits {
    fn default() -> Self {
        Self {
            max_file_bytes: Self::DEFAULT_MAX_FILE_BYTES,
            max_record_bytes: Self::DEFAULT_MAX_RECORD_BYTES,
        }
    }
}

/// `bytes` as people read sizes: whole GiB, MiB or KiB when it is one, else bytes.
pub fn size_text(bytes: usize) -> String {
    for (unit, shift) in [("GiB", 30), ("MiB", 20), ("KiB", 10)] {
        if bytes >= 1 << shift && bytes.is_multiple_of(1 << shift) {
            return format!("{} {unit}", bytes >> shift);
        }
    }
    format!("{bytes} bytes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(size_text(256 << 20), "256 MiB");
        assert_eq!(size_text(1 << 30), "1 GiB");
        assert_eq!(size_text(1536), "1536 bytes");
        assert_eq!(size_text(4096), "4 KiB");
        assert_eq!(size_text(1000), "1000 bytes");
        assert_eq!(
            IngestLimits::default().file_too_large(),
            "decompresses to more than 256 MiB (limit ingest_max_file_bytes)"
        );
    }

    #[test]
    fn a_file_larger_than_the_bound_is_not_read() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("f.json.gz");
        std::fs::write(&path, [7u8; 100]).expect("write");
        let limits = |max_file_bytes| IngestLimits {
            max_file_bytes,
            ..IngestLimits::default()
        };
        assert_eq!(limits(100).read_file(&path).map(|b| b.len()), Ok(100));
        let refused = limits(99).read_file(&path).expect_err("over");
        assert!(refused.contains("is 100 bytes compressed"), "{refused}");
    }
}
