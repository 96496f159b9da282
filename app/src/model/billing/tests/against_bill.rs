//! The estimate beside the bill: rows per Region and usage class, a linked account reported twice counted
//! once, and every difference the model can explain stated as a fact.
use super::*;
use crate::model::cost_explorer::{
    AccountBill, Bill, BillLine, BillMonth, BillOutcome, CloudTrailBill, Month, NoAccess,
    UsageClass,
};
use crate::model::time::days_from_civil;

fn line(account: &str, class: UsageClass, quantity: i64, cost_micro_usd: i64) -> BillLine {
    BillLine {
        account_id: account.to_owned(),
        usage_type: String::new(),
        region: Some(USE1.to_owned()),
        class,
        quantity_micros: quantity * 1_000_000,
        quantity_unit: "Events".to_owned(),
        cost_micro_usd,
    }
}

fn month(month: u32, to_date: bool, lines: Vec<BillLine>) -> BillMonth {
    BillMonth {
        month: Month { year: 2026, month },
        to_date,
        estimated: to_date,
        lines,
    }
}

/// Read on 2026-11-20: September and October in full, November to date.
fn read(lines: &[BillLine]) -> BillOutcome {
    BillOutcome::Read(Bill {
        fetched_at_secs: days_from_civil(2026, 11, 20) * 86_400 + 3_600,
        months: vec![
            month(9, false, lines.to_vec()),
            month(10, false, lines.to_vec()),
            month(11, true, Vec::new()),
        ],
        truncated: false,
    })
}

fn account(name: &str, outcome: BillOutcome) -> AccountBill {
    AccountBill {
        account: name.to_owned(),
        outcome,
    }
}

/// AWS's pricing-page example (150,000 management events to two trails, 2M data events to one) plus a
/// trail logging Lambda data events the store never saw.
fn example() -> (Inputs, Estimate) {
    let mut with_data = trail("second", A, USE1);
    with_data.selectors.data = vec![data_rule(ResourceType::S3Object, Selected::All)];
    let mut lambda = trail("lambda-data", A, USE1);
    lambda.selectors = selectors(management(false, false));
    lambda.selectors.data = vec![data_rule(ResourceType::LambdaFunction, Selected::All)];
    let i = inputs(
        vec![trail("first", A, USE1), with_data, lambda],
        vec![
            mgmt(A, USE1, true, 100_000),
            mgmt(A, USE1, false, 50_000),
            data(A, USE1, ResourceType::S3Object, "photos", 2_000_000),
        ],
    );
    let e = estimate(&i, &prices(), &[]);
    (i, e)
}

