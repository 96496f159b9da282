//! The computation: apply the what-if changes, find the trails that deliver each class of events in each
//! account and Region, count copies per event class, and price every delivery.
use super::breakdown::{Estimate, ItemSubtotal, Line, LineItem, Subtotal, TrailSubtotal};
use super::change::Change;
use super::inputs::{Basis, BillingTrail, EventClass, EventSize, Inputs, Volume};
use super::money::{MicroUsd, Rate};
use super::prices::{PriceItem, Prices, RegionRates};
use super::rules;
use rustc_hash::FxHashMap as HashMap;
use std::borrow::Cow;
use std::collections::BTreeSet;

/// What one trail delivers in one account and Region, for the lines that follow from it.
#[derive(Default)]
struct Delivered {
    management_read: u64,
    management_write: u64,
    data_read: u64,
    data_write: u64,
    network: u64,
    basis: Option<Basis>,
}

impl Delivered {
    fn all(&self) -> u64 {
        self.management_read
            + self.management_write
            + self.data_read
            + self.data_write
            + self.network
    }
}

/// Lines under construction, keyed by (trail, account, Region, item, copy).
#[derive(Default)]
struct Lines {
    at: HashMap<u128, usize>,
    lines: Vec<Line>,
}

/// (trail, account, Region, item, copy) in one number: 32 bits each for the indexes, 8 for the item, 24
/// for the copy (trails per cell are far fewer).
fn pack(key: (usize, usize, usize, LineItem, u32)) -> u128 {
    let (t, a, r, item, copy) = key;
    (t as u128) << 96
        | (a as u128) << 64
        | (r as u128) << 32
        | (item as u128) << 24
        | u128::from(copy & 0xff_ffff)
}

impl Lines {
    #[allow(clippy::too_many_arguments)]
    fn add(
        &mut self,
        key: (usize, usize, usize, LineItem, u32),
        rate: Rate,
        read: u64,
        write: u64,
        quantity: u64,
        basis: Basis,
    ) {
        let lines = &mut self.lines;
        let i = *self.at.entry(pack(key)).or_insert_with(|| {
            lines.push(Line {
                trail: key.0,
                account: key.1,
                region: key.2,
                item: key.3,
                copy: key.4,
                read_events: 0,
                write_events: 0,
                quantity: 0,
                rate,
                cost: MicroUsd::ZERO,
                basis,
            });
            lines.len() - 1
        });
        let line = &mut lines[i];
        line.read_events += read;
        line.write_events += write;
        line.quantity += quantity;
        line.basis = line.basis.merge(basis);
    }
}

/// Which delivery comes first in a cell: an organization trail is each member account's first copy, and a
/// multi-Region trail comes before a single-Region one ("Managing CloudTrail trail costs": "the
/// single-Region trail will incur charges because the multi-Region trail is already logging events").
/// AWS does not say which of two equal trails is free; the ARN decides, so the total never depends on it.
fn priority(trail: &BillingTrail) -> (bool, bool, &str) {
    (
        !trail.is_organization,
        !trail.is_multi_region,
        &trail.trail_arn,
    )
}

/// The monthly estimate of `inputs` at `prices` after `changes` (applied in order; a change naming no
/// trail changes nothing: check them with [`Change::check`] first).
///
/// Rules (each from the AWS page named in `rules` and here): management events are counted per event
/// class, not per trail — in each account and Region, the first trail delivering a class is free and every
/// further one is a paid copy (CloudTrail pricing page; "Managing CloudTrail trail costs"); a multi-Region
/// trail delivers in every Region of its accounts, an organization trail in every member account it is
/// listed in; data and network activity events are charged for every delivery; Insights per trail per
/// event analyzed; CloudWatch Logs per GB ingested and S3 per GB-month, from the cell's log file sizes.
pub fn estimate(inputs: &Inputs, prices: &Prices, changes: &[Change]) -> Estimate {
    let volumes: Vec<&Volume> = inputs.volumes.iter().collect();
    let trails: Vec<&BillingTrail> = inputs.trails.iter().collect();
    estimate_of(inputs, &trails, &volumes, prices, changes)
}

