//! The Events page's resource filter through the real router: an ARN, or a bare name (a bucket, an object key, a
//! function) found from the index of reversed ARNs, each event once, and the same answers from a store written
//! before ARNs were stored reversed (migration `resource_arn::MIGRATION`); an ARN a record lists under two types,
//! or with a type and without one, still lists and counts its event once.
mod common;

use app::ssr::store::Store;
use app::ssr::store::resource_arn;
use app::ssr::store::schema::version_before;
use axum::http::StatusCode;
use common::served::{get_as, serve_store, viewer_cookie};
use common::{count, ingest, write_gz};
use serde_json::Value;

const KEY: &str = "AWSLogs/111122223333/CloudTrail/us-east-1/2026/11/19/111122223333_CloudTrail_us-east-1_20261119T1005Z_resourcefilter01.json.gz";

/// One record in the shape of S3, Lambda and IAM events in CloudTrail: `resources` as AWS writes them.
fn record(id: u8, minute: u8, source: &str, name: &str, resources: &[(&str, &str)]) -> String {
    let resources: Vec<Value> = resources
        .iter()
        .map(|(kind, arn)| match *kind {
            // AWS leaves `type` out of some resources.
            "" => serde_json::json!({"accountId": "111122223333", "ARN": arn}),
            kind => serde_json::json!({"accountId": "111122223333", "type": kind, "ARN": arn}),
        })
        .collect();
    serde_json::json!({
        "eventVersion": "1.10",
        "userIdentity": {"type": "AssumedRole", "principalId": "AROAEXAMPLEID:dana",
            "arn": "arn:aws:sts::111122223333:assumed-role/DataTeam/dana", "accountId": "111122223333"},
        "eventTime": format!("2026-11-19T10:{minute:02}:00Z"),
        "eventSource": source,
        "eventName": name,
        "awsRegion": "us-east-1",
        "sourceIPAddress": "192.0.2.10",
        "userAgent": "aws-cli/2.17.0",
        "requestParameters": null,
        "responseElements": null,
        "eventID": format!("00000000-0000-4000-8000-0000000000{id:02}"),
        "readOnly": false,
        "resources": resources,
        "eventType": "AwsApiCall",
        "managementEvent": false,
        "recipientAccountId": "111122223333",
        "eventCategory": "Data"
    })
    .to_string()
}

/// The archive's one log file: a copy between two buckets of an object with the same key (four resources), a
/// read of a look-alike key, a bucket whose name extends another's, two functions differing in case, and one
/// call naming the same key in 1,001 buckets.
fn log_file() -> String {
    let records = [
        record(
            1,
            1,
            "s3.amazonaws.com",
            "CopyObject",
            &[
                ("AWS::S3::Object", "arn:aws:s3:::prod-logs/reports/q3.csv"),
                ("AWS::S3::Bucket", "arn:aws:s3:::prod-logs"),
                (
                    "AWS::S3::Object",
                    "arn:aws:s3:::archive-logs/reports/q3.csv",
                ),
                ("AWS::S3::Bucket", "arn:aws:s3:::archive-logs"),
            ],
        ),
        record(
            2,
            2,
            "s3.amazonaws.com",
            "GetObject",
            &[
                (
                    "AWS::S3::Object",
                    "arn:aws:s3:::prod-logs/reports/q3.csv.bak",
                ),
                ("AWS::S3::Bucket", "arn:aws:s3:::prod-logs"),
            ],
        ),
        record(
            3,
            3,
            "s3.amazonaws.com",
            "PutObject",
            &[
                ("AWS::S3::Object", "arn:aws:s3:::prod-logs-old/q3.csv"),
                ("AWS::S3::Bucket", "arn:aws:s3:::prod-logs-old"),
            ],
        ),
        record(
            4,
            4,
            "lambda.amazonaws.com",
            "Invoke",
            &[(
                "AWS::Lambda::Function",
                "arn:aws:lambda:us-east-1:111122223333:function:my-function",
            )],
        ),
        record(
            5,
            5,
            "lambda.amazonaws.com",
            "Invoke",
            &[(
                "AWS::Lambda::Function",
                "arn:aws:lambda:us-east-1:111122223333:function:My-Function",
            )],
        ),
    ];
    // A batch job's one call naming the same key in more buckets than a bare name lists (read as ranges).
    let buckets: Vec<String> = (0..1_001)
        .map(|i| format!("arn:aws:s3:::batch-{i:04}/daily/x.csv"))
        .collect();
    let batch: Vec<(&str, &str)> = buckets
        .iter()
        .map(|arn| ("AWS::S3::Object", arn.as_str()))
        .collect();
    let records: Vec<String> = records
        .into_iter()
        .chain([record(6, 6, "s3.amazonaws.com", "DeleteObjects", &batch)])
        .collect();
    format!("{{\"Records\":[{}]}}", records.join(","))
}

