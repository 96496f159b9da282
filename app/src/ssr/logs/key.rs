//! Classifies archive keys by CloudTrail's layout (AWS-FACTS §3.1):
//! `[prefix/]AWSLogs/[o-ORG/]ACCOUNT/CloudTrail[-Digest|-Insight]/REGION/YYYY/MM/DD/NAME.json.gz`.

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
pub struct LogKey {
    pub org_id: Option<String>,
    pub account_id: String,
    pub region: String,
    pub insight: bool,
}

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_number(s: &str, len: usize) -> bool {
    s.len() == len && s.bytes().all(|b| b.is_ascii_digit())
}

pub fn classify(key: &str) -> KeyKind {
    let Some(start) = key
        .find("AWSLogs/")
        .filter(|&i| i == 0 || key.as_bytes()[i - 1] == b'/')
    else {
        return KeyKind::Other;
    };
    let mut parts = key[start + "AWSLogs/".len()..].split('/').peekable();
    let org_id = parts.next_if(|p| p.starts_with("o-")).map(str::to_owned);
    let (Some(account), Some(kind), Some(region), Some(y), Some(m), Some(d), Some(name), None) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return KeyKind::Other;
    };
    let dated = is_number(y, 4) && is_number(m, 2) && is_number(d, 2);
    if !is_account_id(account) || !dated || !name.ends_with(".json.gz") || region.is_empty() {
        return KeyKind::Other;
    }
    let insight = match kind {
        "CloudTrail" => false,
        "CloudTrail-Insight" => true,
        "CloudTrail-Digest" => return KeyKind::Digest,
        _ => return KeyKind::Other,
    };
    KeyKind::Log(LogKey {
        org_id,
        account_id: account.to_owned(),
        region: region.to_owned(),
        insight,
    })
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
        ] {
            assert_eq!(classify(key), KeyKind::Other, "{key}");
        }
    }
}
