//! Validation inside the server, over HTTP through the real router: the stored report (`GET
//! /api/integrity/report`, viewers and up), the Integrity page and Activity's one-line summary rendered from
//! it, an admin's full validation (one at a time, audited), and new digests validated after an ingest.
mod common;
#[path = "common/digests.rs"]
mod digests;

use app::model::auth::Role;
use app::ssr::auth::users::add_user;
use app::ssr::integrity::IntegritySource;
use app::ssr::integrity::service::{IntegrityArchive, validate_new};
use app::ssr::state::AppState;
use app::ssr::store::Store;
use axum::http::StatusCode;
use common::{PASSWORD, exchange, form_post, get, lenient_auth, log_in, router_of};
use digests::{ACCOUNTS, Archive, REGIONS, STOPPED_HOUR, end_of, gzip};
use serde_json::Value;

struct Site {
    router: axum::Router,
    app: AppState,
    root: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

/// `archive` in a folder (with its public key folder) that a server with `admin` and `viewer` validates.
fn site(archive: &Archive) -> Site {
    let dir = tempfile::tempdir().expect("tmp");
    let (root, keys) = (dir.path().join("archive"), dir.path().join("keys"));
    archive.write_folder(&root);
    Archive::write_public_keys(&keys);
    let store = Store::open_in(&dir.path().join("data")).expect("store");
    add_user(&store, "admin", Role::Admin, PASSWORD).expect("admin");
    add_user(&store, "viewer", Role::Viewer, PASSWORD).expect("viewer");
    let app = AppState::with_auth(store, lenient_auth()).with_integrity(vec![IntegrityArchive {
        source: IntegritySource::Folder(root.clone()),
        public_keys: Some(keys),
        limits: Default::default(),
    }]);
    Site {
        router: router_of(app.clone()),
        app,
        root,
        _dir: dir,
    }
}

async fn report(s: &Site, cookie: &str) -> Value {
    let (status, _, body) = exchange(&s.router, get("/api/integrity/report", Some(cookie))).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    serde_json::from_str(&body).expect("json")
}

/// The chain of `account` and `region` in a report.
fn chain<'a>(report: &'a Value, account: &str, region: &str) -> &'a Value {
    report["archives"][0]["chains"]
        .as_array()
        .expect("chains")
        .iter()
        .find(|c| c["account_id"] == account && c["region"] == region)
        .expect("the chain is reported")
}

/// The state of the digest hour ending at `end_of(hour)`.
fn hour_state(chain: &Value, hour: i64) -> String {
    let start = app::model::integrity::status::digest_hour(end_of(hour));
    chain["hours"][start.to_string()]
        .as_str()
        .unwrap_or("none")
        .to_owned()
}

