//! `s3://bucket[/prefix]`: a trail archive in S3 as people write it (the CLI argument and `s3_archives`).
use std::fmt;

/// A trail's bucket and S3 key prefix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct S3Archive {
    /// The bucket's name (3 to 63 characters, AWS's general purpose bucket naming rules).
    pub bucket: String,
    /// The trail's key prefix without leading or trailing `/`; empty when it has none.
    pub prefix: String,
}

/// AWS's rules for general purpose bucket names (3–63 characters; lower-case letters, digits, dots and
/// hyphens; a letter or digit at both ends).
fn is_bucket_name(name: &str) -> bool {
    let ends_ok = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_lowercase() || b.is_ascii_digit());
    (3..=63).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
        && ends_ok(name.as_bytes().first())
        && ends_ok(name.as_bytes().last())
}

impl S3Archive {
    /// Parses `s3://bucket` or `s3://bucket/prefix` (a trailing `/` is allowed); the error says what is wrong.
    pub fn parse(text: &str) -> Result<Self, String> {
        let rest = text
            .get(..5)
            .filter(|scheme| scheme.eq_ignore_ascii_case("s3://"))
            .map(|_| &text[5..])
            .ok_or_else(|| {
                format!("{text:?} is not an s3:// URL (s3://bucket or s3://bucket/prefix)")
            })?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty() {
            return Err(format!("{text:?} names no bucket (s3://bucket/prefix)"));
        }
        if !is_bucket_name(bucket) {
            return Err(format!(
                "{text:?}: {bucket:?} is not a bucket name (3 to 63 lower-case letters, digits, dots and hyphens)"
            ));
        }
        let prefix = prefix.trim_end_matches('/');
        if prefix.starts_with('/') || prefix.contains("//") {
            return Err(format!(
                "{text:?}: the prefix has an empty folder name (//)"
            ));
        }
        Ok(Self {
            bucket: bucket.to_owned(),
            prefix: prefix.to_owned(),
        })
    }

    /// The folder the archive is looked for in: `PREFIX/`, or the whole bucket (`""`) without a prefix.
    pub fn folder(&self) -> String {
        if self.prefix.is_empty() {
            String::new()
        } else {
            format!("{}/", self.prefix)
        }
    }

    /// An object of this bucket as a URL: how S3 files are stored in `files` and named in problems.
    pub fn object_url(&self, key: &str) -> String {
        format!("s3://{}/{key}", self.bucket)
    }
}

impl fmt::Display for S3Archive {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.prefix.is_empty() {
            write!(f, "s3://{}", self.bucket)
        } else {
            write!(f, "s3://{}/{}", self.bucket, self.prefix)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn archive(bucket: &str, prefix: &str) -> S3Archive {
        S3Archive {
            bucket: bucket.into(),
            prefix: prefix.into(),
        }
    }

    #[test]
    fn bucket_and_prefix_are_read_as_cloudtrail_uses_them() {
        for (text, bucket, prefix, folder) in [
            ("s3://trail-logs", "trail-logs", "", ""),
            ("s3://trail-logs/", "trail-logs", "", ""),
            (
                "S3://trail-logs/org/prod",
                "trail-logs",
                "org/prod",
                "org/prod/",
            ),
            (
                "s3://trail-logs/org/prod/",
                "trail-logs",
                "org/prod",
                "org/prod/",
            ),
            ("s3://my.logs-1/AWSLogs", "my.logs-1", "AWSLogs", "AWSLogs/"),
            (
                "s3://my.logs-1/p/AWSLogs/",
                "my.logs-1",
                "p/AWSLogs",
                "p/AWSLogs/",
            ),
        ] {
            let parsed = S3Archive::parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(parsed, archive(bucket, prefix), "{text}");
            assert_eq!(parsed.folder(), folder, "{text}");
        }
        assert_eq!(archive("b-1", "").to_string(), "s3://b-1");
        assert_eq!(archive("b-1", "x/y").to_string(), "s3://b-1/x/y");
        assert_eq!(
            archive("b-1", "x").object_url("x/AWSLogs/k.json.gz"),
            "s3://b-1/x/AWSLogs/k.json.gz"
        );
    }

    #[test]
    fn malformed_urls_say_what_is_wrong() {
        for (text, says) in [
            ("trail-logs/prefix", "not an s3:// URL"),
            ("https://trail-logs.s3.amazonaws.com/x", "not an s3:// URL"),
            ("s3:/trail-logs", "not an s3:// URL"),
            ("s3://", "names no bucket"),
            ("s3:///prefix", "names no bucket"),
            ("s3://Trail_Logs/x", "not a bucket name"),
            ("s3://ab", "not a bucket name"),
            ("s3://-logs", "not a bucket name"),
            ("s3://logs//x", "empty folder name"),
            ("s3://logs/a//b", "empty folder name"),
        ] {
            let error = S3Archive::parse(text).expect_err(text);
            assert!(error.contains(says), "{text}: {error}");
        }
    }
}