/// [`estimate`] over some of the trails and volumes only (the cells a change can touch and the trails
/// that deliver there, for savings: its lines index `trails`); sizes from `inputs`.
pub(super) fn estimate_of(
    inputs: &Inputs,
    trails: &[&BillingTrail],
    volumes: &[&Volume],
    prices: &Prices,
    changes: &[Change],
) -> Estimate {
    // Only the trails a change names are copied.
    let trails: Vec<Cow<BillingTrail>> = trails
        .iter()
        .copied()
        .map(|trail| {
            if changes.iter().any(|c| c.trail_arn() == trail.trail_arn) {
                let mut changed = trail.clone();
                changes.iter().for_each(|c| c.apply(&mut changed));
                Cow::Owned(changed)
            } else {
                Cow::Borrowed(trail)
            }
        })
        .collect();
    let accounts: Vec<&str> = sorted_names(volumes.iter().map(|v| v.account.as_str()));
    let regions: Vec<&str> = sorted_names(volumes.iter().map(|v| v.region.as_str()));
    let account_index = index_of(&accounts);
    let region_index = index_of(&regions);
    let cell = |a: usize, r: usize| a * regions.len() + r;
    let mut account_regions: Vec<BTreeSet<usize>> = vec![BTreeSet::new(); accounts.len()];
    for v in volumes {
        account_regions[account_index[v.account.as_str()]].insert(region_index[v.region.as_str()]);
    }
    // The logging trails of each cell, first delivery first.
    let mut order: Vec<usize> = (0..trails.len())
        .filter(|&t| trails[t].is_logging)
        .collect();
    order.sort_by(|&a, &b| priority(&trails[a]).cmp(&priority(&trails[b])));
    let mut in_cell: Vec<Vec<usize>> = vec![Vec::new(); accounts.len() * regions.len()];
    for &t in &order {
        let trail = &trails[t];
        for account in &trail.accounts {
            let Some(&a) = account_index.get(account.as_str()) else {
                continue;
            };
            if trail.is_multi_region {
                for &r in &account_regions[a] {
                    in_cell[cell(a, r)].push(t);
                }
            } else if let Some(&r) = region_index.get(trail.home_region.as_str()) {
                in_cell[cell(a, r)].push(t);
            }
        }
    }
    let rates: Vec<RegionRates> = regions.iter().map(|r| prices.rates_in(r)).collect();
    let free = Rate::per_100k_events(MicroUsd::ZERO);
    let mut lines = Lines::default();
    let mut delivered: HashMap<(usize, usize, usize), Delivered> = HashMap::default();
    let mut undelivered_events = 0;
    for v in volumes {
        let (a, r) = (
            account_index[v.account.as_str()],
            region_index[v.region.as_str()],
        );
        let rates = &rates[r];
        let mut copies = 0;
        for &t in &in_cell[cell(a, r)] {
            if !rules::delivers(&trails[t], &v.class) {
                continue;
            }
            copies += 1;
            let d = delivered.entry((t, a, r)).or_default();
            d.basis = Some(d.basis.map_or(v.basis, |b| b.merge(v.basis)));
            let n = v.events_per_month;
            match &v.class {
                EventClass::Management { read_only, .. } => {
                    let (read, write) = if *read_only { (n, 0) } else { (0, n) };
                    d.management_read += read;
                    d.management_write += write;
                    let (item, rate) = if copies == 1 {
                        (LineItem::FreeCopy, free)
                    } else {
                        (LineItem::PaidCopy, rates.get(PriceItem::PaidManagementCopy))
                    };
                    lines.add((t, a, r, item, copies), rate, read, write, n, v.basis);
                }
                EventClass::Data { read_only, .. } => {
                    let (read, write) = if *read_only { (n, 0) } else { (0, n) };
                    d.data_read += read;
                    d.data_write += write;
                    let rate = rates.get(PriceItem::DataEvents);
                    lines.add(
                        (t, a, r, LineItem::DataEvents, 0),
                        rate,
                        read,
                        write,
                        n,
                        v.basis,
                    );
                }
                EventClass::NetworkActivity { .. } => {
                    d.network += n;
                    let rate = rates.get(PriceItem::NetworkActivityEvents);
                    let key = (t, a, r, LineItem::NetworkActivity, 0);
                    lines.add(key, rate, 0, n, n, v.basis);
                }
            }
        }
        if copies == 0 {
            undelivered_events += v.events_per_month;
        }
    }
    let sizes: HashMap<(&str, &str), &EventSize> = inputs
        .sizes
        .iter()
        .map(|s| ((s.account.as_str(), s.region.as_str()), s))
        .collect();
    for ((t, a, r), d) in &delivered {
        let (t, a, r) = (*t, *a, *r);
        let rates = &rates[r];
        let basis = d.basis.unwrap_or(Basis::Assumed);
        let (reads, writes, data) = rules::insights_passes(&trails[t]);
        let analyzed = d.management_read * reads + d.management_write * writes;
        if analyzed > 0 {
            let (rate, key) = (
                rates.get(PriceItem::InsightsManagement),
                (t, a, r, LineItem::InsightsManagement, 0),
            );
            lines.add(
                key,
                rate,
                d.management_read,
                d.management_write,
                analyzed,
                basis,
            );
        }
        let data_analyzed = (d.data_read + d.data_write) * data;
        if data_analyzed > 0 {
            let (rate, key) = (
                rates.get(PriceItem::InsightsData),
                (t, a, r, LineItem::InsightsData, 0),
            );
            lines.add(key, rate, d.data_read, d.data_write, data_analyzed, basis);
        }
        let size = sizes
            .get(&(accounts[a], regions[r]))
            .copied()
            .unwrap_or(&inputs.default_size);
        let size_basis = basis.merge(size.basis);
        let events = d.all();
        let read = d.management_read + d.data_read;
        let write = events - read;
        let bytes = |total: u64| scale(events, total, size.events);
        if trails[t].cloud_watch_logs {
            let key = (t, a, r, LineItem::CloudWatchLogs, 0);
            let rate = rates.get(PriceItem::CloudwatchLogsIngestion);
            lines.add(
                key,
                rate,
                read,
                write,
                bytes(size.uncompressed_bytes),
                size_basis,
            );
        }
        let key = (t, a, r, LineItem::S3Storage, 0);
        let rate = rates.get(PriceItem::S3Storage);
        lines.add(
            key,
            rate,
            read,
            write,
            bytes(size.compressed_bytes),
            size_basis,
        );
    }
    let mut lines = lines.lines;
    lines.sort_by_key(|l| (l.trail, l.account, l.region, l.item, l.copy));
    let mut trail_costs = vec![MicroUsd::ZERO; trails.len()];
    let mut account_costs = vec![MicroUsd::ZERO; accounts.len()];
    let mut region_costs = vec![MicroUsd::ZERO; regions.len()];
    let mut items: Vec<ItemSubtotal> = LineItem::ALL
        .iter()
        .map(|&item| ItemSubtotal {
            item,
            quantity: 0,
            cost: MicroUsd::ZERO,
        })
        .collect();
    for line in &mut lines {
        line.cost = line.rate.cost(line.quantity);
        trail_costs[line.trail] += line.cost;
        account_costs[line.account] += line.cost;
        region_costs[line.region] += line.cost;
        let item = &mut items[line.item as usize];
        item.quantity += line.quantity;
        item.cost += line.cost;
    }
    let subtotals = |names: &[&str], costs: Vec<MicroUsd>| {
        names
            .iter()
            .zip(costs)
            .map(|(name, cost)| Subtotal {
                name: (*name).to_owned(),
                cost,
            })
            .collect()
    };
    Estimate {
        prices_as_of: prices.as_of.clone(),
        changes: changes.to_vec(),
        total: lines.iter().map(|l| l.cost).sum(),
        trails: trails
            .iter()
            .zip(trail_costs)
            .map(|(t, cost)| TrailSubtotal {
                trail_arn: t.trail_arn.clone(),
                name: t.name.clone(),
                home_account: t.home_account.clone(),
                home_region: t.home_region.clone(),
                is_logging: t.is_logging,
                cost,
            })
            .collect(),
        accounts: subtotals(&accounts, account_costs),
        regions: subtotals(&regions, region_costs),
        items,
        lines,
        undelivered_events,
    }
}

/// `n × total / of`, rounded down; 0 when `of` is 0.
fn scale(n: u64, total: u64, of: u64) -> u64 {
    if of == 0 {
        return 0;
    }
    u64::try_from(u128::from(n) * u128::from(total) / u128::from(of)).unwrap_or(u64::MAX)
}

fn sorted_names<'a>(names: impl Iterator<Item = &'a str>) -> Vec<&'a str> {
    names.collect::<BTreeSet<_>>().into_iter().collect()
}

fn index_of<'a>(names: &[&'a str]) -> HashMap<&'a str, usize> {
    names.iter().enumerate().map(|(i, n)| (*n, i)).collect()
}
