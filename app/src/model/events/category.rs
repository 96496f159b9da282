//! `eventCategory`: the one enum the parser, the store writer, the search filter and the pages share, with each
//! category's CloudTrail value, store code, URL key and label in one table.
use serde::{Deserialize, Serialize};

/// A record's `eventCategory` (CloudTrail User Guide, "CloudTrail record contents": `Management`, `Data`,
/// `Insight`, `NetworkActivity`). On the wire (server functions, `/api/events/search`) it is its store code.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(into = "u8", try_from = "u8")]
pub enum EventCategory {
    /// `Management`: control-plane operations on resources, e.g. `CreateTrail`.
    Management,
    /// `Data`: operations on or in a resource, e.g. S3 `GetObject`.
    Data,
    /// `Insight`: unusual API call or error rates CloudTrail Insights detected.
    Insight,
    /// `NetworkActivity`: calls made through a VPC endpoint.
    NetworkActivity,
}

/// What is said about one category: (category, store code, URL key, label, CloudTrail value).
struct CategoryFacts {
    category: EventCategory,
    /// `events.category` and `rollup_hourly.category`; never renumber (stored data holds these).
    code: u8,
    /// The `category` URL key's value.
    key: &'static str,
    label: &'static str,
    /// The record's `eventCategory` value.
    cloudtrail: &'static str,
}

const FACTS: [CategoryFacts; 4] = [
    CategoryFacts {
        category: EventCategory::Management,
        code: 0,
        key: "management",
        label: "Management",
        cloudtrail: "Management",
    },
    CategoryFacts {
        category: EventCategory::Data,
        code: 1,
        key: "data",
        label: "Data",
        cloudtrail: "Data",
    },
    CategoryFacts {
        category: EventCategory::Insight,
        code: 2,
        key: "insight",
        label: "Insight",
        cloudtrail: "Insight",
    },
    CategoryFacts {
        category: EventCategory::NetworkActivity,
        code: 3,
        key: "network",
        label: "Network activity",
        cloudtrail: "NetworkActivity",
    },
];

impl EventCategory {
    /// Every category, in the order the filter offers them.
    pub const ALL: [EventCategory; 4] = [
        EventCategory::Management,
        EventCategory::Data,
        EventCategory::Insight,
        EventCategory::NetworkActivity,
    ];

    fn facts(self) -> &'static CategoryFacts {
        // Every variant has its row (checked by the tests); Management is the first.
        FACTS
            .iter()
            .find(|f| f.category == self)
            .unwrap_or(&FACTS[0])
    }

    /// The store's code (`events.category`, `rollup_hourly.category`): 0 to 3.
    pub fn code(self) -> u8 {
        self.facts().code
    }

    /// The category a store code names, `None` for a code no category has.
    pub fn from_code(code: u8) -> Option<Self> {
        FACTS.iter().find(|f| f.code == code).map(|f| f.category)
    }

    /// The `category` URL key's value: `management`, `data`, `insight`, `network`.
    pub fn url_key(self) -> &'static str {
        self.facts().key
    }

    /// The category a `category` URL value names.
    pub fn from_url_key(key: &str) -> Option<Self> {
        FACTS.iter().find(|f| f.key == key).map(|f| f.category)
    }

    /// What the pages and the CSV export show: `Management`, `Data`, `Insight`, `Network activity`.
    pub fn label(self) -> &'static str {
        self.facts().label
    }

    /// The record's `eventCategory` value as CloudTrail writes it.
    pub fn cloudtrail_value(self) -> &'static str {
        self.facts().cloudtrail
    }

    /// The category an `eventCategory` value names (`None` for a value CloudTrail does not document).
    pub fn from_cloudtrail(value: &str) -> Option<Self> {
        FACTS
            .iter()
            .find(|f| f.cloudtrail == value)
            .map(|f| f.category)
    }
}

impl From<EventCategory> for u8 {
    fn from(category: EventCategory) -> u8 {
        category.code()
    }
}

impl TryFrom<u8> for EventCategory {
    type Error = String;

    fn try_from(code: u8) -> Result<Self, String> {
        Self::from_code(code).ok_or_else(|| format!("no event category has code {code}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_category_round_trips_through_code_url_key_and_cloudtrail_value() {
        for category in EventCategory::ALL {
            assert_eq!(EventCategory::from_code(category.code()), Some(category));
            assert_eq!(
                EventCategory::from_url_key(category.url_key()),
                Some(category)
            );
            assert_eq!(
                EventCategory::from_cloudtrail(category.cloudtrail_value()),
                Some(category)
            );
            assert_eq!(category.facts().category, category, "its own row");
        }
        assert_eq!(FACTS.len(), EventCategory::ALL.len());
    }

    #[test]
    fn store_codes_and_url_keys_stay_as_stored_and_linked() {
        let facts: Vec<_> = EventCategory::ALL
            .iter()
            .map(|c| (c.code(), c.url_key(), c.label()))
            .collect();
        assert_eq!(
            facts,
            [
                (0, "management", "Management"),
                (1, "data", "Data"),
                (2, "insight", "Insight"),
                (3, "network", "Network activity")
            ]
        );
        assert_eq!(EventCategory::from_code(4), None);
        assert_eq!(EventCategory::from_url_key("audit"), None);
    }

    #[test]
    fn the_wire_carries_the_store_code() {
        let json = serde_json::to_string(&EventCategory::NetworkActivity).expect("json");
        assert_eq!(json, "3");
        let back: EventCategory = serde_json::from_str("1").expect("a code");
        assert_eq!(back, EventCategory::Data);
        assert!(serde_json::from_str::<EventCategory>("9").is_err());
    }
}
