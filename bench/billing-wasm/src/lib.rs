//! The billing model in the browser at the size (issue 12: 50 accounts × 17 Regions × 5 trails
//! evaluate in ≤ 16 ms, one frame). `bench/billing` builds this crate for `wasm32-unknown-unknown`, loads
//! it in Chromium and times [`run_estimate`] with `performance.now()`. Not part of the app: no route, no
//! code in the shipped WASM.
#![forbid(unsafe_code)]
use app::model::billing::{
    Basis, BillingTrail, EventClass, EventSize, Inputs, Prices, STEP_BUDGET_MS, SavingsRun, Volume,
    estimate, savings,
};
use app::model::selectors::{
    DataRule, DataScope, DecodedSelectors, InsightCategory, InsightRule, InsightType, Management,
    ResourceType, Selected,
};
use std::cell::RefCell;
use wasm_bindgen::prelude::wasm_bindgen;

thread_local! {
    static MODEL: RefCell<Option<(Inputs, Prices)>> = const { RefCell::new(None) };
    static RUN: RefCell<Option<SavingsRun>> = const { RefCell::new(None) };
}

fn management(read: bool, write: bool) -> Management {
    Management {
        read,
        write,
        excluded_sources: Vec::new(),
        excluded_from_reads: Vec::new(),
        excluded_from_writes: Vec::new(),
        conditions: Vec::new(),
    }
}

fn trail(name: &str, account: &str, home: &str) -> BillingTrail {
    BillingTrail {
        trail_arn: format!("arn:aws:cloudtrail:{home}:{account}:trail/{name}"),
        name: name.to_owned(),
        home_account: account.to_owned(),
        home_region: home.to_owned(),
        is_multi_region: false,
        is_organization: false,
        is_logging: true,
        accounts: vec![account.to_owned()],
        selectors: DecodedSelectors {
            management: management(true, true),
            data: Vec::new(),
            network_activity: Vec::new(),
            insights: Vec::new(),
            warnings: Vec::new(),
        },
        s3_bucket_name: Some(format!("logs-{name}")),
        cloud_watch_logs: false,
    }
}

fn volume(account: &str, region: &str, class: EventClass, events_per_month: u64) -> Volume {
    Volume {
        account: account.to_owned(),
        region: region.to_owned(),
        class,
        events_per_month,
        basis: Basis::Measured {
            window_secs: 30 * 86_400,
        },
    }
}

/// The model's native test's shape (`model::billing::tests::bench`): 50 accounts, 17 Regions; an
/// organization trail in every account and, per account, a multi-Region trail, a multi-Region read-only
/// copy, a multi-Region S3 data trail and a single-Region trail with Insights and CloudWatch Logs (5 trails
/// deliver in each account); per cell management reads and writes, KMS reads and S3 data events on three
/// buckets.
pub fn big_inputs() -> Inputs {
    let accounts: Vec<String> = (0..50)
        .map(|i| format!("{:012}", 100_000_000_000u64 + i))
        .collect();
    let regions: Vec<String> = (0..17).map(|i| format!("xx-region-{i}")).collect();
    let mut trails = Vec::new();
    let mut volumes = Vec::new();
    let mut org = trail("org", &accounts[0], &regions[0]);
    org.is_organization = true;
    org.is_multi_region = true;
    org.accounts = accounts.clone();
    trails.push(org);
    let management_class = |read_only: bool, source: Option<&str>| EventClass::Management {
        read_only,
        event_source: source.map(str::to_owned),
    };
    for account in &accounts {
        let mut multi = trail("multi", account, &regions[0]);
        multi.is_multi_region = true;
        let mut reads = trail("reads", account, &regions[1]);
        reads.is_multi_region = true;
        reads.selectors.management = management(true, false);
        let mut data_trail = trail("data", account, &regions[2]);
        data_trail.is_multi_region = true;
        data_trail.selectors.data = vec![DataRule {
            resource_type: ResourceType::S3Object,
            read: true,
            write: true,
            scope: DataScope {
                selected: Selected::All,
                except: Vec::new(),
            },
            conditions: Vec::new(),
        }];
        let mut single = trail("single", account, &regions[3]);
        single.selectors.insights = vec![InsightRule {
            insight_type: InsightType::ApiCallRate,
            categories: vec![InsightCategory::Management],
        }];
        single.cloud_watch_logs = true;
        trails.extend([multi, reads, data_trail, single]);
        for (r, region) in regions.iter().enumerate() {
            let n = 10_000 * (r as u64 + 1);
            volumes.push(volume(account, region, management_class(true, None), n * 3));
            volumes.push(volume(account, region, management_class(false, None), n));
            let kms = management_class(true, Some("kms.amazonaws.com"));
            volumes.push(volume(account, region, kms, n * 20));
            for bucket in ["lake", "web", "logs"] {
                let class = EventClass::Data {
                    resource_type: ResourceType::S3Object.as_str().to_owned(),
                    read_only: false,
                    resource: Some(bucket.to_owned()),
                };
                volumes.push(volume(account, region, class, n * 7));
            }
        }
    }
    Inputs {
        trails,
        volumes,
        sizes: Vec::new(),
        default_size: EventSize::assumed(),
    }
}

