//! A store on a small tmpfs, seen through a read-only mount, then on a full disk, while `trailscope serve` runs
//! on it: `trailscope ingest` stops with an error naming the store's path, nothing is corrupted (the store opens, passes SQLite's
//! integrity check, and holds exactly the events of the files it lists), the server keeps answering reads over
//! HTTP, and once there is room again the same ingest completes with every event once. Mounting needs root: the
//! test says so and passes without running when it is not root.
#[path = "common/archive_ids.rs"]
mod archive_ids;
mod common;

use archive_ids::{consistent, source_ids, stored_ids};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A mount made for the test, unmounted when dropped.
struct Mount(PathBuf);

impl Mount {
    /// Runs `mount ARGS… dir`; why not, when it cannot (not root, no mount permission).
    fn new(args: &[&str], source: &str, dir: &Path) -> Result<Self, String> {
        let uid = Command::new("id")
            .arg("-u")
            .output()
            .map_err(|e| e.to_string())?;
        if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
            return Err("not root".to_owned());
        }
        let mounted = Command::new("mount")
            .args(args)
            .arg(source)
            .arg(dir)
            .output()
            .map_err(|e| e.to_string())?;
        if !mounted.status.success() {
            return Err(String::from_utf8_lossy(&mounted.stderr).into_owned());
        }
        Ok(Self(dir.to_owned()))
    }

    /// A read-only view of the folder `source` at `dir` (a bind mount made read-only), while `source` itself
    /// stays writable for the server using it.
    fn read_only_view(source: &Path, dir: &Path) -> Self {
        let view = Self::new(&["--bind"], source.to_str().expect("utf-8"), dir).expect("bind");
        let done = Command::new("mount")
            .args(["-o", "remount,bind,ro"])
            .arg(dir)
            .status()
            .expect("mount runs");
        assert!(done.success(), "remount read-only");
        view
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

fn trailscope(data: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_trailscope"))
        .arg("--data-dir")
        .arg(data)
        .args(args)
        .env("TRAILSCOPE_LOG", "warn")
        .output()
        .expect("trailscope runs")
}

/// A generated archive of about `events` events in `out`.
fn demo(out: &Path, seed: &str, events: &str) {
    let run = Command::new(env!("CARGO_BIN_EXE_trailscope"))
        .args(["demo", "--out"])
        .arg(out)
        .args(["--events", events, "--days", "2", "--end", "2026-11-01"])
        .args(["--seed", seed])
        .output()
        .expect("demo runs");
    assert!(run.status.success(), "{run:?}");
}

/// One HTTP/1.0 exchange with the server: status and the whole response text.
fn http(port: u16, request: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    stream.write_all(request.as_bytes()).expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).expect("receive");
    let status = response
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, response)
}

fn serve(data: &Path, port: u16) -> Child {
    let mut child = Command::new(env!("CARGO_BIN_EXE_trailscope"))
        .arg("--data-dir")
        .arg(data)
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .env("TRAILSCOPE_DEMO", "false")
        .env("TRAILSCOPE_LOG", "warn")
        .env("TRAILSCOPE_ADMIN_PASSWORD", common::PASSWORD)
        .env("LEPTOS_SITE_ROOT", "target/site")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve starts");
    let deadline = Instant::now() + Duration::from_secs(60);
    let ready = format!("GET /readyz HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\n\r\n");
    while TcpStream::connect(("127.0.0.1", port)).is_err() || http(port, &ready).0 != 200 {
        assert!(Instant::now() < deadline, "serve did not get ready");
        assert!(child.try_wait().expect("wait").is_none(), "serve exited");
        std::thread::sleep(Duration::from_millis(100));
    }
    child
}

/// Logs `admin` in; the session cookie.
fn log_in(port: u16) -> String {
    let form = format!(
        "username=admin&password={}",
        common::PASSWORD.replace(' ', "+")
    );
    let (_, response) = http(
        port,
        &format!(
            "POST /api/auth/login HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nOrigin: http://127.0.0.1:{port}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{form}",
            form.len()
        ),
    );
    response
        .lines()
        .filter_map(|l| {
            l.strip_prefix("set-cookie: ")
                .or(l.strip_prefix("Set-Cookie: "))
        })
        .find(|c| c.starts_with("trailscope_session="))
        .and_then(|c| c.split(';').next())
        .unwrap_or_else(|| panic!("no session: {response}"))
        .to_owned()
}

