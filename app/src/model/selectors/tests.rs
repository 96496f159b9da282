//! Decoding documented and malformed selectors: the facts, and exactly the lines the UI lists.
use super::*;

mod advanced_cases;
mod basic_cases;
mod warning_cases;

/// A documented (or observed) GetEventSelectors + GetInsightSelectors pair and what it means.
struct Case {
    /// The example and the page it comes from.
    name: &'static str,
    events: &'static str,
    insights: &'static str,
    /// `management RW [excluding …]`, then `<type> RW <scope>` per data rule, then
    /// `all management yes|no, all S3 RW` (`-` for a kind not logged); see `facts`.
    facts: &'static [&'static str],
    /// Exactly the lines the UI lists.
    lines: &'static [&'static str],
}

const NONE: &str = "{}";
const ALL_MANAGEMENT: &str = "All management events (read and write).";
const NO_MANAGEMENT: &str = "No management events.";
const NO_DATA: &str = "No data events.";
const NO_NETWORK: &str = "No network activity events.";
const NO_INSIGHTS: &str = "Insights events are not enabled.";

fn rw(read: bool, write: bool) -> String {
    format!(
        "{}{}",
        if read { "R" } else { "-" },
        if write { "W" } else { "-" }
    )
}

fn facts(decoded: &DecodedSelectors) -> Vec<String> {
    let m = &decoded.management;
    let mut facts = vec![format!("management {}", rw(m.read, m.write))];
    if !m.excluded_sources.is_empty() {
        facts[0] = format!("{} excluding {}", facts[0], m.excluded_sources.join(", "));
    }
    let rule = |r: &DataRule| {
        let scope = r.scope.words(&r.resource_type);
        format!(
            "{} {} {scope}",
            r.resource_type.as_str(),
            rw(r.read, r.write)
        )
    };
    facts.extend(decoded.data.iter().map(rule));
    let all = if decoded.logs_all_management_events() {
        "yes"
    } else {
        "no"
    };
    let (s3_read, s3_write) = decoded.logs_s3_data_events();
    facts.push(format!(
        "all management {all}, all S3 {}",
        rw(s3_read, s3_write)
    ));
    facts
}

fn decode_json(events: &str, insights: &str) -> DecodedSelectors {
    let events: EventSelectorsResponse = serde_json::from_str(events).expect("events JSON");
    let insights: InsightSelectorsResponse = serde_json::from_str(insights).expect("insights JSON");
    decode(&events, &insights)
}

#[test]
fn no_selectors_mean_all_management_events() {
    let inputs = [
        // No selectors at all: the PutEventSelectors API Reference default.
        (NONE, NONE),
        // moto's answers (AWS-FACTS.md 5.2): empty lists, Insights with only the ARN.
        (
            r#"{"EventSelectors": [], "AdvancedEventSelectors": [],
                "TrailARN": "arn:aws:cloudtrail:us-east-1:123456789012:trail/trail2"}"#,
            r#"{"TrailARN": "arn:aws:cloudtrail:us-east-1:123456789012:trail/trail2"}"#,
        ),
        // null members read as absent.
        (
            r#"{"EventSelectors": null, "AdvancedEventSelectors": null}"#,
            r#"{"InsightSelectors": null}"#,
        ),
        // AWS's default basic selector (aws-cli examples/cloudtrail/get-event-selectors.rst).
        (
            r#"{"EventSelectors": [{"IncludeManagementEvents": true, "DataResources": [],
                "ReadWriteType": "All"}],
                "TrailARN": "arn:aws:cloudtrail:us-east-1:123456789012:trail/Trail1"}"#,
            NONE,
        ),
    ];
    for (events, insights) in inputs {
        let decoded = decode_json(events, insights);
        assert_eq!(
            facts(&decoded),
            ["management RW", "all management yes, all S3 --"],
            "{events}"
        );
        assert_eq!(
            decoded.lines(),
            [ALL_MANAGEMENT, NO_DATA, NO_NETWORK, NO_INSIGHTS],
            "{events}"
        );
    }
}

#[test]
fn decodes_documented_selectors() {
    let cases = [
        basic_cases::CASES,
        advanced_cases::CASES,
        warning_cases::CASES,
    ];
    for case in cases.into_iter().flatten() {
        let decoded = decode_json(case.events, case.insights);
        assert_eq!(facts(&decoded), case.facts, "{}: facts", case.name);
        assert_eq!(decoded.lines(), case.lines, "{}: lines", case.name);
    }
}

