//! `trailscope validate DIR` on a signed folder archive (sidecar metadata, `--public-keys`): an untouched
//! archive is valid with its one delivery gap per chain; each tampering with a log file gives its exact verdict
//! on its key and exit status 1; a log file no digest lists is reported but, as for the CLI, exits 0; the time
//! window keeps what is outside it out of the run.
#[path = "common/digests.rs"]
mod digests;
#[path = "common/integrity_run.rs"]
mod integrity_run;

use digests::{ACCOUNTS, Archive, REGIONS, end_of, gzip};
use integrity_run::{run, with};

#[test]
fn an_untouched_archive_is_valid_with_its_gaps() {
    let (code, found, report) = run(&Archive::generate(), &[]);
    assert_eq!(found, with(vec![]));
    assert_eq!(code, 0);
    let counts = report.counts();
    // Four chains of nine hourly digests (hour 6 stopped), one backfill digest; two logs an hour but in
    // hours 2 and 9, plus the backfilled one.
    assert_eq!(report.chains.len(), 4);
    assert_eq!((counts.digests_valid, counts.digests_invalid), (36, 0));
    assert_eq!((counts.backfill_valid, counts.backfill_invalid), (1, 0));
    assert_eq!((counts.logs_valid, counts.logs_invalid), (4 * 14 + 1, 0));
    let text = std::process::Command::new(env!("CARGO_BIN_EXE_trailscope"))
        .args(["validate", "/nonexistent-archive"])
        .output()
        .expect("runs");
    assert_eq!(text.status.code(), Some(2), "nothing could be validated");
}

