//! A chain's digest hours laid out for people: one row per UTC day with 24 hour cells ([`days`]), and the
//! same hours as stretches of one state ([`stretches`], the table alternative to the grid).
use super::status::{ChainStatus, HourState};
use crate::model::time::{DAY, HOUR};

/// Hours after the newest validated one that count as "not yet validated": CloudTrail delivers an hour's
/// digest within the next hour, so hours that ended more than that ago should have one.
const DIGEST_DELAY_SECS: i64 = 2 * HOUR;

/// One UTC day of a chain's timeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Day {
    /// Midnight UTC (epoch seconds).
    pub day_secs: i64,
    /// Hours 00 to 23: the state, or `None` (no digest hour: before the chain began or outside the window).
    pub hours: [Option<HourState>; 24],
}

/// The hours to show for `chain` at `now_secs`: the stored ones, then [`HourState::NotValidated`] up to the
/// newest hour whose digest should have arrived.
pub fn hours(chain: &ChainStatus, now_secs: i64) -> Vec<(i64, HourState)> {
    let mut hours: Vec<(i64, HourState)> = chain.hours.iter().map(|(h, s)| (*h, *s)).collect();
    if let Some(newest) = chain.newest_hour() {
        let due = (now_secs - DIGEST_DELAY_SECS).div_euclid(HOUR) * HOUR;
        hours.extend(
            (newest + HOUR..=due)
                .step_by(HOUR as usize)
                .map(|h| (h, HourState::NotValidated)),
        );
    }
    hours
}

/// The hours as day rows, oldest day first.
pub fn days(hours: &[(i64, HourState)]) -> Vec<Day> {
    let mut days: Vec<Day> = Vec::new();
    for (hour, state) in hours {
        let day_secs = hour.div_euclid(DAY) * DAY;
        if days.last().is_none_or(|d| d.day_secs != day_secs) {
            days.push(Day {
                day_secs,
                hours: [None; 24],
            });
        }
        if let Some(day) = days.last_mut() {
            day.hours[(hour - day_secs).div_euclid(HOUR) as usize] = Some(*state);
        }
    }
    days
}

/// A run of consecutive hours in one state.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stretch {
    /// The first hour's start (epoch seconds).
    pub from_secs: i64,
    /// How many hours.
    pub hours: usize,
    /// Their state.
    pub state: HourState,
}

impl Stretch {
    /// The end of the last hour (epoch seconds).
    pub fn to_secs(&self) -> i64 {
        self.from_secs + self.hours as i64 * HOUR
    }
}

/// The hours as stretches of one state, oldest first (a missing hour ends a stretch).
pub fn stretches(hours: &[(i64, HourState)]) -> Vec<Stretch> {
    let mut out: Vec<Stretch> = Vec::new();
    for (hour, state) in hours {
        match out.last_mut() {
            Some(last) if last.state == *state && last.to_secs() == *hour => last.hours += 1,
            _ => out.push(Stretch {
                from_secs: *hour,
                hours: 1,
                state: *state,
            }),
        }
    }
    out
}
