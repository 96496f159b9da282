//! One account's CloudTrail bill asked of Cost Explorer: `GetCostAndUsage` over the last full months and the
//! current month to date, `MONTHLY`, metrics `UnblendedCost` and `UsageQuantity`, filtered to the CloudTrail
//! service and grouped by `LINKED_ACCOUNT` and `USAGE_TYPE`, following `NextPageToken`
//! (<https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_GetCostAndUsage.html>).
//! Grouping by linked account costs nothing more: a standalone or member account answers with its own ID, an
//! organization's management account with each member's.
use crate::model::cost_explorer::amount::parse_millionths;
use crate::model::cost_explorer::usage_type::classify;
use crate::model::cost_explorer::{
    Bill, BillLine, BillMonth, CLOUDTRAIL_SERVICE, Month, months_to_read,
};
use crate::model::time::{DAY, civil_from_days};
use crate::ssr::aws::describe;
use aws_sdk_costexplorer::Client;
use aws_sdk_costexplorer::error::ProvideErrorMetadata;
use aws_sdk_costexplorer::types::{
    DateInterval, Dimension, DimensionValues, Expression, Granularity, GroupDefinition,
    GroupDefinitionType, ResultByTime,
};
use std::collections::BTreeMap;

/// The Region Cost Explorer answers in: its one endpoint is `ce.us-east-1.amazonaws.com` (Cost Explorer API
/// Reference, "Service Endpoint").
pub const COST_EXPLORER_REGION: &str = "us-east-1";
/// Pages read for one bill at most. Each page is a separate request charged $0.01 (AWS Cost Explorer FAQ); a
/// page holds many groups, so this is far more than CloudTrail's usage types of one account or organization
/// need. Beyond it the bill is marked truncated.
pub const MAX_PAGES: usize = 10;
/// The cost metric: the cost as charged, before any discounts are spread (Cost Explorer's "unblended").
const COST_METRIC: &str = "UnblendedCost";
/// The quantity metric: events, or GB for CloudTrail Lake.
const QUANTITY_METRIC: &str = "UsageQuantity";
/// The currency Cost Explorer's amounts are in.
const USD: &str = "USD";

/// Why Cost Explorer gave no bill.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FetchError {
    /// `AccessDeniedException`: AWS's message.
    AccessDenied(String),
    /// Anything else: AWS's error code and message, the SDK's cause, or what in the answer was not understood.
    Failed(String),
}

/// The time period asked on `now_secs`: the first day of the earliest month, and today (Cost Explorer's `End`
/// is exclusive, and its data lags by up to a day, so the current month runs to yesterday). Also the months
/// covered, oldest first.
pub fn period(now_secs: i64) -> (Vec<Month>, String, String) {
    let (year, month, day) = civil_from_days(now_secs.div_euclid(DAY));
    let today = Month {
        year: i32::try_from(year).unwrap_or(i32::MAX),
        month,
    };
    let months = months_to_read(today);
    let start = months[0].first_day();
    let end = format!("{today}-{day:02}");
    (months, start, end)
}

/// CloudTrail's bill for the account `client` signs for, on `now_secs`.
///
/// Errors: [`FetchError::AccessDenied`] when Cost Explorer answers `AccessDeniedException`;
/// [`FetchError::Failed`] for any other error, and for an answer with amounts that are not decimal numbers, a
/// currency other than USD, or groups without the two keys asked for.
pub async fn cloudtrail_bill(client: &Client, now_secs: i64) -> Result<Bill, FetchError> {
    let (months, start, end) = period(now_secs);
    let time_period = DateInterval::builder()
        .start(start)
        .end(end)
        .build()
        .map_err(|error| FetchError::Failed(error.to_string()))?;
    let dimension = |key: Dimension, value: &str| {
        Expression::builder()
            .dimensions(DimensionValues::builder().key(key).values(value).build())
            .build()
    };
    // Usage only: credits, refunds, discounts and tax are other record types (Cost Explorer's RECORD_TYPE
    // dimension), which the estimate does not model; left in, credits could show a $0 bill beside the estimate.
    let cloudtrail = Expression::builder()
        .and(dimension(Dimension::Service, CLOUDTRAIL_SERVICE))
        .and(dimension(Dimension::RecordType, "Usage"))
        .build();
    let group = |dimension: Dimension| {
        GroupDefinition::builder()
            .r#type(GroupDefinitionType::Dimension)
            .key(dimension.as_str())
            .build()
    };
    let mut results: Vec<ResultByTime> = Vec::new();
    let mut token: Option<String> = None;
    let mut truncated = false;
    for page in 0.. {
        if page == MAX_PAGES {
            truncated = true;
            break;
        }
        let answer = client
            .get_cost_and_usage()
            .time_period(time_period.clone())
            .granularity(Granularity::Monthly)
            .filter(cloudtrail.clone())
            .metrics(COST_METRIC)
            .metrics(QUANTITY_METRIC)
            .group_by(group(Dimension::LinkedAccount))
            .group_by(group(Dimension::UsageType))
            .set_next_page_token(token.take())
            .send()
            .await
            .map_err(|error| match error.code() {
                Some("AccessDeniedException") => FetchError::AccessDenied(
                    error
                        .message()
                        .unwrap_or("AccessDeniedException")
                        .to_owned(),
                ),
                _ => FetchError::Failed(describe(&error)),
            })?;
        token = answer.next_page_token().map(str::to_owned);
        results.extend(answer.results_by_time.unwrap_or_default());
        if token.is_none() {
            break;
        }
    }
    Ok(Bill {
        fetched_at_secs: now_secs,
        months: bill_months(&months, &results)?,
        truncated,
    })
}

