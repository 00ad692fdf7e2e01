//! Per-client rate limits for the endpoints that guess-work attacks aim at (sign-in, sign-up,
//! codes, resets): a keyed GCRA limiter from `governor` (equivalent to a token bucket of
//! `per_minute` tokens refilled at `per_minute` a minute), kept in memory: each server instance
//! limits on its own, which bounds a client to `instances × limit`.

use std::future::{ready, Ready};
use std::num::NonZeroU32;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::NoOpMiddleware;
use governor::state::keyed::HashMapStateStore;
use governor::Quota;

use crate::app::AppState;
use crate::error::AppError;

/// Past this many remembered clients, those whose budget is full again are forgotten.
const FORGET_ABOVE: usize = 10_000;

/// One budget per client address.
pub struct RateLimiter<C: Clock = DefaultClock> {
    limiter:
        governor::RateLimiter<String, HashMapStateStore<String>, C, NoOpMiddleware<C::Instant>>,
}

impl std::fmt::Debug for RateLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimiter")
            .field("clients", &self.limiter.len())
            .finish()
    }
}

impl RateLimiter {
    /// `per_minute` requests in a burst, then one every `60 / per_minute` seconds.
    pub fn new(per_minute: u32) -> Self {
        Self::with_clock(per_minute, DefaultClock::default())
    }
}

impl<C: Clock> RateLimiter<C> {
    pub fn with_clock(per_minute: u32, clock: C) -> Self {
        let quota = Quota::per_minute(NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN));
        Self {
            limiter: governor::RateLimiter::hashmap_with_clock(quota, clock),
        }
    }

    /// Takes a token for `client`; on refusal, the whole seconds until one is available.
    pub fn check(&self, client: &str) -> Result<(), u64> {
        if self.limiter.len() > FORGET_ABOVE {
            self.limiter.retain_recent();
        }
        self.limiter
            .check_key(&client.to_owned())
            .map_err(|not_until| {
                let wait = not_until.wait_time_from(self.limiter.clock().now());
                u64::try_from(wait.as_millis().div_ceil(1000))
                    .unwrap_or(u64::MAX)
                    .max(1)
            })
    }
}

/// Taking this extractor spends one token of the caller's authentication budget.
pub struct AuthRateLimit;

impl FromRequest for AuthRateLimit {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let Some(state) = req.app_data::<web::Data<AppState>>() else {
            return ready(Ok(AuthRateLimit));
        };
        let client = crate::http::client_ip(req).unwrap_or_default();
        ready(
            state
                .auth_limiter
                .check(&client)
                .map(|()| AuthRateLimit)
                .map_err(|retry_after_secs| AppError::TooManyRequests { retry_after_secs }),
        )
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use governor::clock::FakeRelativeClock;

    use super::*;

    #[test]
    fn bursts_up_to_the_limit_then_refills_at_the_rate() {
        let clock = FakeRelativeClock::default();
        let limiter = RateLimiter::with_clock(6, clock.clone()); // one token every 10 s
        for _ in 0..6 {
            assert!(limiter.check("a").is_ok());
        }
        assert_eq!(limiter.check("a"), Err(10));
        assert!(limiter.check("b").is_ok(), "clients have their own buckets");
        clock.advance(Duration::from_secs(4));
        assert_eq!(limiter.check("a"), Err(6));
        clock.advance(Duration::from_secs(6));
        assert!(limiter.check("a").is_ok());
        assert!(limiter.check("a").is_err());
    }

    #[test]
    fn a_zero_limit_still_allows_one_a_minute() {
        let clock = FakeRelativeClock::default();
        let limiter = RateLimiter::with_clock(0, clock.clone());
        assert!(limiter.check("a").is_ok());
        assert_eq!(limiter.check("a"), Err(60));
        clock.advance(Duration::from_millis(59_001));
        assert_eq!(limiter.check("a"), Err(1), "a part of a second rounds up");
    }

    #[test]
    fn clients_with_a_full_budget_are_forgotten_past_the_bound() {
        let clock = FakeRelativeClock::default();
        let limiter = RateLimiter::with_clock(60, clock.clone());
        for i in 0..=FORGET_ABOVE {
            assert!(limiter
                .check(&format!("10.0.{}.{}", i / 256, i % 256))
                .is_ok());
        }
        clock.advance(Duration::from_secs(60));
        assert!(limiter.check("fresh").is_ok());
        assert_eq!(
            limiter.limiter.len(),
            1,
            "only the newest client is remembered"
        );
    }
}
