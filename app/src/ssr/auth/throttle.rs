//! Slows password guessing. Every login attempt spends one cell of a bucket kept for its client address and
//! one kept for the user name it tries (governor's GCRA): a burst for people who mistype, then a steady trickle.
//! Attempts beyond it are refused before the password is checked, with the time to wait.
use governor::clock::{Clock, DefaultClock};
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

type Limiter<K> = RateLimiter<K, DefaultKeyedStateStore<K>, DefaultClock>;

/// Keys beyond this many are pruned of the ones back at a full bucket, so random names cannot grow memory.
const PRUNE_ABOVE_KEYS: usize = 10_000;

/// The login throttle: one rate-limit bucket (GCRA) per client IP address and one per user name.
pub struct LoginThrottle {
    per_ip: Limiter<IpAddr>,
    per_name: Limiter<String>,
    /// Refusals worth reporting: one per address a minute, so a flood of refused attempts cannot flood the
    /// audit log and the server log as well.
    reported: Limiter<IpAddr>,
    clock: DefaultClock,
}

/// A refused attempt.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// Seconds until an attempt is allowed again.
    pub retry_after_secs: u64,
    /// Whether this refusal should be recorded (the first from its address in a minute).
    pub report: bool,
}

/// Builds a quota of `burst` attempts, refilled one per `every`.
pub fn quota(burst: u32, every: Duration) -> Quota {
    Quota::with_period(every)
        .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
        .allow_burst(NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN))
}

impl Default for LoginThrottle {
    /// 20 attempts per address, then one per 3 s (an office behind one NAT still logs in); 10 per user name,
    /// then one per 20 s (at most ~4,300 guesses a day at one account).
    fn default() -> Self {
        Self::new(
            quota(20, Duration::from_secs(3)),
            quota(10, Duration::from_secs(20)),
        )
    }
}

impl LoginThrottle {
    /// A throttle allowing `per_ip` attempts per client address and `per_name` per user name.
    pub fn new(per_ip: Quota, per_name: Quota) -> Self {
        Self {
            per_ip: RateLimiter::keyed(per_ip),
            per_name: RateLimiter::keyed(per_name),
            reported: RateLimiter::keyed(quota(1, Duration::from_secs(60))),
            clock: DefaultClock::default(),
        }
    }

    /// Spends one attempt for `ip` and `name`, or says how many seconds to wait. An address already over its
    /// budget does not also spend the name's, so one noisy address cannot lock a name for everyone else.
    pub fn attempt(&self, ip: IpAddr, name: &str) -> Result<(), Refusal> {
        let wait = |not_until: governor::NotUntil<_>| Refusal {
            retry_after_secs: not_until
                .wait_time_from(self.clock.now())
                .as_secs()
                .saturating_add(1),
            report: self.reported.check_key(&ip).is_ok(),
        };
        self.per_ip.check_key(&ip).map_err(wait)?;
        let result = self.per_name.check_key(&name.to_lowercase()).map_err(wait);
        if [self.per_ip.len(), self.per_name.len(), self.reported.len()]
            .iter()
            .any(|len| *len > PRUNE_ABOVE_KEYS)
        {
            self.per_ip.retain_recent();
            self.per_name.retain_recent();
            self.reported.retain_recent();
        }
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().expect("ip")
    }

    #[test]
    fn attempts_beyond_the_burst_wait_per_address_and_per_name() {
        let hour = Duration::from_secs(3_600);
        let throttle = LoginThrottle::new(quota(3, hour), quota(2, hour));
        let attacker = ip("203.0.113.9");
        assert_eq!(throttle.attempt(attacker, "alice"), Ok(()));
        assert_eq!(throttle.attempt(attacker, "ALICE"), Ok(()));
        let refusal = throttle
            .attempt(attacker, "Alice")
            .expect_err("a name's third try within the hour waits");
        assert!(
            (1_700..=3_601).contains(&refusal.retry_after_secs),
            "{refusal:?}"
        );
        assert!(refusal.report, "the first refusal is reported");
        assert_eq!(
            throttle.attempt(ip("198.51.100.1"), "bob"),
            Ok(()),
            "others are not slowed"
        );
        let again = throttle
            .attempt(attacker, "bob")
            .expect_err("the address is spent too");
        assert!(!again.report, "the next within a minute is not");
        assert_eq!(throttle.attempt(ip("198.51.100.1"), "bob"), Ok(()));
    }
}