/// Each search (a `resource` value, with or without a type) and the events it must list, newest first, once each.
const CASES: &[(&str, &[&str])] = &[
    ("resource=q3.csv", &["03", "01"]),
    ("resource=reports/q3.csv", &["01"]),
    ("resource=prod-logs", &["02", "01"]),
    ("resource=prod-logs-old", &["03"]),
    ("resource=arn:aws:s3:::prod-logs", &["02", "01"]),
    ("resource=my-function", &["04"]),
    ("resource=My-Function", &["05"]),
    ("resource=function:my-function", &["04"]),
    ("resource=logs", &[]),
    ("rtype=AWS::S3::Object", &["06", "03", "02", "01"]),
    ("resource=x.csv", &["06"]),
    ("resource=daily/x.csv", &["06"]),
    ("resource=batch-0007/daily/x.csv", &["06"]),
    ("rtype=AWS::S3::Object&resource=q3.csv", &["03", "01"]),
];

/// Runs every case over HTTP: the listed events (by the last two digits of their ID) and the total.
async fn check_cases(store: Store, cases: &[(&str, &[&str])]) {
    let (router, _) = serve_store(store);
    let cookie = viewer_cookie(&router).await;
    for (filter, expected) in cases {
        let uri = format!("/api/events/search?range=all&rw=all&{filter}");
        let (status, body) = get_as(&router, &cookie, &uri).await;
        assert_eq!(status, StatusCode::OK, "{uri}: {body}");
        let page: Value = serde_json::from_str(&body).expect("JSON");
        let listed: Vec<&str> = page["events"]
            .as_array()
            .expect("events")
            .iter()
            .map(|e| &e["event_id"].as_str().expect("id")[34..])
            .collect();
        assert_eq!(listed, *expected, "{uri}");
        assert_eq!(page["total"].as_u64(), Some(expected.len() as u64), "{uri}");
    }
}

/// A store holding the archive's one log file, and its data folder (kept while the store is used).
fn ingested() -> (Store, tempfile::TempDir) {
    let archive = tempfile::tempdir().expect("tmp");
    let data = tempfile::tempdir().expect("tmp");
    write_gz(archive.path(), KEY, log_file().as_bytes());
    let store = Store::open_in(data.path()).expect("store");
    assert_eq!(ingest(&store, archive.path()).events, 6);
    (store, data)
}

#[tokio::test]
async fn a_bare_name_finds_the_resources_ending_in_it_and_lists_each_event_once() {
    let (store, _data) = ingested();
    check_cases(store, CASES).await;
}