#[test]
fn the_bill_is_set_beside_the_estimate_per_region_and_class_with_the_differences_explained() {
    let (i, e) = example();
    let lines = [
        line(A, UsageClass::PaidEvents, 150_000, 3_000_000),
        line(A, UsageClass::DataEvents, 2_500_000, 2_500_000),
        line(B, UsageClass::PaidEvents, 10_000, 200_000),
        BillLine {
            quantity_unit: "GB".to_owned(),
            ..line(A, UsageClass::LakeQueryScanned, 5, 25_000)
        },
    ];
    // The organization's management account reports A and B; the member A reports itself again.
    let member_lines = [line(A, UsageClass::PaidEvents, 150_000, 3_000_000)];
    let bill = CloudTrailBill {
        accounts: vec![
            account("org", read(&lines)),
            account("member-a", read(&member_lines)),
            account("sandbox", BillOutcome::NoAccess(NoAccess::NotConfigured)),
        ],
    };
    let shown = against_bill(&bill, &i, &prices(), &e, 30 * 86_400);

    assert!(!shown.no_account);
    let heads: Vec<(String, u32, bool)> = shown
        .months
        .iter()
        .map(|m| (m.month.to_string(), m.days, m.to_date))
        .collect();
    assert_eq!(
        heads,
        [
            ("2026-09".to_owned(), 30, false),
            ("2026-10".to_owned(), 31, false),
            ("2026-11".to_owned(), 19, true)
        ]
    );
    let row = |class: UsageClass| {
        shown
            .rows
            .iter()
            .find(|r| r.class == class && r.region.as_deref() == Some(USE1))
            .expect("row")
    };
    let paid = row(UsageClass::PaidEvents);
    assert_eq!(
        paid.estimate,
        Some(Usage {
            quantity: 150_000,
            cost: MicroUsd::from_cents(300)
        }),
        "the second copy: 150,000 × $2.00/100k"
    );
    assert_eq!(
        paid.months[1],
        Usage {
            quantity: 160_000,
            cost: MicroUsd::from_cents(320)
        },
        "A once (not again from member-a), and B"
    );
    assert_eq!(paid.months[2], Usage::default(), "nothing yet this month");
    assert_eq!(
        row(UsageClass::FreeEvents).estimate.map(|u| u.quantity),
        Some(150_000)
    );
    assert_eq!(
        row(UsageClass::DataEvents).months[0].cost,
        MicroUsd(2_500_000)
    );
    assert_eq!(row(UsageClass::LakeQueryScanned).estimate, None);
    assert_eq!(shown.estimate_total, MicroUsd::from_cents(500));
    assert_eq!(shown.month_totals[0], MicroUsd(5_725_000));
    assert_eq!(
        shown.unread,
        [(
            "sandbox".to_owned(),
            Unread::NoAccess(NoAccess::NotConfigured)
        )]
    );
    assert_eq!(
        shown.reasons,
        [
            Reason::Window {
                window_secs: 30 * 86_400
            },
            Reason::MonthToDate {
                month: Month {
                    year: 2026,
                    month: 11
                },
                days: 19
            },
            Reason::EstimatedByAws {
                months: vec![Month {
                    year: 2026,
                    month: 11
                }]
            },
            Reason::NotEstimated {
                classes: vec![UsageClass::LakeQueryScanned]
            },
            Reason::DataEventsNotIngested {
                trails: vec!["lambda-data".to_owned()]
            },
            Reason::AccountsOnlyInBill {
                accounts: vec![B.to_owned()]
            },
        ]
    );
    let words: Vec<String> = shown.reasons.iter().map(Reason::words).collect();
    assert!(words[0].contains("measured over 30 days"), "{words:?}");
    assert!(
        words[4].starts_with("lambda-data log data events"),
        "{words:?}"
    );
}

#[test]
fn configured_prices_entered_volumes_and_storage_are_facts_too_and_no_account_is_the_demo() {
    let (mut i, _) = example();
    i.default_size = EventSize::assumed();
    i.volumes.push(Volume {
        basis: Basis::Entered,
        ..mgmt(B, USE1, true, 1_000)
    });
    let overrides = [PriceOverride {
        item: PriceItem::PaidManagementCopy,
        region: None,
        price: MicroUsd::from_cents(100),
    }];
    let p = prices().with_overrides(&overrides, "billing_prices");
    let e = estimate(&i, &p, &[]);
    let bill = CloudTrailBill {
        accounts: vec![account(
            "org",
            read(&[line(A, UsageClass::PaidEvents, 150_000, 3_000_000)]),
        )],
    };
    let shown = against_bill(&bill, &i, &p, &e, 12 * 86_400);
    let storage = item(&e, LineItem::S3Storage);
    assert!(storage > MicroUsd::ZERO);
    for expected in [
        Reason::NotOnTheCloudTrailBill { cost: storage },
        Reason::EnteredVolumes,
        Reason::PricesConfigured {
            items: vec![PriceItem::PaidManagementCopy],
        },
    ] {
        assert!(shown.reasons.contains(&expected), "{:?}", shown.reasons);
    }
    let window = shown.reasons[0].words();
    assert!(window.contains("measured over 12 days"), "{window}");

    let none = against_bill(&CloudTrailBill::default(), &i, &p, &e, 0);
    assert!(none.no_account && none.months.is_empty() && none.reasons.is_empty());
    assert!(no_account_words().contains("cost_explorer = true"));
}
