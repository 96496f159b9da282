//! A trail's event and Insights selectors: the GetEventSelectors / GetInsightSelectors wire shapes
//! (`wire`), decoded (`decode`, with `arn` for what ARN values select) into typed facts (`facts`:
//! management read/write and excluded sources, data events by resource type and scope, network
//! activity, Insights, warnings), and those facts in plain words (`wording`). Coverage and CIS
//! checks, and prices, read the facts; only the Trails page reads the words.
mod arn;
mod decode;
mod facts;
mod wire;
mod wording;

pub use decode::{EXCLUDABLE_SOURCES, decode};
pub use facts::{
    Condition, DataRule, DataScope, DecodedSelectors, InsightCategory, InsightRule, InsightType,
    Management, NetworkRule, Problem, ResourceMatch, ResourceType, Selected, SelectorRef, Warning,
};
pub use wire::{
    AdvancedEventSelector, DataResource, EventSelector, EventSelectorsResponse, FieldSelector,
    InsightSelector, InsightSelectorsResponse, Operator,
};

#[cfg(test)]
mod tests;
