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

pub struct LoginThrottle {
    per_ip: Limiter<IpAddr>,
    per_name: Limiter<String>,
    clock: DefaultClock,
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
    pub fn new(per_ip: Quota, per_name: Quota) -> Self {
        Self {
            per_ip: RateLimiter::keyed(per_ip),
            per_name: RateLimiter::keyed(per_name),
            clock: DefaultClock::default(),
        }
    }

    /// Spends one attempt for `ip` and `name`, or says how many seconds to wait. An address already over its
    /// budget does not also spend the name's, so one noisy address cannot lock a name for everyone else.
    pub fn attempt(&self, ip: IpAddr, name: &str) -> Result<(), u64> {
        let wait = |not_until: governor::NotUntil<_>| {
            not_until
                .wait_time_from(self.clock.now())
                .as_secs()
                .saturating_add(1)
        };
        self.per_ip.check_key(&ip).map_err(wait)?;
        let result = self.per_name.check_key(&name.to_lowercase()).map_err(wait);
        for limiter_len in [self.per_ip.len(), self.per_name.len()] {
            if limiter_len > PRUNE_ABOVE_KEYS {
                self.per_ip.retain_recent();
                self.per_name.retain_recent();
            }
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
        let wait = throttle
            .attempt(attacker, "Alice")
            .expect_err("a name's third try within the hour waits");
        assert!((1_700..=3_601).contains(&wait), "{wait}");
        assert_eq!(
            throttle.attempt(ip("198.51.100.1"), "bob"),
            Ok(()),
            "others are not slowed"
        );
        throttle
            .attempt(attacker, "bob")
            .expect_err("the address is spent too");
        assert_eq!(throttle.attempt(ip("198.51.100.1"), "bob"), Ok(()));
    }
}
