//! `trailscope validate DIR` on a signed folder archive: each tampering with a digest file gives its exact
//! verdict on its key and exit status 1, and the walk goes on to the older digests as the CLI's does. Where
//! Trailscope says more than the CLI (every one of consecutive deleted digests; the log files a lost digest
//! listed, and those only a digest that fails its checks lists), the test says so.
#[path = "common/digests.rs"]
mod digests;
#[path = "common/integrity_run.rs"]
mod integrity_run;

use digests::{ACCOUNTS, Archive, HOME, REGIONS, digest_key, end_of, fingerprint, keys};
use integrity_run::{run, with};

const A: &str = ACCOUNTS[0];
const R: &str = REGIONS[0];

fn hour(h: i64) -> String {
    digest_key(A, R, end_of(h), false)
}

/// `line` and, unlisted, the log files hour `h`'s digest lists: a digest that fails its checks vouches for none
/// of them, and no other digest lists them.
fn and_its_logs_unlisted(archive: &Archive, h: i64, line: String) -> Vec<String> {
    let mut found = vec![line];
    found.extend(
        archive
            .logs_listed(A, R, h)
            .iter()
            .map(|key| format!("unlisted {key}")),
    );
    found
}

#[test]
fn a_modified_digest_fails_its_signature() {
    let mut archive = Archive::generate();
    archive.edit_digest(&hour(4), |json| {
        json["logFiles"][0]["hashValue"] = "0".repeat(64).into();
    });
    let (code, found, _) = run(&archive, &[]);
    assert_eq!(
        found,
        with(and_its_logs_unlisted(
            &archive,
            4,
            format!("digest {} INVALID: signature verification failed", hour(4))
        ))
    );
    assert_eq!(code, 1);
}

#[test]
fn a_digest_without_signature_metadata_fails_its_signature() {
    let mut archive = Archive::generate();
    archive.metadata.remove(&hour(4));
    let (code, found, _) = run(&archive, &[]);
    assert_eq!(
        found,
        with(and_its_logs_unlisted(
            &archive,
            4,
            format!(
                "digest {} INVALID: signature verification failed (no signature metadata)",
                hour(4)
            )
        ))
    );
    assert_eq!(code, 1);
}

#[test]
fn a_deleted_digest_is_not_found_and_its_logs_are_unlisted() {
    let mut archive = Archive::generate();
    archive.objects.remove(&hour(4));
    let lost = archive.logs_listed(A, R, 4);
    let (code, found, _) = run(&archive, &[]);
    let mut expected = vec![format!("digest {} INVALID: not found", hour(4))];
    // Beyond the CLI: the log files only that digest listed.
    expected.extend(lost.iter().map(|key| format!("unlisted {key}")));
    assert_eq!(found, with(expected));
    assert_eq!(code, 1);
}

#[test]
fn two_consecutive_deleted_digests_are_both_named() {
    let mut archive = Archive::generate();
    archive.objects.remove(&hour(8));
    archive.objects.remove(&hour(9));
    let lost = archive.logs_listed(A, R, 8);
    let (code, found, _) = run(&archive, &[]);
    let mut expected = vec![
        // The CLI names only this one (aws-cli#7054)…
        format!("digest {} INVALID: not found", hour(9)),
        // …Trailscope also the one before, from the hourly cadence.
        format!("inferred {} INVALID: not found", hour(8)),
    ];
    expected.extend(lost.iter().map(|key| format!("unlisted {key}")));
    assert_eq!(found, with(expected));
    assert_eq!(code, 1);
}

#[test]
fn a_digest_signed_by_another_key_fails_its_signature() {
    let mut archive = Archive::generate();
    archive.resign(&hour(5), &keys().other);
    let (code, found, _) = run(&archive, &[]);
    assert_eq!(
        found,
        with(and_its_logs_unlisted(
            &archive,
            5,
            format!("digest {} INVALID: signature verification failed", hour(5))
        ))
    );
    assert_eq!(code, 1);
}