/// A modified log file in hour 3 of the first chain.
fn tampered() -> (Archive, String) {
    let mut archive = Archive::generate();
    let key = archive.logs_listed(ACCOUNTS[0], REGIONS[0], 3)[0].clone();
    archive
        .objects
        .insert(key.clone(), gzip(br#"{"Records":[]}"#));
    (archive, key)
}

#[tokio::test]
async fn the_stored_report_shows_each_hour_and_names_the_modified_log_to_viewers_only() {
    let (archive, key) = tampered();
    let s = site(&archive);
    let (status, _, _) = exchange(&s.router, get("/api/integrity/report", None)).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "no session, no report");
    let viewer = log_in(&s.router, "viewer", PASSWORD, None)
        .await
        .expect("viewer");
    let before = report(&s, &viewer).await;
    assert_eq!(before["archives"], serde_json::json!([]), "never validated");
    assert_eq!(before["sources"][0], s.root.display().to_string());

    validate_new(&s.app).await;
    let after = report(&s, &viewer).await;
    let first = chain(&after, ACCOUNTS[0], REGIONS[0]);
    assert_eq!(hour_state(first, 3), "invalid");
    assert_eq!(hour_state(first, 4), "valid");
    assert_eq!(hour_state(first, STOPPED_HOUR), "gap");
    let problems: Vec<(String, String, String)> = first["problems"]
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| {
            let location = p["location"].as_str().unwrap_or_default();
            let short = location
                .strip_prefix(&format!("{}/", s.root.display()))
                .unwrap_or(location);
            (
                short.to_owned(),
                p["finding"].to_string(),
                p["verdict"].to_string(),
            )
        })
        .collect();
    assert_eq!(
        problems,
        [
            (
                key.clone(),
                r#""log""#.to_owned(),
                r#""hash_mismatch""#.to_owned()
            ),
            (
                digests::digest_key(ACCOUNTS[0], REGIONS[0], end_of(STOPPED_HOUR + 1), false),
                r#""gap""#.to_owned(),
                "null".to_owned()
            ),
        ]
    );
    let other = chain(&after, ACCOUNTS[1], REGIONS[1]);
    assert_eq!(
        other["problems"].as_array().map(Vec::len),
        Some(1),
        "only its gap"
    );

    let (_, _, page) = exchange(&s.router, get("/integrity", Some(&viewer))).await;
    assert!(page.contains(&key), "the page names the key");
    assert!(
        page.contains("log file INVALID: hash value doesn&#x27;t match")
            || page.contains("log file INVALID: hash value doesn't match")
    );
    assert!(
        page.contains("Digest hours: 111122223333 us-east-1 main"),
        "the chain with a problem is shown first"
    );
    assert!(
        !page.contains("Validate everything now"),
        "no button for viewers"
    );
    let admin = log_in(&s.router, "admin", PASSWORD, None)
        .await
        .expect("admin");
    let (_, _, page) = exchange(&s.router, get("/integrity", Some(&admin))).await;
    assert!(page.contains("Validate everything now"));

    let (_, _, activity) = exchange(&s.router, get("/activity", Some(&viewer))).await;
    assert!(
        activity.contains("Integrity: 1 log file modified, 4 gaps · validated just now"),
        "{}",
        activity
            .split("integrity-line")
            .nth(1)
            .unwrap_or("no integrity line")
    );
}

