//! Search latency on a large store: `bench/search` generates the store and runs this (ignored otherwise).
//! Prints, per query, the matches, the first page's p50/p95 and the total count's p50, in milliseconds.
use app::model::events::EventQuery;
use app::ssr::store::Store;
use app::ssr::store::search::{count_matches, search_page};
use std::time::Instant;

fn top_value(conn: &rusqlite::Connection, sql: &str) -> String {
    conn.query_row(sql, [], |r| r.get(0)).expect(sql)
}

fn millis_p(samples: &mut [f64], p: f64) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples[((samples.len() - 1) as f64 * p).round() as usize]
}

#[test]
#[ignore = "benchmark: bench/search runs it on a generated store"]
fn search_latency() {
    let data = std::env::var("TRAILSCOPE_BENCH_DATA")
        .expect("TRAILSCOPE_BENCH_DATA: the store's data dir");
    let store = Store::open_in(std::path::Path::new(&data)).expect("store");
    let conn = rusqlite::Connection::open(store.path()).expect("open");
    let events: i64 = conn
        .query_row("SELECT max(id) FROM events", [], |r| r.get(0))
        .expect("events");
    let now: i64 = conn
        .query_row("SELECT max(event_time) + 1 FROM events", [], |r| r.get(0))
        .expect("end");
    let top = |column: &str| {
        top_value(
            &conn,
            &format!(
                "SELECT s.value FROM (SELECT {column} AS v FROM events WHERE id % 97 = 0 AND {column} IS NOT NULL
                 GROUP BY v ORDER BY count(*) DESC LIMIT 1) JOIN strings s ON s.id = v"
            ),
        )
    };
    let (identity, ip, source, account) = (
        top("identity_name"),
        top("source_ip"),
        top("event_source"),
        top("account"),
    );
    let resource = top_value(
        &conn,
        "SELECT arn FROM event_resources WHERE event % 97 = 0 GROUP BY arn ORDER BY count(*) DESC LIMIT 1",
    );
    let q = |pairs: &[(&str, &str)]| {
        pairs.iter().fold(EventQuery::default(), |q, (k, v)| {
            q.with(k, Some((*v).to_owned()))
        })
    };
    let queries = [
        ("default: 24h, read-only hidden", q(&[])),
        ("7d, read-only hidden", q(&[("range", "7d")])),
        ("30d, everything", q(&[("range", "30d"), ("rw", "all")])),
        (
            "30d, event name ConsoleLogin",
            q(&[("range", "30d"), ("name", "ConsoleLogin")]),
        ),
        (
            "30d, top identity",
            q(&[("range", "30d"), ("rw", "all"), ("user", &identity)]),
        ),
        ("30d, top source IP", q(&[("range", "30d"), ("ip", &ip)])),
        ("7d, errors only", q(&[("range", "7d"), ("errors", "1")])),
        (
            "7d, account + Region + event source",
            q(&[
                ("range", "7d"),
                ("account", &account),
                ("region", "us-east-1"),
                ("source", &source),
            ]),
        ),
        (
            "24h, user agent contains \"python\"",
            q(&[("rw", "all"), ("agent", "python")]),
        ),
        (
            "30d, resource ARN",
            q(&[("range", "30d"), ("rw", "all"), ("resource", &resource)]),
        ),
        (
            "all, category data",
            q(&[("range", "all"), ("rw", "all"), ("category", "data")]),
        ),
    ];
    println!("store: {events} events, {}", store.path().display());
    println!(
        "{:<40} {:>10} {:>12} {:>12} {:>12}",
        "query", "matches", "page p50 ms", "page p95 ms", "count p50 ms"
    );
    let (mut worst_page, mut worst_count) = (0f64, 0f64);
    store
        .read(|c| {
            for (label, query) in &queries {
                let filter = query.parse().expect("valid").filter;
                let mut page_ms = Vec::new();
                for _ in 0..21 {
                    let started = Instant::now();
                    let page = search_page(c, &filter, 50, None, now)?;
                    page_ms.push(started.elapsed().as_secs_f64() * 1000.0);
                    assert!(page.events.len() <= 50);
                }
                let mut count_ms = Vec::new();
                let mut matches = 0;
                for _ in 0..7 {
                    let started = Instant::now();
                    matches = count_matches(c, &filter, now)?;
                    count_ms.push(started.elapsed().as_secs_f64() * 1000.0);
                }
                let (p50, p95, c50) = (
                    millis_p(&mut page_ms, 0.5),
                    millis_p(&mut page_ms, 0.95),
                    millis_p(&mut count_ms, 0.5),
                );
                worst_page = worst_page.max(p50);
                worst_count = worst_count.max(c50);
                println!("{label:<40} {matches:>10} {p50:>12.2} {p95:>12.2} {c50:>12.2}");
            }
            Ok(())
        })
        .expect("queries run");
    println!(
        "search first page p50, slowest query: {worst_page:.2} ms; total count p50, slowest query: {worst_count:.2} ms"
    );
}