#[tokio::test]
async fn a_store_written_before_arns_were_reversed_answers_the_same_after_the_upgrade() {
    let (store, data) = ingested();
    // Back to the older layout: plain ARNs in `arn`, indexed as they were.
    let conn = rusqlite::Connection::open(store.path()).expect("open");
    resource_arn::register_sql_function(&conn).expect("function");
    conn.execute_batch(&format!(
        "DROP INDEX event_resources_by_reversed_arn;
         ALTER TABLE event_resources RENAME COLUMN arn_reversed TO arn;
         UPDATE event_resources SET arn = {}(arn);
         CREATE INDEX event_resources_by_arn ON event_resources (arn, event_time, event);
         PRAGMA user_version = {};",
        resource_arn::SQL_FUNCTION,
        version_before(resource_arn::MIGRATION)
    ))
    .expect("downgrade");
    drop((conn, store));
    let store = Store::open_in(data.path()).expect("reopened");
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM event_resources WHERE arn_reversed = 'sgol-dorp:::3s:swa:nra'"
        ),
        2,
        "the bucket's rows are reversed"
    );
    assert_eq!(
        count(
            &store,
            "SELECT count(*) FROM sqlite_master WHERE name = 'event_resources_by_arn'"
        ),
        0
    );
    check_cases(store, CASES).await;
}

/// The filters that read one ARN, and the events each must list once, after [`listing_an_arn_twice`] is stored.
const TWICE_CASES: &[(&str, &[&str])] = &[
    ("resource=arn:aws:s3:::prod-logs", &["08", "07", "02", "01"]),
    ("resource=arn:aws:iam::111122223333:role/Deployer", &["07"]),
    ("resource=prod-logs", &["08", "07", "02", "01"]),
];

/// A second log file: a call listing a bucket both as a bucket and without a type, and a role under two types;
/// then a plain read of the bucket.
fn listing_an_arn_twice() -> String {
    let records = [
        record(
            7,
            7,
            "s3.amazonaws.com",
            "PutBucketPolicy",
            &[
                ("AWS::S3::Bucket", "arn:aws:s3:::prod-logs"),
                ("", "arn:aws:s3:::prod-logs"),
                ("AWS::IAM::Role", "arn:aws:iam::111122223333:role/Deployer"),
                (
                    "AWS::IAM::Principal",
                    "arn:aws:iam::111122223333:role/Deployer",
                ),
            ],
        ),
        record(
            8,
            8,
            "s3.amazonaws.com",
            "GetBucketPolicy",
            &[("AWS::S3::Bucket", "arn:aws:s3:::prod-logs")],
        ),
    ];
    format!("{{\"Records\":[{}]}}", records.join(","))
}

#[tokio::test]
async fn an_arn_listed_under_two_types_lists_and_counts_its_event_once_also_in_an_older_store() {
    let (store, data) = ingested();
    let listed_twice = |store: &Store| {
        count(
            store,
            &format!(
                "SELECT count(*) FROM meta WHERE key = '{}' AND value = '1'",
                resource_arn::LISTED_TWICE_KEY
            ),
        )
    };
    assert_eq!(
        listed_twice(&store),
        0,
        "no event of the first file lists an ARN twice"
    );
    let archive = tempfile::tempdir().expect("tmp");
    write_gz(
        archive.path(),
        &KEY.replace("resourcefilter01", "resourcefilter02"),
        listing_an_arn_twice().as_bytes(),
    );
    assert_eq!(ingest(&store, archive.path()).events, 2);
    assert_eq!(listed_twice(&store), 1);
    let path = store.path().to_owned();
    check_cases(store, TWICE_CASES).await;
    // A store written before the writer kept the mark: it is found when the store is opened.
    let conn = rusqlite::Connection::open(&path).expect("open");
    conn.execute_batch(&format!(
        "DELETE FROM meta WHERE key = '{}'; PRAGMA user_version = {};",
        resource_arn::LISTED_TWICE_KEY,
        version_before(resource_arn::LISTED_TWICE_MIGRATION)
    ))
    .expect("downgrade");
    drop(conn);
    let store = Store::open_in(data.path()).expect("reopened");
    assert_eq!(listed_twice(&store), 1);
    app::ssr::auth::users::delete_user(&store, "viewer").expect("the first check's user");
    check_cases(store, TWICE_CASES).await;
}
