//! The cost of findings (issue 14, item 10): `bench/findings` generates an archive and runs this (ignored
//! otherwise). In one run, alternating on fresh stores: ingest alone (rules off), then ingest with the findings
//! evaluation running beside it as `serve` runs it (every built-in rule on), timing the ingest and the moment
//! everything is evaluated too; then a full re-evaluation of the last store. Prints one line per run and the
//! medians.
use app::ssr::findings::rules::RuleSet;
use app::ssr::findings::store::{evaluate_new, reevaluate_all};
use app::ssr::ingest::{IngestLimits, ingest_folder};
use app::ssr::store::Store;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

fn var(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set"))
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Ingests `archive` into a fresh store in `data`; with `rules`, evaluates beside it the way the serve job does
/// (again as soon as a pass ends, until the ingest is over and everything is evaluated). Returns the events, the
/// ingest's seconds and the seconds until everything was evaluated.
fn run(archive: &Path, data: &Path, rules: Option<&Arc<RuleSet>>) -> (u64, f64, f64) {
    let _ = std::fs::remove_dir_all(data);
    let store = Arc::new(Store::open_in(data).expect("store"));
    let done = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let evaluator = rules.map(|rules| {
        let (store, rules, done) = (store.clone(), rules.clone(), done.clone());
        std::thread::spawn(move || {
            loop {
                let finished = done.load(Ordering::SeqCst);
                let outcome = evaluate_new(&store, &rules).expect("evaluated");
                if finished && outcome.events == 0 {
                    return;
                }
                if outcome.events == 0 {
                    std::thread::sleep(Duration::from_millis(50));
                }
            }
        })
    });
    let summary =
        ingest_folder(&store, archive, &IngestLimits::default(), &mut |_| {}).expect("ingested");
    let ingest_secs = started.elapsed().as_secs_f64();
    done.store(true, Ordering::SeqCst);
    if let Some(evaluator) = evaluator {
        evaluator.join().expect("evaluator");
    }
    (summary.events, ingest_secs, started.elapsed().as_secs_f64())
}

#[test]
#[ignore = "benchmark: bench/findings runs it on a generated archive"]
fn findings_cost() {
    let archive = PathBuf::from(var("TRAILSCOPE_BENCH_ARCHIVE"));
    let work = PathBuf::from(var("TRAILSCOPE_BENCH_WORK"));
    let rounds: usize = std::env::var("TRAILSCOPE_BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    let rules = Arc::new(RuleSet::load(None));
    assert!(rules.problems().is_empty(), "{:?}", rules.problems());
    println!("rules: {} built-in", rules.info().len());
    let (mut off, mut on_ingest, mut on_total) = (Vec::new(), Vec::new(), Vec::new());
    let mut events = 0;
    for round in 1..=rounds {
        let (n, secs, _) = run(&archive, &work.join("off"), None);
        events = n;
        off.push(n as f64 / secs);
        println!(
            "round {round} rules off: {n} events, ingest {secs:.1} s = {:.0} events/s",
            n as f64 / secs
        );
        let (n, secs, total) = run(&archive, &work.join("on"), Some(&rules));
        on_ingest.push(n as f64 / secs);
        on_total.push(n as f64 / total);
        println!(
            "round {round} rules on:  {n} events, ingest {secs:.1} s = {:.0} events/s; all evaluated after {total:.1} s = {:.0} events/s",
            n as f64 / secs,
            n as f64 / total
        );
    }
    let (off, on_ingest, on_total) = (median(off), median(on_ingest), median(on_total));
    println!("median ingest, rules off: {off:.0} events/s");
    println!(
        "median ingest, rules on: {on_ingest:.0} events/s ({:+.1}% against off)",
        (on_ingest / off - 1.0) * 100.0
    );
    println!(
        "median ingested and evaluated, rules on: {on_total:.0} events/s ({:+.1}% against off)",
        (on_total / off - 1.0) * 100.0
    );

    let store = Store::open_in(&work.join("on")).expect("store");
    let started = Instant::now();
    let outcome = reevaluate_all(&store, &rules).expect("re-evaluated");
    let secs = started.elapsed().as_secs_f64();
    assert_eq!(outcome.events, events, "every event evaluated again");
    println!(
        "full re-evaluation: {} events, {} matches in {secs:.1} s = {:.0} events/s; at that rate 10M events take {:.0} s",
        outcome.events,
        outcome.matches,
        outcome.events as f64 / secs,
        10_000_000.0 * secs / outcome.events as f64
    );
}
