//! A finding's matches per UTC day, and the sparkline that draws them (an inline SVG polyline with a sentence
//! saying the same for those who do not see it).
use crate::model::time::{DAY, format_rfc3339};
use serde::{Deserialize, Serialize};

/// Days a sparkline covers, ending with the day of the newest match in the store.
pub const SPARKLINE_DAYS: usize = 30;

/// Matches per UTC day over [`SPARKLINE_DAYS`] days.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailyMatches {
    /// The first day's start (epoch seconds, UTC midnight).
    pub first_day_secs: i64,
    /// Matches per day, oldest first.
    pub counts: Vec<u64>,
}

impl DailyMatches {
    /// The [`SPARKLINE_DAYS`] days ending with the day of `last_secs`, all zero.
    pub fn ending(last_secs: i64) -> Self {
        let last_day = last_secs.div_euclid(DAY) * DAY;
        Self {
            first_day_secs: last_day - (SPARKLINE_DAYS as i64 - 1) * DAY,
            counts: vec![0; SPARKLINE_DAYS],
        }
    }

    /// Counts `matches` at `time_secs` (outside the days: ignored).
    pub fn add(&mut self, time_secs: i64, matches: u64) {
        let index = (time_secs - self.first_day_secs).div_euclid(DAY);
        if let Some(count) = usize::try_from(index)
            .ok()
            .and_then(|i| self.counts.get_mut(i))
        {
            *count += matches;
        }
    }

    /// The polyline's `points` in a `width` × `height` box: one point per day, the busiest day at the top.
    pub fn points(&self, width: f64, height: f64) -> String {
        let max = self.counts.iter().copied().max().unwrap_or(0).max(1) as f64;
        let step = width / (self.counts.len().max(2) - 1) as f64;
        self.counts
            .iter()
            .enumerate()
            .map(|(i, &c)| {
                let y = height - 1.0 - (c as f64 / max) * (height - 2.0);
                format!("{:.1},{:.1}", i as f64 * step, y)
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The sparkline as a sentence: `5 matches from 2026-10-22 to 2026-11-20, most on 2026-11-19 (3)`.
    pub fn describe(&self) -> String {
        let date = |t: i64| format_rfc3339(t)[..10].to_owned();
        let total: u64 = self.counts.iter().sum();
        let last = self.first_day_secs + (self.counts.len().max(1) as i64 - 1) * DAY;
        let span = format!("from {} to {}", date(self.first_day_secs), date(last));
        let busiest = self
            .counts
            .iter()
            .enumerate()
            .max_by_key(|(i, c)| (**c, std::cmp::Reverse(*i)))
            .filter(|(_, c)| **c > 0);
        match busiest {
            None => format!("No matches {span}"),
            Some((i, c)) => format!(
                "{total} {} {span}, most on {} ({c})",
                if total == 1 { "match" } else { "matches" },
                date(self.first_day_secs + i as i64 * DAY)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-11-20T12:00:00Z.
    const NOV_20_NOON: i64 = 1_795_176_000;

    #[test]
    fn matches_land_on_their_day_and_the_sentence_says_the_busiest() {
        let mut d = DailyMatches::ending(NOV_20_NOON);
        assert_eq!(d.counts.len(), SPARKLINE_DAYS);
        d.add(NOV_20_NOON, 1);
        d.add(NOV_20_NOON - DAY, 3);
        d.add(NOV_20_NOON - 400 * DAY, 9);
        assert_eq!(d.counts[SPARKLINE_DAYS - 1], 1);
        assert_eq!(d.counts[SPARKLINE_DAYS - 2], 3);
        assert_eq!(
            d.describe(),
            "4 matches from 2026-10-22 to 2026-11-20, most on 2026-11-19 (3)"
        );
        let points = d.points(58.0, 20.0);
        assert!(
            points.starts_with("0.0,19.0 ") && points.contains("56.0,1.0"),
            "{points}"
        );
    }
}