/// Builds the inputs once; answers "TRAILS trails, VOLUMES volumes", or the price file's error.
#[wasm_bindgen]
pub fn prepare() -> String {
    let inputs = big_inputs();
    let summary = format!(
        "{} trails, {} volumes",
        inputs.trails.len(),
        inputs.volumes.len()
    );
    match Prices::builtin() {
        Ok(prices) => {
            MODEL.with(|m| *m.borrow_mut() = Some((inputs, prices)));
            summary
        }
        Err(error) => error,
    }
}

/// One estimate of the prepared inputs; answers its number of lines (0 before [`prepare`]).
#[wasm_bindgen]
pub fn run_estimate() -> usize {
    MODEL.with(|m| {
        m.borrow()
            .as_ref()
            .map_or(0, |(i, p)| estimate(i, p, &[]).lines.len())
    })
}

/// One estimate and its savings (each saving re-runs the model), as the page computes on every what-if;
/// answers the number of savings.
#[wasm_bindgen]
pub fn run_estimate_and_savings() -> usize {
    MODEL.with(|m| {
        m.borrow().as_ref().map_or(0, |(i, p)| {
            let e = estimate(i, p, &[]);
            savings(i, p, &[], &e).savings.len()
        })
    })
}

/// Starts pricing the savings as the Billing page does after a what-if: the estimate, then the proposals
/// (found, not yet priced); answers how many there are.
#[wasm_bindgen]
pub fn start_savings() -> usize {
    MODEL.with(|m| {
        m.borrow().as_ref().map_or(0, |(i, p)| {
            let e = estimate(i, p, &[]);
            let run = SavingsRun::new(i, &[], &e);
            let proposed = run.progress().1;
            RUN.with(|r| *r.borrow_mut() = Some(run));
            proposed
        })
    })
}

/// One step of the page's pricing (proposals for [`STEP_BUDGET_MS`], or the last step's full re-run with
/// every saving); answers true when the savings are complete.
#[wasm_bindgen]
pub fn savings_step() -> bool {
    MODEL.with(|m| {
        let model = m.borrow();
        let Some((i, p)) = model.as_ref() else {
            return true;
        };
        RUN.with(|r| {
            let mut slot = r.borrow_mut();
            let Some(run) = slot.as_mut() else {
                return true;
            };
            if run.step_within(i, p, STEP_BUDGET_MS, leptos::web_sys::js_sys::Date::now)
                && let Some(run) = slot.take()
            {
                let _ = run.finish(i, p);
            }
            slot.is_none()
        })
    })
}