/// Every read a user makes answers 200 with the session `cookie`.
fn reads_answer(port: u16, cookie: &str, when: &str) {
    for path in [
        "/",
        "/events",
        "/api/activity/timeline?range=all",
        "/api/activity/top?range=all",
        "/api/events/search",
    ] {
        let (status, response) = http(
            port,
            &format!("GET {path} HTTP/1.0\r\nHost: 127.0.0.1:{port}\r\nCookie: {cookie}\r\n\r\n"),
        );
        assert_eq!(status, 200, "{when}: GET {path}: {response}");
    }
}

/// Fills the file system of `dir` up to all but `left` bytes; returns the filler.
fn fill(dir: &Path, left: u64) -> PathBuf {
    let path = dir.join("filler");
    let mut file = std::fs::File::create(&path).expect("filler");
    let chunk = vec![7u8; 1 << 16];
    while file.write_all(&chunk).is_ok() {}
    let len = file.metadata().expect("stat").len();
    file.set_len(len.saturating_sub(left)).expect("shrink");
    path
}

#[test]
fn a_read_only_or_full_store_stops_ingest_cleanly_and_serving_goes_on() {
    let mnt = tempfile::tempdir().expect("tmp");
    let _tmpfs = match Mount::new(&["-t", "tmpfs", "-o", "size=20m"], "tmpfs", mnt.path()) {
        Ok(tmpfs) => tmpfs,
        Err(why) => {
            eprintln!("SKIPPED: mounting a 20 MB tmpfs for the full-disk test needs root ({why})");
            return;
        }
    };
    let archives = tempfile::tempdir().expect("tmp");
    let (first, second) = (archives.path().join("a"), archives.path().join("b"));
    demo(&first, "1", "3000");
    demo(&second, "2", "6000");
    let data = mnt.path().join("data");
    let ingest = |archive: &Path| trailscope(&data, &["ingest", archive.to_str().expect("utf-8")]);
    assert!(ingest(&first).status.success());
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let mut server = serve(&data, port);
    let cookie = log_in(port);
    reads_answer(port, &cookie, "before");

    // Read-only (the same store seen through a read-only mount): the error names the store, nothing changes.
    let db = data.join("trailscope.db");
    let before = stored_ids(&db);
    let view_dir = tempfile::tempdir().expect("tmp");
    let view = Mount::read_only_view(&data, view_dir.path());
    let run = trailscope(
        view_dir.path(),
        &["ingest", second.to_str().expect("utf-8")],
    );
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success(), "{stderr}");
    assert!(
        stderr.contains(&view_dir.path().display().to_string()),
        "{stderr}"
    );
    reads_answer(port, &cookie, "read-only");
    drop(view);
    assert!(consistent(&db));
    assert_eq!(stored_ids(&db), before);

    // Full: the error names the store and says why; what was committed adds up.
    let filler = fill(mnt.path(), 256 << 10);
    let run = ingest(&second);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(!run.status.success(), "{stderr}");
    assert!(stderr.contains(&data.display().to_string()), "{stderr}");
    assert!(
        stderr.contains(&format!("cannot write {}", data.display()))
            && (stderr.contains("disk is full") || stderr.contains("No space left")),
        "{stderr}"
    );
    reads_answer(port, &cookie, "full");
    let _ = server.kill();
    let _ = server.wait();
    std::fs::remove_file(filler).expect("room again");
    assert!(
        consistent(&db),
        "events and files disagree after the full disk"
    );
    let ids: std::collections::BTreeSet<String> = stored_ids(&db).into_iter().collect();
    let all = source_ids(&[&first, &second]);
    assert!(ids.is_subset(&all));
    assert!(source_ids(&[&first]).is_subset(&ids));

    // With room again the same ingest completes: every event once.
    let run = ingest(&second);
    assert!(run.status.success(), "{run:?}");
    assert!(consistent(&db));
    assert_eq!(stored_ids(&db), all.into_iter().collect::<Vec<_>>());
}
