//! Classifies archive keys by CloudTrail's layout (AWS-FACTS §3.1; AWS CloudTrail User Guide, "Finding your
//! CloudTrail log files"): `[prefix/]AWSLogs/[o-ORG/]ACCOUNT/CloudTrail[-Digest|-Insight]/REGION/YYYY/MM/DD/NAME.json.gz`.
//! The layout is read from the end of the key, so the trail's own S3 key prefix may be anything, including
//! folders named `AWSLogs` (`AWSLogs/AWSLogs/…`) or an organization folder (Control Tower's
//! `o-ORG/AWSLogs/o-ORG/ACCOUNT/…`).

/// The layout log files are read from, as the "no log file found" message shows it.
pub const LAYOUT: &str = "…/AWSLogs/[o-ORG/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/NAME.json.gz";

/// What a key in a trail archive holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyKind {
    /// A log file of events (management/data events, or Insights events).
    Log(LogKey),
    /// A digest file (`CloudTrail-Digest`), used by integrity validation, not by ingest.
    Digest,
    /// Anything else (`CloudTrail-Insight` is a log; bucket junk, `.DS_Store`, …).
    Other,
}

#[derive(Clone, Debug, PartialEq, Eq)]
/// Where a log file sits in CloudTrail's layout: `AWSLogs/[o-ORG/]ACCOUNT/CloudTrail[-Insight]/REGION/…`.
pub struct LogKey {
    /// The AWS Organizations ID (`o-…`) of an organization trail's folder.
    pub org_id: Option<String>,
    /// The 12-digit account ID the file's events were recorded for.
    pub account_id: String,
    /// The Region code, e.g. `us-east-1`.
    pub region: String,
    /// Whether it is under `CloudTrail-Insight` (Insights events).
    pub insight: bool,
}

/// A folder of the layout that names an account: twelve digits.
pub(crate) fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

/// A folder of the layout that names an AWS Organizations organization (`o-…`), as organization trails write.
pub(crate) fn is_organization_id(s: &str) -> bool {
    s.len() > 2 && s.starts_with("o-")
}

fn is_number(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_digit())
}

/// A key in the layout, split into its parts (borrowed from the key).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Layout<'a> {
    /// Everything before the layout's `AWSLogs/` (the trail's key prefix and its `/`), `""` for none.
    pub prefix: &'a str,
    /// The AWS Organizations ID (`o-…`) of an organization trail's folder.
    pub org_id: Option<&'a str>,
    /// The 12-digit account ID.
    pub account_id: &'a str,
    /// `CloudTrail`, `CloudTrail-Digest`, `CloudTrail-Insight`, …
    pub kind: &'a str,
    /// The Region code, e.g. `us-east-1`.
    pub region: &'a str,
    /// The file name.
    pub name: &'a str,
}

impl Layout<'_> {
    /// The key from the layout's `AWSLogs/` on: the same for a file wherever the archive was copied.
    pub fn tail<'k>(&self, key: &'k str) -> &'k str {
        &key[self.prefix.len()..]
    }
}

/// Splits `key` (`/`-separated, relative to the bucket or to an archive folder) when the folders before its
/// name are `AWSLogs/[o-ORG/]ACCOUNT/KIND/REGION/YYYY/MM/DD`, whatever comes before that `AWSLogs`, and the
/// name ends `.json.gz`.
pub fn layout(key: &str) -> Option<Layout<'_>> {
    // Name, day, month, year, Region, kind, account, then `AWSLogs` or an organization and `AWSLogs`.
    let mut parts = key.rsplit('/');
    let (
        Some(name),
        Some(d),
        Some(m),
        Some(y),
        Some(region),
        Some(kind),
        Some(account),
        Some(next),
    ) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    )
    else {
        return None;
    };
    let org_id = match next {
        "AWSLogs" => None,
        org if is_organization_id(org) && parts.next() == Some("AWSLogs") => Some(org),
        _ => return None,
    };
    let dated = is_number(y, 4) && is_number(m, 2) && is_number(d, 2);
    if !is_account_id(account) || !dated || !name.ends_with(".json.gz") || region.is_empty() {
        return None;
    }
    let tail_len = [name, d, m, y, region, kind, account, "AWSLogs"]
        .iter()
        .chain(org_id.as_ref())
        .map(|part| part.len() + 1)
        .sum::<usize>()
        - 1;
    Some(Layout {
        prefix: &key[..key.len() - tail_len],
        org_id,
        account_id: account,
        kind,
        region,
        name,
    })
}

