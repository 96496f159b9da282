//! The event volumes that drive the estimate, by kind and by UTC day: what the Billing page charts so users
//! see which events the month's cost comes from, and when.
use super::inputs::EventClass;
use serde::{Deserialize, Serialize};

/// The kinds of events the volume charts stack, in [`VolumeKind::ALL`] order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VolumeKind {
    /// Read-only management events.
    ManagementRead,
    /// Management events that change something (and those without `readOnly`).
    ManagementWrite,
    /// Data events of every resource type.
    Data,
    /// Network activity events.
    NetworkActivity,
}

impl VolumeKind {
    /// Every kind, in chart order.
    pub const ALL: [Self; 4] = [
        Self::ManagementRead,
        Self::ManagementWrite,
        Self::Data,
        Self::NetworkActivity,
    ];

    /// The kind of an event class.
    pub fn of(class: &EventClass) -> Self {
        match class {
            EventClass::Management {
                read_only: true, ..
            } => Self::ManagementRead,
            EventClass::Management { .. } => Self::ManagementWrite,
            EventClass::Data { .. } => Self::Data,
            EventClass::NetworkActivity { .. } => Self::NetworkActivity,
        }
    }

    /// A few words, e.g. "Management read".
    pub fn label(self) -> &'static str {
        match self {
            Self::ManagementRead => "Management read",
            Self::ManagementWrite => "Management write",
            Self::Data => "Data",
            Self::NetworkActivity => "Network activity",
        }
    }

    /// A short key for styles, e.g. `management-read` (the legend's `.vol-management-read`).
    pub fn key(self) -> &'static str {
        match self {
            Self::ManagementRead => "management-read",
            Self::ManagementWrite => "management-write",
            Self::Data => "data",
            Self::NetworkActivity => "network",
        }
    }
}

/// The events of one UTC day, by kind, as the store counted them (not scaled to a month).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailyVolume {
    /// The day's first second (epoch seconds, UTC).
    pub day_secs: i64,
    /// Events per kind, in [`VolumeKind::ALL`] order.
    pub events: [u64; 4],
}

impl DailyVolume {
    /// Every kind added up.
    pub fn total(&self) -> u64 {
        self.events.iter().sum()
    }
}