#[test]
fn scopes_are_typed_facts() {
    // User Guide, Filtering data events, "Example showing multiple conditions for the
    // resources.ARN field": every operator, as facts.
    let case = advanced_cases::CASES
        .iter()
        .find(|c| c.name.starts_with("advanced: every operator"))
        .expect("case");
    let decoded = decode_json(case.events, case.insights);
    let object = |path: &str| ResourceMatch::Object(path.to_owned());
    assert_eq!(
        decoded.data[0].scope,
        DataScope {
            selected: Selected::Any(vec![
                ResourceMatch::Bucket("amzn-s3-demo-bucket".to_owned()),
                object("amzn-s3-demo-bucket/object1"),
                ResourceMatch::ArnSuffix("object3".to_owned()),
            ]),
            except: vec![
                ResourceMatch::ObjectPrefix("amzn-s3-demo-bucket/deselect".to_owned()),
                object("amzn-s3-demo-bucket/object6"),
                ResourceMatch::ArnSuffix("object5".to_owned()),
            ],
        }
    );
    let decoded = decode_json(
        r#"{"EventSelectors": [{"ReadWriteType": "WriteOnly",
            "ExcludeManagementEventSources": ["kms.amazonaws.com"],
            "DataResources": [{"Type": "AWS::Lambda::Function", "Values": [
            "arn:aws:lambda:us-west-2:123456789012:function:f"]}]}]}"#,
        r#"{"InsightSelectors": [{"InsightType": "ApiCallRateInsight"}]}"#,
    );
    let m = &decoded.management;
    assert_eq!((m.read, m.write), (false, true));
    assert_eq!(m.excluded_sources, ["kms.amazonaws.com"]);
    assert_eq!(decoded.data[0].resource_type, ResourceType::LambdaFunction);
    assert_eq!(
        decoded.data[0].scope.selected,
        Selected::Any(vec![ResourceMatch::Function {
            name: "f".to_owned(),
            region: "us-west-2".to_owned(),
            account: "123456789012".to_owned(),
        }])
    );
    assert_eq!(
        decoded.insights,
        [InsightRule {
            insight_type: InsightType::ApiCallRate,
            categories: vec![InsightCategory::Management],
        }]
    );
}

/// The verdicts (CIS 3.1, 3.8, 3.9) are functions of facts that hold no words: the sentences are
/// rendered from the facts and nowhere else, so rewording a label cannot change a verdict.
#[test]
fn verdicts_read_facts_not_words() {
    let all_s3 = r#"{"EventSelectors": [{"DataResources": [{"Type": "AWS::S3::Object",
        "Values": ["arn:aws:s3"]}]}]}"#;
    let decoded = decode_json(all_s3, NONE);
    assert!(decoded.logs_all_management_events());
    assert_eq!(decoded.logs_s3_data_events(), (true, true));
    let facts = serde_json::to_string(&decoded).expect("facts serialize");
    for line in decoded.lines() {
        let words = line.trim_end_matches('.');
        assert!(!facts.contains(words), "{words:?} is stored in {facts}");
    }
    for label in [
        "all S3 objects in the account",
        "S3 objects",
        "management events",
    ] {
        assert!(!facts.contains(label), "{label:?} is stored in {facts}");
    }
    // The same facts built by hand, without any decoding, give the same verdicts and the words
    // the page shows.
    let built = DecodedSelectors {
        data: vec![DataRule {
            resource_type: ResourceType::S3Object,
            read: true,
            write: true,
            scope: DataScope::all(),
            conditions: Vec::new(),
        }],
        ..decode_json(NONE, NONE)
    };
    assert_eq!(built, decoded);
    assert_eq!(
        built.data[0].summary(),
        "Read and write data events for all S3 objects in the account"
    );
    // A scope that reads almost the same but is not every object is not a pass.
    let mut one_bucket = built.clone();
    one_bucket.data[0].scope.except = vec![ResourceMatch::Bucket("logs".to_owned())];
    assert_eq!(one_bucket.logs_s3_data_events(), (false, false));
    assert!(
        one_bucket.data[0]
            .summary()
            .starts_with("Read and write data events for all S3 objects in the account")
    );
}