/// Classifies `key` (`/`-separated, relative to the bucket or to an archive folder). A key is a log or digest
/// file when it is in the [`layout`]; everything else is [`KeyKind::Other`].
pub fn classify(key: &str) -> KeyKind {
    let Some(parts) = layout(key) else {
        return KeyKind::Other;
    };
    let insight = match parts.kind {
        "CloudTrail" => false,
        "CloudTrail-Insight" => true,
        "CloudTrail-Digest" => return KeyKind::Digest,
        _ => return KeyKind::Other,
    };
    KeyKind::Log(LogKey {
        org_id: parts.org_id.map(str::to_owned),
        account_id: parts.account_id.to_owned(),
        region: parts.region.to_owned(),
        insight,
    })
}

/// Whether `key` names a file CloudTrail wrote (`ACCOUNT_CloudTrail…_….json.gz`, the delivered file name)
/// whatever folder it is in: how a log file copied out of its layout (e.g. from below `AWSLogs/`) is told from
/// other `.json.gz` files when nothing under a source is in the layout.
pub fn looks_like_trail_file(key: &str) -> bool {
    let name = key.rsplit('/').next().unwrap_or_default();
    name.ends_with(".json.gz")
        && name
            .split_once('_')
            .is_some_and(|(account, rest)| is_account_id(account) && rest.starts_with("CloudTrail"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_documented_layouts() {
        let plain = "AWSLogs/111122223333/CloudTrail/us-east-2/2015/08/01/111122223333_CloudTrail_us-east-2_20150801T0210Z_Mu0KsOhtH1ar15ZZ.json.gz";
        assert_eq!(
            classify(plain),
            KeyKind::Log(LogKey {
                org_id: None,
                account_id: "111122223333".into(),
                region: "us-east-2".into(),
                insight: false
            })
        );
        let org = "my-prefix/AWSLogs/o-exampleorgid/111122223333/CloudTrail/eu-west-1/2015/08/01/x.json.gz";
        match classify(org) {
            KeyKind::Log(k) => assert_eq!(
                (k.org_id.as_deref(), k.region.as_str()),
                (Some("o-exampleorgid"), "eu-west-1")
            ),
            other => panic!("{other:?}"),
        }
        let insight = "AWSLogs/111122223333/CloudTrail-Insight/us-east-1/2019/11/14/f.json.gz";
        assert!(matches!(
            classify(insight),
            KeyKind::Log(LogKey { insight: true, .. })
        ));
        let digest = "AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2015/08/12/111122223333_CloudTrail-Digest_us-east-1_trail_us-east-1_20150812T040131Z.json.gz";
        assert_eq!(classify(digest), KeyKind::Digest);
    }

    #[test]
    fn everything_else_is_other() {
        for key in [
            "README.txt",
            "AWSLogs/111122223333/CloudTrail/us-east-1/2015/08/01/notes.txt",
            "AWSLogs/1111/CloudTrail/us-east-1/2015/08/01/x.json.gz",
            "AWSLogs/111122223333/Config/us-east-1/2015/08/01/x.json.gz",
            "AWSLogs/111122223333/CloudTrail/us-east-1/2015/8/01/x.json.gz",
            "xAWSLogs/111122223333/CloudTrail/us-east-1/2015/08/01/x.json.gz",
            "111122223333/CloudTrail/us-east-1/2026/11/27/x.json.gz",
            "AWSLogs/AWSLogs/CloudTrail/us-east-1/2026/11/27/x.json.gz",
            "AWSLogs/o-/111122223333/CloudTrail/us-east-1/2026/11/27/x.json.gz",
            "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/27/extra/x.json.gz",
            "AWSLogs/o-a1b2c3d4e5/AWSLogs/111122223333/x/CloudTrail/us-east-1/2026/11/27/x.json.gz",
            "o-a1b2c3d4e5/111122223333/CloudTrail/us-east-1/2026/11/27/x.json.gz",
        ] {
            assert_eq!(classify(key), KeyKind::Other, "{key}");
        }
    }

    #[test]
    fn any_prefix_before_awslogs_is_the_trails_own() {
        let log = |org: Option<&str>, account: &str| {
            KeyKind::Log(LogKey {
                org_id: org.map(str::to_owned),
                account_id: account.into(),
                region: "eu-west-1".into(),
                insight: false,
            })
        };
        let day = "CloudTrail/eu-west-1/2026/11/27";
        for (key, expected) in [
            // A trail whose S3 key prefix is itself `AWSLogs`.
            (
                format!(
                    "AWSLogs/AWSLogs/111122223333/{day}/111122223333_CloudTrail_eu-west-1_20261127T1505Z_a.json.gz"
                ),
                log(None, "111122223333"),
            ),
            // Control Tower: the organization's folder, then an organization trail's layout.
            (
                format!("o-a1b2c3d4e5/AWSLogs/o-a1b2c3d4e5/444455556666/{day}/b.json.gz"),
                log(Some("o-a1b2c3d4e5"), "444455556666"),
            ),
            (
                format!("custom-prefix/AWSLogs/777788889999/{day}/c.json.gz"),
                log(None, "777788889999"),
            ),
            // `AWSLogs` inside another folder name, then the real one.
            (
                format!("myAWSLogs/AWSLogs/111122223333/{day}/d.json.gz"),
                log(None, "111122223333"),
            ),
            (
                format!("a/AWSLogs/b/AWSLogs/o-a1b2c3d4e5/111122223333/{day}/e.json.gz"),
                log(Some("o-a1b2c3d4e5"), "111122223333"),
            ),
        ] {
            assert_eq!(classify(&key), expected, "{key}");
        }
        assert_eq!(
            classify(
                "AWSLogs/AWSLogs/111122223333/CloudTrail-Digest/eu-west-1/2026/11/27/d.json.gz"
            ),
            KeyKind::Digest
        );
    }

    #[test]
    fn the_layout_splits_off_the_prefix() {
        let key = "p/AWSLogs/x/AWSLogs/o-a1b2c3d4e5/111122223333/CloudTrail-Digest/eu-west-1/2026/11/27/d.json.gz";
        let parts = layout(key).expect("in the layout");
        assert_eq!(parts.prefix, "p/AWSLogs/x/");
        assert_eq!(parts.org_id, Some("o-a1b2c3d4e5"));
        assert_eq!(
            (parts.kind, parts.region, parts.name),
            ("CloudTrail-Digest", "eu-west-1", "d.json.gz")
        );
        assert!(parts.tail(key).starts_with("AWSLogs/o-a1b2c3d4e5/"));
        let plain = "AWSLogs/111122223333/CloudTrail/eu-west-1/2026/11/27/l.json.gz";
        assert_eq!(layout(plain).map(|p| p.prefix), Some(""));
    }

    #[test]
    fn trail_file_names_are_recognised_anywhere() {
        assert!(looks_like_trail_file(
            "111122223333/CloudTrail/us-east-1/2026/11/27/111122223333_CloudTrail_us-east-1_20261127T2105Z_SyNcEdBeLoW00001.json.gz"
        ));
        assert!(looks_like_trail_file(
            "flat/111122223333_CloudTrail-Insight_us-east-1_20261127T2105Z_x.json.gz"
        ));
        for key in [
            "111122223333/CloudTrail/us-east-1/2026/11/27/export.json.gz",
            "111122223333_CloudTrail_us-east-1_20261127T2105Z_x.json",
            "1111_CloudTrail_us-east-1_x.json.gz",
            "config/111122223333_Config_us-east-1_x.json.gz",
        ] {
            assert!(!looks_like_trail_file(key), "{key}");
        }
    }
}