#[tokio::test]
async fn admins_start_one_full_validation_at_a_time_and_each_request_is_audited() {
    let (archive, key) = tampered();
    let s = site(&archive);
    let viewer = log_in(&s.router, "viewer", PASSWORD, None)
        .await
        .expect("viewer");
    let admin = log_in(&s.router, "admin", PASSWORD, None)
        .await
        .expect("admin");
    let start = |cookie: &str| form_post("/api/integrity/validate", "", Some(cookie));
    let (status, _, _) = exchange(&s.router, start(&viewer)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let held = s.app.integrity.exclusive().await;
    let (status, _, body) = exchange(&s.router, start(&admin)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(
        serde_json::from_str::<Value>(&body).expect("json")["started"],
        false,
        "one runs already"
    );
    drop(held);
    let (_, _, body) = exchange(&s.router, start(&admin)).await;
    let answer: Value = serde_json::from_str(&body).expect("json");
    assert_eq!(answer["started"], true);
    assert_eq!(answer["run"]["full"], true);
    assert_eq!(answer["run"]["started_by"], "admin");
    drop(s.app.integrity.exclusive().await);
    let found = report(&s, &viewer).await;
    assert!(found["run"].is_null(), "the run is over");
    assert_eq!(
        hour_state(chain(&found, ACCOUNTS[0], REGIONS[0]), 3),
        "invalid"
    );
    assert!(found.to_string().contains(&key));

    let audit = app::ssr::audit::recent(&s.app.store, 10, None).expect("audit");
    let entries: Vec<String> = audit
        .iter()
        .filter(|e| e.action.starts_with("integrity"))
        .map(|e| format!("{} {} {}", e.actor, e.action, e.outcome))
        .collect();
    assert_eq!(
        entries,
        [
            "admin integrity.validate succeeded",
            "admin integrity.validate refused"
        ]
    );
}

#[tokio::test]
async fn after_an_ingest_only_new_digests_are_validated_and_a_full_run_checks_everything_again() {
    let mut archive = Archive::generate();
    let s = site(&archive);
    validate_new(&s.app).await;
    let viewer = log_in(&s.router, "viewer", PASSWORD, None)
        .await
        .expect("viewer");
    let first = report(&s, &viewer).await;
    assert_eq!(
        hour_state(chain(&first, ACCOUNTS[0], REGIONS[0]), 11),
        "none"
    );

    // Hour 11 is delivered, linked to hour 10; meanwhile someone rewrites a log file of
    // hour 4, which was validated already.
    let (account, region) = (ACCOUNTS[0], REGIONS[0]);
    let previous_key = digests::digest_key(account, region, end_of(10), false);
    let previous_json = archive.digests[&previous_key].json.to_string();
    let previous = (
        previous_key.clone(),
        hex::encode(<sha2::Sha256 as sha2::Digest>::digest(
            previous_json.as_bytes(),
        )),
        archive.metadata[&previous_key]["signature"].clone(),
    );
    let log = archive.add_log(account, region, end_of(11) - 1800, 0);
    let key = digests::digest_key(account, region, end_of(11), false);
    let json = digests::digest_json(
        account,
        &key,
        end_of(10),
        end_of(11),
        Some(&previous),
        vec![log],
    );
    archive.put_digest(&key, json, &digests::keys().main, None);
    let old_log = archive.logs_listed(account, region, 4)[1].clone();
    archive
        .objects
        .insert(old_log.clone(), gzip(br#"{"Records":[]}"#));
    archive.write_folder(&s.root);

    validate_new(&s.app).await;
    let after = report(&s, &viewer).await;
    let first_chain = chain(&after, account, region);
    assert_eq!(
        hour_state(first_chain, 11),
        "valid",
        "the new digest and its link"
    );
    assert_eq!(
        hour_state(first_chain, 4),
        "valid",
        "hours validated before are not read again"
    );
    assert_eq!(
        after["archives"][0]["full_validated_at_secs"],
        first["archives"][0]["full_validated_at_secs"]
    );

    let admin = log_in(&s.router, "admin", PASSWORD, None)
        .await
        .expect("admin");
    exchange(
        &s.router,
        form_post("/api/integrity/validate", "", Some(&admin)),
    )
    .await;
    drop(s.app.integrity.exclusive().await);
    let full = report(&s, &viewer).await;
    assert_eq!(
        hour_state(chain(&full, account, region), 4),
        "invalid",
        "a full run reads every file"
    );
    assert!(full.to_string().contains(&old_log));
}

/// The Integrity page as `viewer` sees it after the server validated `s`'s archive.
async fn page_after_validation(s: &Site) -> String {
    validate_new(&s.app).await;
    let viewer = log_in(&s.router, "viewer", PASSWORD, None)
        .await
        .expect("viewer");
    let (status, _, page) = exchange(&s.router, get("/integrity", Some(&viewer))).await;
    assert_eq!(status, StatusCode::OK);
    page
}

/// The page's line on when its archive was last validated.
fn validated_at(page: &str) -> &str {
    page.split("data-testid=\"validated-at\"")
        .nth(1)
        .and_then(|rest| rest.split_once('>'))
        .and_then(|(_, rest)| rest.split("</p>").next())
        .unwrap_or_else(|| panic!("no validation line in {page}"))
}

#[tokio::test]
async fn a_run_that_validated_no_digest_or_failed_never_says_no_problem() {
    // Log files but no digest file: log file validation is off on the trail.
    let mut archive = Archive::generate();
    archive
        .objects
        .retain(|key, _| !key.contains("CloudTrail-Digest"));
    let s = site(&archive);
    let page = page_after_validation(&s).await;
    assert!(page.contains("integrity-no-digests"), "{page}");
    assert!(page.contains("--enable-log-file-validation"));
    assert!(!page.contains("No problem"), "nothing was validated");
    assert!(
        validated_at(&page).starts_with("Last run found no digest file to validate"),
        "{}",
        validated_at(&page)
    );

    // The public key folder is gone: the run fails, and says why.
    let s = site(&Archive::generate());
    let keys = s.root.parent().expect("parent").join("keys");
    std::fs::remove_dir_all(&keys).expect("remove the keys");
    let page = page_after_validation(&s).await;
    assert!(page.contains("integrity-failed"), "{page}");
    assert!(page.contains("cannot read the public keys"), "the reason");
    assert!(!page.contains("No problem"), "the run failed");
    assert!(
        validated_at(&page).starts_with("Last validation failed"),
        "{}",
        validated_at(&page)
    );

    // A run that validated digests says when it did.
    let s = site(&Archive::generate());
    let page = page_after_validation(&s).await;
    assert!(validated_at(&page).starts_with("Last validated"));
    assert!(!page.contains("integrity-failed") && !page.contains("integrity-no-digests"));
}
