//! A time range as the whole periods of rollups, coarsest first: how search totals (`search::count`) and
//! top-10 lists (`top_rollup`) read the fewest rollup rows whatever the range.
use crate::model::activity::ceil_div;

/// A rollup's periods: `span` seconds long, from the epoch, counted right from `from` on (`i64::MIN`: all).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Periods {
    /// The period's length, in seconds.
    pub span: i64,
    /// The first second the rollup counts right (earlier periods are left to the finer levels).
    pub from: i64,
}

impl Periods {
    /// Periods of `span` seconds the rollup counts from the start.
    pub const fn of(span: i64) -> Self {
        Self {
            span,
            from: i64::MIN,
        }
    }

    /// `[first, last)`: its whole periods inside `[start, end)`, from [`Periods::from`] on (empty when none).
    pub fn whole_in(self, (start, end): (i64, i64)) -> (i64, i64) {
        let start = start.max(self.from);
        (
            ceil_div(start, self.span) * self.span,
            end.div_euclid(self.span) * self.span,
        )
    }
}

/// Visits `[start, end)` level by level, `levels` coarsest first: the whole periods of the first level as one
/// `visit(Some(index), range)`, the partial periods at both ends the same way with the levels after it, and what
/// no level covers as `visit(None, range)`; `index` is the level's place in `levels`. Empty ranges are not
/// visited. Errors: the first `visit` returns.
pub fn visit<E>(
    levels: &[Periods],
    range: (i64, i64),
    visit_one: &mut impl FnMut(Option<usize>, (i64, i64)) -> Result<(), E>,
) -> Result<(), E> {
    from_level(levels, 0, range, visit_one)
}

fn from_level<E>(
    levels: &[Periods],
    at: usize,
    (start, end): (i64, i64),
    visit_one: &mut impl FnMut(Option<usize>, (i64, i64)) -> Result<(), E>,
) -> Result<(), E> {
    if start >= end {
        return Ok(());
    }
    let Some(level) = levels.get(at) else {
        return visit_one(None, (start, end));
    };
    let (first, last) = level.whole_in((start, end));
    if first >= last {
        return from_level(levels, at + 1, (start, end), visit_one);
    }
    from_level(levels, at + 1, (start, first), visit_one)?;
    visit_one(Some(at), (first, last))?;
    from_level(levels, at + 1, (last, end), visit_one)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::time::{DAY, HOUR};

    fn pieces(levels: &[Periods], range: (i64, i64)) -> Vec<(Option<usize>, (i64, i64))> {
        let mut seen = Vec::new();
        visit::<()>(levels, range, &mut |level, r| {
            seen.push((level, r));
            Ok(())
        })
        .expect("no error");
        seen
    }

    #[test]
    fn a_range_is_read_as_days_then_the_hours_around_them_then_the_rest() {
        let levels = [Periods::of(DAY), Periods::of(HOUR)];
        let (start, end) = (DAY - HOUR - 30, 3 * DAY + 2 * HOUR + 10);
        assert_eq!(
            pieces(&levels, (start, end)),
            vec![
                (None, (start, DAY - HOUR)),
                (Some(1), (DAY - HOUR, DAY)),
                (Some(0), (DAY, 3 * DAY)),
                (Some(1), (3 * DAY, 3 * DAY + 2 * HOUR)),
                (None, (3 * DAY + 2 * HOUR, end)),
            ]
        );
    }

    #[test]
    fn every_second_is_visited_once_and_before_from_only_by_finer_levels() {
        let levels = [
            Periods {
                span: DAY,
                from: 2 * DAY,
            },
            Periods::of(HOUR),
        ];
        let range = (-DAY - 7, 4 * DAY + 5);
        let got = pieces(&levels, range);
        let mut covered: Vec<(i64, i64)> = got.iter().map(|(_, r)| *r).collect();
        covered.sort_unstable();
        assert_eq!(covered.first().map(|r| r.0), Some(range.0));
        assert_eq!(covered.last().map(|r| r.1), Some(range.1));
        assert!(covered.windows(2).all(|w| w[0].1 == w[1].0), "{got:?}");
        assert!(got.contains(&(Some(0), (2 * DAY, 4 * DAY))), "{got:?}");
        assert!(got.contains(&(Some(1), (-DAY, 2 * DAY))), "{got:?}");
        assert!(pieces(&levels, (5, 5)).is_empty());
    }
}
