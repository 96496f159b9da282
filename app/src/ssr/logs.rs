//! CloudTrail trail archives: the S3 key layout and the log file format.
pub mod gzip;
pub mod key;
pub mod record;
pub mod record_size;
