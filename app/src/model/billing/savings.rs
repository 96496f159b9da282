//! What a change would save, each found from the estimate and priced by re-running the model with the
//! change applied (never by adding up parts of lines, so savings that overlap are never counted twice;
//! [`Savings::all_together`] re-runs with every change at once).
use super::breakdown::{Estimate, LineItem};
use super::change::{Change, RuleChange, apply_all};
use super::estimate::estimate;
use super::inputs::{BillingTrail, EventClass, Inputs};
use super::money::MicroUsd;
use super::prices::Prices;
use super::rules;
use crate::model::selectors::ResourceType;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Every saving found, against an estimate.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Savings {
    /// The estimate's total the savings are measured from.
    pub base_total: MicroUsd,
    /// One per change proposed, largest first.
    pub savings: Vec<Saving>,
    /// The total saved with every proposed change applied at once (less than their sum when they
    /// overlap).
    pub all_together: MicroUsd,
}

/// One proposed change and what it saves per month.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Saving {
    /// Why it is proposed.
    pub kind: SavingKind,
    /// The trail it changes.
    pub trail_arn: String,
    /// That trail's name.
    pub trail_name: String,
    /// The change, as the what-if applies it.
    pub change: Change,
    /// The estimate's total now minus with the change: what it saves per month.
    pub monthly: MicroUsd,
}

/// Why a saving is proposed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SavingKind {
    /// The trail delivers management events another trail already delivers (write events among them).
    DuplicateManagementCopies {
        /// Paid copies per month.
        paid_events: u64,
    },
    /// The trail's only paid copies are read events another trail already delivers.
    ReadsLoggedTwice {
        /// Paid read copies per month.
        paid_events: u64,
    },
    /// An S3 data rule covers every bucket while one bucket makes most of its events: naming the buckets
    /// needed would leave it out. Proposed only where the store shows which buckets are used.
    DataEventsOnEveryBucket {
        /// The rule's index in the trail's data rules.
        rule: usize,
        /// The busiest bucket.
        bucket: String,
        /// Its data events per month.
        bucket_events: u64,
        /// The rule's S3 data events per month on all buckets.
        rule_events: u64,
    },
    /// Insights costs more than everything else the trail costs.
    InsightsOutweighs {
        /// Insights per month.
        insights: MicroUsd,
        /// The rest of the trail per month.
        rest: MicroUsd,
    },
    /// The trail logs data events on its own log bucket: each delivery is a write it logs, which it
    /// delivers, which it logs ("Managing CloudTrail trail costs"). Always proposed, even when the store
    /// has no such events (its files may not be ingested).
    LogBucketLoop {
        /// The rule's index in the trail's data rules.
        rule: usize,
        /// The trail's bucket.
        bucket: String,
    },
}

/// The savings against `base`, the estimate of `inputs` at `prices` with `applied` (the what-if changes
/// already made); each saving adds one change to `applied` and re-runs [`estimate`]. The same as a
/// [`SavingsRun`] stepped to its end.
pub fn savings(inputs: &Inputs, prices: &Prices, applied: &[Change], base: &Estimate) -> Savings {
    let mut run = SavingsRun::new(inputs, applied, base);
    run.step(inputs, prices, usize::MAX);
    run.finish(inputs, prices)
}

/// How long a page may spend pricing proposals in one step of a [`SavingsRun`] ([`SavingsRun::step_within`]),
/// in milliseconds: half a frame at 60 Hz, so a step (which always prices at least one proposal, one re-run
/// of the model: ≤ 16 ms at the bench's 50 accounts × 17 Regions × 5 trails) stays near a frame and the page
/// keeps answering (BENCHMARKS.md, "Billing model in the browser").
pub const STEP_BUDGET_MS: f64 = 8.0;

/// Savings found at once (cheap: read from the estimate) and priced a few at a time ([`SavingsRun::step`]), so
/// a page can show the estimate first and price the savings between frames.
pub struct SavingsRun {
    /// The what-if changes already made.
    applied: Vec<Change>,
    /// The trails with `applied` made.
    trails: Vec<BillingTrail>,
    /// The estimate's total with `applied`.
    base_total: MicroUsd,
    /// (why, trail index in `trails`, change), in the order found.
    proposals: Vec<(SavingKind, usize, Change)>,
    /// Proposals priced so far.
    next: usize,
    /// The proposals priced that save something (or are always shown).
    found: Vec<Saving>,
}

