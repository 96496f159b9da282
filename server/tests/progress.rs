//! Long terminal jobs show how far they are (done of total, rate, ETA) on a terminal, and nothing of it when
//! their output goes to a pipe or a log.
mod common;

use std::process::Command;

/// An archive of `files` log files of one event each, in the CloudTrail key layout.
fn archive(files: usize) -> tempfile::TempDir {
    let archive = tempfile::tempdir().expect("tmp");
    let dir = "AWSLogs/123456789012/CloudTrail/eu-west-1/2026/11/20";
    for n in 0..files {
        let record = format!(
            r#"{{"Records":[{{"eventVersion":"1.11","eventTime":"2026-11-20T10:{:02}:00Z","eventID":"e-{n}","eventSource":"ec2.amazonaws.com","eventName":"DescribeInstances","awsRegion":"eu-west-1","recipientAccountId":"123456789012"}}]}}"#,
            n % 60
        );
        common::write_gz(
            archive.path(),
            &format!(
                "{dir}/123456789012_CloudTrail_eu-west-1_20261120T10{:02}Z_n{n}.json.gz",
                n % 60
            ),
            record.as_bytes(),
        );
    }
    archive
}

#[test]
fn ingest_draws_its_progress_only_on_a_terminal() {
    let source = archive(40);
    let source_dir = source.path().to_str().expect("utf-8");
    let binary = env!("CARGO_BIN_EXE_trailscope");

    let piped_data = tempfile::tempdir().expect("tmp");
    let piped = Command::new(binary)
        .args(["--data-dir", piped_data.path().to_str().expect("utf-8")])
        .args(["ingest", source_dir])
        .env("TRAILSCOPE_LOG", "warn")
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&piped.stderr);
    assert!(piped.status.success(), "{stderr}");
    assert!(
        String::from_utf8_lossy(&piped.stdout).starts_with("ingest: files 40, events 40,"),
        "the summary line is printed whatever the output"
    );
    assert!(
        !stderr.contains("ETA") && !stderr.contains('\r'),
        "no progress line in piped output: {stderr:?}"
    );

    // The same ingest on a terminal: `script` gives the command a pseudo-terminal and copies what it draws.
    let terminal_data = tempfile::tempdir().expect("tmp");
    let command = format!(
        "TRAILSCOPE_LOG=warn {binary} --data-dir {} ingest {source_dir}",
        terminal_data.path().display()
    );
    let on_terminal = Command::new("script")
        .args(["--quiet", "--return", "--command", &command, "/dev/null"])
        .env("TERM", "xterm")
        .output()
        .expect("script(1) from util-linux runs");
    let drawn = String::from_utf8_lossy(&on_terminal.stdout);
    assert!(on_terminal.status.success(), "{drawn}");
    assert!(
        drawn.contains("ingest: ")
            && drawn.contains("40/40 files")
            && drawn.contains("40 events (")
            && drawn.contains("/s)")
            && drawn.contains("ETA"),
        "the terminal shows files done of total, events with their rate, and an ETA: {drawn:?}"
    );
}