/// What a line adds up: (quantity in millionths, its unit, cost in micro-dollars).
type Sums = (i64, String, i64);
/// A month being summed: whether Cost Explorer called it estimated, and its lines by (linked account, usage
/// type).
type MonthSums = (bool, BTreeMap<(String, String), Sums>);

/// The months of `results` (all pages), each line keyed by linked account and usage type; `months` are the
/// months asked, each present even when Cost Explorer has nothing for it.
fn bill_months(months: &[Month], results: &[ResultByTime]) -> Result<Vec<BillMonth>, FetchError> {
    let current = months.last().copied();
    let mut by_month: BTreeMap<Month, MonthSums> = months
        .iter()
        .map(|month| (*month, (false, BTreeMap::new())))
        .collect();
    for result in results {
        let start = result.time_period().map(DateInterval::start).unwrap_or("");
        let month = Month::of_date(start).ok_or_else(|| {
            FetchError::Failed(format!(
                "Cost Explorer answered a period starting {start:?}"
            ))
        })?;
        let (estimated, lines) = by_month.entry(month).or_default();
        *estimated |= result.estimated();
        for group in result.groups() {
            let [account_id, usage_type] = group.keys() else {
                return Err(FetchError::Failed(format!(
                    "Cost Explorer answered a group keyed {:?}, not by linked account and usage type",
                    group.keys()
                )));
            };
            let metric = |name: &str| {
                let value = group.metrics().and_then(|metrics| metrics.get(name));
                let amount = value.and_then(|v| v.amount()).unwrap_or("0");
                let unit = value.and_then(|v| v.unit()).unwrap_or_default();
                parse_millionths(amount)
                    .map(|millionths| (millionths, unit.to_owned()))
                    .map_err(|error| FetchError::Failed(format!("{name}: {error}")))
            };
            let (cost, currency) = metric(COST_METRIC)?;
            if cost != 0 && currency != USD {
                return Err(FetchError::Failed(format!(
                    "Cost Explorer answered costs in {currency:?}, not {USD}"
                )));
            }
            let (quantity, unit) = metric(QUANTITY_METRIC)?;
            let sums = lines
                .entry((account_id.clone(), usage_type.clone()))
                .or_insert_with(|| (0, unit, 0));
            sums.0 += quantity;
            sums.2 += cost;
        }
    }
    Ok(by_month
        .into_iter()
        .map(|(month, (estimated, lines))| {
            let mut lines: Vec<BillLine> = lines
                .into_iter()
                .map(|((account_id, usage_type), (quantity, unit, cost))| {
                    let (region, class) = classify(&usage_type);
                    BillLine {
                        account_id,
                        region: region.map(str::to_owned),
                        class,
                        usage_type,
                        quantity_micros: quantity,
                        quantity_unit: unit,
                        cost_micro_usd: cost,
                    }
                })
                .collect();
            lines.sort_by(|a, b| {
                (&a.account_id, &a.region, &a.class).cmp(&(&b.account_id, &b.region, &b.class))
            });
            BillMonth {
                month,
                to_date: Some(month) == current,
                estimated,
                lines,
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_period_runs_from_three_full_months_back_to_today_exclusive() {
        // 2026-11-29T15:00:00Z
        let now = crate::model::time::days_from_civil(2026, 11, 29) * DAY + 15 * 3_600;
        let (months, start, end) = period(now);
        assert_eq!((start.as_str(), end.as_str()), ("2026-08-01", "2026-11-29"));
        assert_eq!(months.len(), 4);
        // 1 January: the current month has no full day yet; the three full months are still asked.
        let new_year = crate::model::time::days_from_civil(2027, 1, 1) * DAY;
        let (months, start, end) = period(new_year);
        assert_eq!((start.as_str(), end.as_str()), ("2026-10-01", "2027-01-01"));
        assert_eq!(
            months.last().map(ToString::to_string).as_deref(),
            Some("2027-01")
        );
    }
}