impl SavingsRun {
    /// The proposals against `base`, the estimate of `inputs` with `applied`; none priced yet.
    pub fn new(inputs: &Inputs, applied: &[Change], base: &Estimate) -> Self {
        let trails = apply_all(&inputs.trails, applied);
        let proposals = proposals(inputs, &trails, base);
        Self {
            applied: applied.to_vec(),
            trails,
            base_total: base.total,
            proposals,
            next: 0,
            found: Vec::new(),
        }
    }

    /// (priced, proposed).
    pub fn progress(&self) -> (usize, usize) {
        (self.next, self.proposals.len())
    }

    /// Whether every proposal is priced.
    pub fn is_done(&self) -> bool {
        self.next >= self.proposals.len()
    }

    /// Prices proposals one at a time until `budget_ms` milliseconds have passed on the clock `now_ms`
    /// (milliseconds, any origin), at least one; true when every one is priced.
    pub fn step_within(
        &mut self,
        inputs: &Inputs,
        prices: &Prices,
        budget_ms: f64,
        now_ms: impl Fn() -> f64,
    ) -> bool {
        let started_ms = now_ms();
        loop {
            if self.step(inputs, prices, 1) {
                return true;
            }
            if now_ms() - started_ms >= budget_ms {
                return false;
            }
        }
    }

    /// Prices up to `max` more proposals; true when every one is priced.
    pub fn step(&mut self, inputs: &Inputs, prices: &Prices, max: usize) -> bool {
        let end = self.proposals.len().min(self.next.saturating_add(max));
        if self.next < end {
            // The whole model re-run with each change, so a saving is exactly what the what-if then shows
            // (re-running only the cells a trail delivers in differed from it by rounding).
            let base_total = self.base_total;
            for (kind, t, change) in &self.proposals[self.next..end] {
                let trail = &self.trails[*t];
                let with = [self.applied.as_slice(), std::slice::from_ref(change)].concat();
                let monthly = base_total - estimate(inputs, prices, &with).total;
                let keep =
                    monthly > MicroUsd::ZERO || matches!(kind, SavingKind::LogBucketLoop { .. });
                if keep {
                    self.found.push(Saving {
                        kind: kind.clone(),
                        trail_arn: trail.trail_arn.clone(),
                        trail_name: trail.name.clone(),
                        change: change.clone(),
                        monthly,
                    });
                }
            }
            self.next = end;
        }
        self.is_done()
    }

    /// The savings, largest first, with what all of them save together (one more full run). Prices what
    /// is left first.
    pub fn finish(mut self, inputs: &Inputs, prices: &Prices) -> Savings {
        self.step(inputs, prices, usize::MAX);
        let mut found = self.found;
        found.sort_by(|a, b| {
            b.monthly
                .cmp(&a.monthly)
                .then(a.trail_arn.cmp(&b.trail_arn))
        });
        let every: Vec<Change> = self
            .applied
            .iter()
            .cloned()
            .chain(found.iter().map(|s| s.change.clone()))
            .collect();
        let all_together = if found.is_empty() {
            MicroUsd::ZERO
        } else {
            self.base_total - estimate(inputs, prices, &every).total
        };
        Savings {
            base_total: self.base_total,
            savings: found,
            all_together,
        }
    }
}

