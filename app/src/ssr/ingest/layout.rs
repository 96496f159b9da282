//! What ingest says about keys that are not in CloudTrail's layout: which skipped key a summary names, and the
//! error for a source under which no key is a log file (never "0 events" and success).
use crate::ssr::logs::key::{LAYOUT, looks_like_trail_file};

/// Whether `key`, skipped as not in the layout, is a better example to name than `current`: a `.json.gz` file
/// at all, and one named like a trail's log file over any other.
pub(crate) fn better_example(current: Option<&str>, key: &str) -> bool {
    key.ends_with(".json.gz")
        && match current {
            None => true,
            Some(current) => !looks_like_trail_file(current) && looks_like_trail_file(key),
        }
}

/// The message for a source (`under`: a folder or an `s3://` URL) with no log file in the layout; `example`
/// is a skipped `.json.gz` key, if there was one.
pub(crate) fn no_log_file_text(under: &str, example: Option<&str>) -> String {
    let mut text = format!(
        "no CloudTrail log file found under {under}: log files are read from keys laid out as {LAYOUT}"
    );
    match example {
        Some(key) if looks_like_trail_file(key) => text.push_str(&format!(
            ". {key} is named like a trail's log file but is not in that layout (copied from below AWSLogs/?): \
             point at the folder that contains AWSLogs/, or copy the files with their AWSLogs/ prefix"
        )),
        Some(key) => text.push_str(&format!(
            ". .json.gz files outside that layout were skipped, e.g. {key}"
        )),
        None => text.push_str(
            ". Point at the trail's bucket (and S3 key prefix), or at the folder its files were copied into",
        ),
    }
    text
}

/// Why `key` is refused whatever its layout: a `.` or `..` folder, which CloudTrail never writes and which, taken
/// as a path, would lead elsewhere (out of an archive folder). `None` for any other key.
pub(crate) fn refused_key(key: &str) -> Option<String> {
    key.split('/')
        .any(|part| part == "." || part == "..")
        .then(|| {
            "not read: the key has a \".\" or \"..\" folder, which CloudTrail never writes"
                .to_owned()
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    const BELOW: &str = "111122223333/CloudTrail/us-east-1/2026/11/27/111122223333_CloudTrail_us-east-1_20261127T2105Z_SyNcEdBeLoW00001.json.gz";

    #[test]
    fn dot_folders_are_refused_and_nothing_else() {
        assert!(refused_key("AWSLogs/111122223333/CloudTrail/../x/a.json.gz").is_some());
        assert!(refused_key("./AWSLogs/a.json.gz").is_some());
        assert!(refused_key("logs//AWSLogs/..a/b..json.gz").is_none());
    }

    #[test]
    fn trail_files_are_the_examples_named() {
        assert!(better_example(None, "x/export.json.gz"));
        assert!(!better_example(None, "notes.txt"));
        assert!(better_example(Some("x/export.json.gz"), BELOW));
        assert!(!better_example(Some(BELOW), "x/export.json.gz"));
        assert!(!better_example(Some(BELOW), BELOW));
    }

    #[test]
    fn the_message_names_the_layout_and_a_misplaced_file() {
        let text = no_log_file_text("/data/copy", Some(BELOW));
        assert!(
            text.starts_with("no CloudTrail log file found under /data/copy: "),
            "{text}"
        );
        assert!(
            text.contains("AWSLogs/[o-ORG/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/"),
            "{text}"
        );
        assert!(
            text.contains(BELOW) && text.contains("point at the folder that contains AWSLogs/"),
            "{text}"
        );
        let text = no_log_file_text("s3://b/p", None);
        assert!(text.contains("trail's bucket"), "{text}");
    }
}