#[test]
fn a_digest_with_an_unknown_key_fingerprint_has_no_public_key() {
    let mut archive = Archive::generate();
    let other = fingerprint(&keys().other);
    archive.edit_digest(&hour(5), |json| {
        json["digestPublicKeyFingerprint"] = other.clone().into();
    });
    archive.resign(&hour(5), &keys().other);
    let (code, found, _) = run(&archive, &[]);
    assert_eq!(
        found,
        with(and_its_logs_unlisted(
            &archive,
            5,
            format!(
                "digest {} INVALID: public key not found in region {HOME} for fingerprint {other}",
                hour(5)
            )
        ))
    );
    assert_eq!(code, 1);
}

#[test]
fn a_broken_previous_digest_signature_fails_the_signature() {
    let mut archive = Archive::generate();
    archive.edit_digest(&hour(3), |json| {
        let signature = json["previousDigestSignature"]
            .as_str()
            .expect("linked")
            .to_owned();
        let flipped = if signature.starts_with('0') { "1" } else { "0" };
        json["previousDigestSignature"] = format!("{flipped}{}", &signature[1..]).into();
    });
    let (code, found, _) = run(&archive, &[]);
    assert_eq!(
        found,
        with(and_its_logs_unlisted(
            &archive,
            3,
            format!("digest {} INVALID: signature verification failed", hour(3))
        ))
    );
    assert_eq!(code, 1);
}

#[test]
fn a_digest_moved_to_another_key_is_invalid() {
    let mut archive = Archive::generate();
    let moved = digest_key(A, R, end_of(10) + 1, false);
    archive.move_object(&hour(10), &moved);
    let (code, found, _) = run(&archive, &[]);
    assert_eq!(
        found,
        with(vec![format!(
            "digest {moved} INVALID: has been moved from its original location"
        )])
    );
    assert_eq!(code, 1);
}

#[test]
fn a_backfill_digest_without_its_metadata_is_invalid() {
    let mut archive = Archive::generate();
    let backfill = archive
        .metadata
        .iter()
        .find(|(key, _)| key.ends_with("_backfill.json.gz"))
        .map(|(key, _)| key.clone())
        .expect("a backfill digest");
    archive
        .metadata
        .get_mut(&backfill)
        .expect("metadata")
        .remove("backfill-generation-timestamp");
    let (code, found, _) = run(&archive, &[]);
    // The late log file only the backfill digest lists is unlisted with it.
    let late = archive.digests[&backfill].json["logFiles"][0]["s3Object"]
        .as_str()
        .expect("key")
        .to_owned();
    assert_eq!(
        found,
        with(vec![
            format!("backfill {backfill} INVALID: invalid format"),
            format!("unlisted {late}")
        ])
    );
    assert_eq!(code, 1);
}

#[test]
fn log_files_named_only_by_a_forged_digest_are_unlisted() {
    // A log file planted in hour 4 and added to that hour's digest, which cannot be signed again without the
    // key: the digest fails its signature, so it vouches for nothing, and every log file only it names (the
    // planted one and the hour's own) counts as one no digest lists.
    let mut archive = Archive::generate();
    let planted = archive.add_log(A, R, end_of(4) - 1500, 8);
    let planted_key = planted["s3Object"].as_str().expect("key").to_owned();
    archive.edit_digest(&hour(4), |json| {
        json["logFiles"]
            .as_array_mut()
            .expect("logFiles")
            .push(planted)
    });
    let (code, found, report) = run(&archive, &[]);
    let mut expected = vec![format!(
        "digest {} INVALID: signature verification failed",
        hour(4)
    )];
    expected.extend(
        archive
            .logs_listed(A, R, 4)
            .iter()
            .map(|key| format!("unlisted {key}")),
    );
    assert!(expected.contains(&format!("unlisted {planted_key}")));
    assert_eq!(found, with(expected));
    assert_eq!(report.counts().unlisted_logs, 3);
    assert_eq!(code, 1);
}