/// Every change worth pricing against `base`, from each trail's lines (with `applied` made).
fn proposals(
    inputs: &Inputs,
    trails: &[BillingTrail],
    base: &Estimate,
) -> Vec<(SavingKind, usize, Change)> {
    let mut proposals: Vec<(SavingKind, usize, Change)> = Vec::new();
    let mut by_trail: Vec<Vec<&super::breakdown::Line>> = vec![Vec::new(); trails.len()];
    for line in &base.lines {
        if let Some(lines) = by_trail.get_mut(line.trail) {
            lines.push(line);
        }
    }
    for (t, trail) in trails.iter().enumerate() {
        let arn = || trail.trail_arn.clone();
        let lines = by_trail[t].iter();
        let (mut paid_read, mut paid_write, mut insights) = (0, 0, MicroUsd::ZERO);
        for line in lines {
            match line.item {
                LineItem::PaidCopy => {
                    paid_read += line.read_events;
                    paid_write += line.write_events;
                }
                LineItem::InsightsManagement | LineItem::InsightsData => insights += line.cost,
                _ => {}
            }
        }
        let s = &trail.selectors;
        if paid_read + paid_write > 0 {
            let (kind, change) = if paid_write == 0 && s.management.write {
                let kind = SavingKind::ReadsLoggedTwice {
                    paid_events: paid_read,
                };
                let change = Change::Management {
                    trail_arn: arn(),
                    read: false,
                    write: true,
                };
                (kind, change)
            } else {
                let only_management = !s.data.iter().any(|r| r.read || r.write)
                    && s.network_activity.is_empty()
                    && s.insights.is_empty();
                let change = if only_management {
                    Change::TrailOff { trail_arn: arn() }
                } else {
                    Change::Management {
                        trail_arn: arn(),
                        read: false,
                        write: false,
                    }
                };
                let kind = SavingKind::DuplicateManagementCopies {
                    paid_events: paid_read + paid_write,
                };
                (kind, change)
            };
            proposals.push((kind, t, change));
        }
        let trail_cost = base.trails.get(t).map_or(MicroUsd::ZERO, |x| x.cost);
        if insights > MicroUsd::ZERO && insights > trail_cost - insights {
            let kind = SavingKind::InsightsOutweighs {
                insights,
                rest: trail_cost - insights,
            };
            let change = Change::Insights {
                trail_arn: arn(),
                api_call_rate: false,
                api_error_rate: false,
                data_events: false,
            };
            proposals.push((kind, t, change));
        }
        let own_rule = rules::logs_own_bucket(trail);
        if let (Some(rule), Some(bucket)) = (own_rule, &trail.s3_bucket_name) {
            let kind = SavingKind::LogBucketLoop {
                rule,
                bucket: bucket.clone(),
            };
            let change = Change::DataRule {
                trail_arn: arn(),
                rule,
                scope: RuleChange::Except(vec![bucket.clone()]),
            };
            proposals.push((kind, t, change));
        }
        if let Some((kind, change)) = busiest_bucket(inputs, trail) {
            proposals.push((kind, t, change));
        }
    }
    proposals
}

/// For a rule on every S3 bucket of `trail`, the busiest bucket the store shows in the trail's accounts,
/// when there are at least two and it is not the trail's own (that is a loop, proposed apart).
fn busiest_bucket(inputs: &Inputs, trail: &BillingTrail) -> Option<(SavingKind, Change)> {
    let rule = trail.selectors.data.iter().position(|r| {
        r.resource_type == ResourceType::S3Object && r.scope.is_all() && (r.read || r.write)
    })?;
    let mut buckets: BTreeMap<&str, u64> = BTreeMap::new();
    for v in &inputs.volumes {
        if !trail.accounts.contains(&v.account) {
            continue;
        }
        if let EventClass::Data {
            resource: Some(bucket),
            resource_type,
            ..
        } = &v.class
            && ResourceType::parse(resource_type) == ResourceType::S3Object
            && rules::delivers(trail, &v.class)
        {
            *buckets.entry(bucket.as_str()).or_default() += v.events_per_month;
        }
    }
    let rule_events = buckets.values().sum();
    let (bucket, bucket_events) = buckets
        .iter()
        .filter(|(b, _)| Some(**b) != trail.s3_bucket_name.as_deref())
        .max_by_key(|(b, n)| (**n, std::cmp::Reverse(**b)))?;
    (buckets.len() >= 2 && *bucket_events > 0).then(|| {
        let kind = SavingKind::DataEventsOnEveryBucket {
            rule,
            bucket: (*bucket).to_owned(),
            bucket_events: *bucket_events,
            rule_events,
        };
        let change = Change::DataRule {
            trail_arn: trail.trail_arn.clone(),
            rule,
            scope: RuleChange::Except(vec![(*bucket).to_owned()]),
        };
        (kind, change)
    })
}