#[test]
fn a_modified_log_file_fails_its_hash() {
    let mut archive = Archive::generate();
    let key = archive.logs_listed(ACCOUNTS[0], REGIONS[0], 3)[0].clone();
    archive
        .objects
        .insert(key.clone(), gzip(br#"{"Records":[]}"#));
    let (code, found, _) = run(&archive, &[]);
    assert_eq!(
        found,
        with(vec![format!("log {key} INVALID: hash value doesn't match")])
    );
    assert_eq!(code, 1);
}

#[test]
fn a_deleted_log_file_is_not_found() {
    let mut archive = Archive::generate();
    let key = archive.logs_listed(ACCOUNTS[1], REGIONS[1], 7)[1].clone();
    archive.objects.remove(&key);
    let (code, found, _) = run(&archive, &[]);
    assert_eq!(found, with(vec![format!("log {key} INVALID: not found")]));
    assert_eq!(code, 1);
}

#[test]
fn bytes_after_a_log_files_gzip_stream_make_it_invalid() {
    let mut archive = Archive::generate();
    let key = archive.logs_listed(ACCOUNTS[0], REGIONS[1], 10)[0].clone();
    archive
        .objects
        .get_mut(&key)
        .expect("log")
        .extend_from_slice(b"appended");
    let (code, found, _) = run(&archive, &[]);
    assert_eq!(
        found,
        with(vec![format!(
            "log {key} INVALID: unexpected data after end of compressed stream"
        )])
    );
    assert_eq!(code, 1);
}

#[test]
fn a_log_file_no_digest_lists_is_reported_apart() {
    let mut archive = Archive::generate();
    let planted = archive.add_log(ACCOUNTS[1], REGIONS[0], end_of(4) - 1800, 9);
    let key = planted["s3Object"].as_str().expect("key").to_owned();
    let (code, found, _) = run(&archive, &[]);
    assert_eq!(found, with(vec![format!("unlisted {key}")]));
    assert_eq!(
        code, 0,
        "the CLI does not see unlisted log files; its exit code is kept"
    );
}

#[test]
fn the_time_window_keeps_the_rest_out() {
    let mut archive = Archive::generate();
    // Outside the window: tampered logs of hours 1 and 10, a planted log in hour 8.
    for hour in [1, 10] {
        let key = archive.logs_listed(ACCOUNTS[0], REGIONS[0], hour)[0].clone();
        archive.objects.insert(key, gzip(b"{}"));
    }
    archive.add_log(ACCOUNTS[0], REGIONS[0], end_of(8) - 1800, 9);
    let start = app::model::time::format_rfc3339(end_of(3));
    let end = app::model::time::format_rfc3339(end_of(5));
    let (code, found, report) = run(&archive, &["--start", &start, "--end", &end]);
    assert_eq!(found, Vec::<String>::new());
    assert_eq!(code, 0);
    // Hours 3 to 5 of each chain (the walk stops once a digest starts before the window); no backfill digest
    // (named hours after the window).
    let counts = report.counts();
    assert_eq!((counts.digests_valid, counts.backfill_valid), (4 * 3, 0));
    assert_eq!(counts.logs_valid, 4 * 6);
    // Inside it, the same tampering is found.
    let key = archive.logs_listed(ACCOUNTS[0], REGIONS[0], 4)[1].clone();
    archive.objects.remove(&key);
    let (code, found, _) = run(&archive, &["--start", &start, "--end", &end]);
    assert_eq!(found, vec![format!("log {key} INVALID: not found")]);
    assert_eq!(code, 1);
}

#[test]
fn the_text_output_names_each_problem_in_the_clis_words() {
    let mut archive = Archive::generate();
    let key = archive.logs_listed(ACCOUNTS[0], REGIONS[0], 3)[0].clone();
    archive.objects.insert(key.clone(), gzip(b"{}"));
    let dir = tempfile::tempdir().expect("tempdir");
    let (root, keys) = (dir.path().join("archive"), dir.path().join("keys"));
    archive.write_folder(&root);
    Archive::write_public_keys(&keys);
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_trailscope"))
        .arg("validate")
        .arg(&root)
        .arg("--public-keys")
        .arg(&keys)
        .args(["--end", integrity_run::END])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&output.stdout);
    let path = root.join(&key);
    for line in [
        format!("Log file\t{}\tINVALID: hash value doesn't match", path.display()),
        "111122223333 us-east-1 main (home Region us-east-1):".to_owned(),
        "No log files were delivered by CloudTrail between 2026-11-20T05:05:12Z and 2026-11-20T06:05:12Z"
            .to_owned(),
        "Results for 4 trail(s) × Region(s): 36/36 digest files valid, 1/1 backfill digest files valid, \
         56/57 log files valid, 1/57 log files INVALID, 4 gap(s) in delivery"
            .to_owned(),
    ] {
        assert!(text.contains(&line), "{line:?} missing from:\n{text}");
    }
    assert_eq!(output.status.code(), Some(1));
}

#[test]
fn a_digest_cannot_make_validation_read_outside_the_archive_folder() {
    // A signed digest (planted with a stolen key, or damaged) naming `../outside.json.gz`: the file beside the
    // archive folder holds exactly the bytes it hashes, yet it is not the archive's, so it is not found.
    let mut archive = Archive::generate();
    let (account, region) = (ACCOUNTS[0], REGIONS[0]);
    let listed = archive.logs_listed(account, region, 10)[0].clone();
    let outside = "../outside.json.gz";
    archive.move_object(&listed, outside);
    let newest = digests::digest_key(account, region, end_of(10), false);
    archive.edit_digest(&newest, |json| {
        json["logFiles"][0]["s3Object"] = outside.into();
    });
    archive.resign(&newest, &digests::keys().main);
    let (code, found, _) = run(&archive, &[]);
    assert_eq!(
        found,
        with(vec![format!("log {outside} INVALID: not found")])
    );
    assert_eq!(code, 1);
}

#[test]
fn a_symbolic_link_out_of_the_archive_folder_is_reported_and_not_read() {
    // A listed log file replaced by a link to a copy beside the archive folder: the copy holds exactly the bytes
    // the digest hashed, so reading through the link would call it valid. Ingest does not follow such a link,
    // and neither does validation.
    let archive = Archive::generate();
    let key = archive.logs_listed(ACCOUNTS[0], REGIONS[1], 4)[0].clone();
    let dir = tempfile::tempdir().expect("tempdir");
    let (root, keys) = (dir.path().join("archive"), dir.path().join("keys"));
    archive.write_folder(&root);
    Archive::write_public_keys(&keys);
    let outside = dir.path().join("outside.json.gz");
    std::fs::rename(root.join(&key), &outside).expect("move out");
    std::os::unix::fs::symlink(&outside, root.join(&key)).expect("link");
    let (code, report) = integrity_run::validate(
        &[
            &root.display().to_string(),
            "--public-keys",
            &keys.display().to_string(),
            "--end",
            integrity_run::END,
        ],
        &[],
    );
    let found = integrity_run::findings(&report, &root.display().to_string());
    assert_eq!(
        found,
        with(vec![format!(
            "log {key} INVALID: symbolic link not followed: it leads outside the archive folder or to a folder"
        )])
    );
    assert_eq!(code, 1);
    assert_eq!(report.counts().logs_valid, 4 * 14, "every other log file");
}

#[test]
fn a_log_file_over_ingests_bound_is_reported_and_the_rest_is_validated() {
    // A listed log file replaced by a gzip bomb: 8 MiB of zeros in a few KiB, over a 1 MiB bound
    // (`ingest_max_file_bytes`, the bound ingest reads files within). It is named, not read to its end.
    let mut archive = Archive::generate();
    let key = archive.logs_listed(ACCOUNTS[1], REGIONS[0], 5)[1].clone();
    archive
        .objects
        .insert(key.clone(), gzip(&vec![0u8; 8 << 20]));
    let dir = tempfile::tempdir().expect("tempdir");
    let (root, keys) = (dir.path().join("archive"), dir.path().join("keys"));
    archive.write_folder(&root);
    Archive::write_public_keys(&keys);
    let (code, report) = integrity_run::validate(
        &[
            &root.display().to_string(),
            "--public-keys",
            &keys.display().to_string(),
            "--end",
            integrity_run::END,
        ],
        &[("TRAILSCOPE_INGEST_MAX_FILE_BYTES", (1 << 20).to_string())],
    );
    let found = integrity_run::findings(&report, &root.display().to_string());
    assert_eq!(
        found,
        with(vec![format!(
            "log {key} INVALID: decompresses to more than the limit ingest_max_file_bytes, not read further"
        )])
    );
    assert_eq!(code, 1);
    assert_eq!(report.counts().logs_valid, 4 * 14, "every other log file");
}
