//! IAM Identity Center user names through the real Identity Store API client against moto: users created with
//! the SDK, then `trailscope resolve-names` (a child process, since the SDK takes moto's endpoint and
//! credentials from the environment) names the user IDs that events brought.
#[path = "common/moto.rs"]
mod moto;

use app::ssr::store::Store;
use moto::Moto;
use std::path::Path;

/// An identity store of moto's account (123456789012), shaped like AWS's `d-` IDs.
const IDENTITY_STORE: &str = "d-9067000000";
const OURS: (&str, &str) = (IDENTITY_STORE, "123456789012");
/// An identity store of an account that is not configured.
const THEIRS: (&str, &str) = ("d-9067999999", "999999999999");

/// Creates a user in moto's identity store in `region`; its user ID.
async fn create_user(moto: &Moto, region: &str, user_name: &str, display_name: &str) -> String {
    use aws_sdk_identitystore::types::Name;
    moto.identitystore(region)
        .create_user()
        .identity_store_id(IDENTITY_STORE)
        .user_name(user_name)
        .display_name(display_name)
        .name(
            Name::builder()
                .given_name("Test")
                .family_name("User")
                .build(),
        )
        .send()
        .await
        .expect("CreateUser")
        .user_id
}

/// A row as ingest leaves it for an `IdentityCenterUser` event: the user ID, its store and the store's account,
/// and a name only when a record carried one.
fn seen(store: &Store, user_id: &str, (identity_store, account): (&str, &str), name: Option<&str>) {
    let source = name.map(|_| "record");
    store
        .write(|conn| {
            conn.execute(
                "INSERT INTO identity_center_users
                 (user_id, identity_store_id, account, user_name, source, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, 0)",
                rusqlite::params![user_id, identity_store, account, name, source],
            )
        })
        .expect("row");
}

/// (user_name, source, last_error) of one row.
fn row(store: &Store, user_id: &str) -> (Option<String>, Option<String>, Option<String>) {
    let conn = rusqlite::Connection::open(store.path()).expect("open store");
    conn.query_row(
        "SELECT user_name, source, last_error FROM identity_center_users WHERE user_id = ?1",
        [user_id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )
    .expect("row")
}

/// `trailscope resolve-names --region …` against moto: (success, stdout, stderr).
fn resolve_names(moto: &Moto, data: &Path, regions: &[&str]) -> (bool, String, String) {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_trailscope"));
    command.args(["--data-dir", data.to_str().expect("utf-8"), "resolve-names"]);
    for region in regions {
        command.args(["--region", region]);
    }
    let run = command
        .envs(moto.sdk_env())
        .output()
        .expect("trailscope resolve-names runs");
    (
        run.status.success(),
        String::from_utf8_lossy(&run.stdout).into_owned(),
        String::from_utf8_lossy(&run.stderr).into_owned(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn user_ids_are_named_through_describe_user_and_failures_wait_a_day() {
    let moto = Moto::start();
    let alice = create_user(&moto, "us-east-1", "alice.w", "Alice Wong").await;
    let bob = create_user(&moto, "us-east-1", "bob.k", "Bob King").await;
    let data = tempfile::tempdir().expect("tmp");
    let store = Store::open_in(data.path()).expect("store");
    seen(&store, &alice, OURS, None);
    // A sign-in record named Bob by his e-mail; the Identity Store's user name wins.
    seen(&store, &bob, OURS, Some("bob@example.com"));
    let gone = "90670000-0000-4000-8000-00000000dead";
    seen(&store, gone, OURS, None);
    // A store of an account that is not configured: nobody may ask, so nothing is asked.
    let elsewhere = "90670000-0000-4000-8000-0000000e15e0";
    seen(&store, elsewhere, THEIRS, None);

    // moto's identity stores exist in every Region on demand, so the store's Region is named first here.
    let (ok, stdout, stderr) = resolve_names(&moto, data.path(), &["us-east-1", "eu-west-1"]);
    assert!(ok, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("resolve-names: 4 asked, 2 named, 2 failed"),
        "{stdout}\n{stderr}"
    );
    assert_eq!(
        row(&store, &alice),
        (Some("alice.w".into()), Some("identitystore".into()), None)
    );
    assert_eq!(
        row(&store, &bob),
        (Some("bob.k".into()), Some("identitystore".into()), None)
    );
    let (name, source, error) = row(&store, gone);
    assert_eq!((name, source), (None, None));
    let error = error.expect("an unknown user records why");
    assert!(error.contains("ResourceNotFoundException"), "{error}");
    let (name, _, error) = row(&store, elsewhere);
    assert_eq!(name, None);
    let error = error.expect("an unreadable store records why");
    assert!(
        error.contains("999999999999") && error.contains("identity_center_region"),
        "{error}"
    );
    assert!(stderr.contains(&format!("problem: {gone}: ")), "{stderr}");
    assert_eq!(
        store
            .meta(&format!("identity_center_region:{IDENTITY_STORE}"))
            .expect("meta")
            .as_deref(),
        Some("us-east-1"),
        "the Region that answered is remembered"
    );

    // At once again: the failures are not asked again within the day, the names not within the month.
    let (ok, stdout, stderr) = resolve_names(&moto, data.path(), &["us-east-1"]);
    assert!(ok, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("resolve-names: 0 asked, 0 named, 0 failed"),
        "{stdout}\n{stderr}"
    );
}
