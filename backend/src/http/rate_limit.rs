//! Per-client rate limits for the endpoints that guess-work attacks aim at (sign-in, sign-up,
//! codes, resets). A token bucket per client address, in integer arithmetic, kept in memory:
//! each server instance limits on its own, which bounds a client to `instances × limit`.

use std::collections::HashMap;
use std::future::{ready, Ready};
use std::sync::Mutex;
use std::time::Instant;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};

use crate::app::AppState;
use crate::error::AppError;

/// One token is this many units; a bucket refills `per_minute` units per millisecond, i.e.
/// `per_minute` tokens per minute.
const UNITS_PER_TOKEN: u64 = 60_000;
/// Buckets idle this long are forgotten.
const IDLE_MS: u64 = 10 * 60_000;

#[derive(Debug)]
struct Bucket {
    units: u64,
    updated: Instant,
}

#[derive(Debug)]
pub struct RateLimiter {
    per_minute: u64,
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl RateLimiter {
    pub fn new(per_minute: u32) -> Self {
        Self {
            per_minute: u64::from(per_minute.max(1)),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes a token for `client`; on refusal, the seconds until one is available.
    pub fn check(&self, client: &str, now: Instant) -> Result<(), u64> {
        let capacity = self.per_minute * UNITS_PER_TOKEN;
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if buckets.len() > 10_000 {
            buckets.retain(|_, b| elapsed_ms(b.updated, now) < IDLE_MS);
        }
        let bucket = buckets.entry(client.to_owned()).or_insert(Bucket {
            units: capacity,
            updated: now,
        });
        let refill = elapsed_ms(bucket.updated, now).saturating_mul(self.per_minute);
        bucket.units = bucket.units.saturating_add(refill).min(capacity);
        bucket.updated = now;
        if bucket.units >= UNITS_PER_TOKEN {
            bucket.units -= UNITS_PER_TOKEN;
            Ok(())
        } else {
            let missing = UNITS_PER_TOKEN - bucket.units;
            let wait_ms = missing.div_ceil(self.per_minute);
            Err(wait_ms.div_ceil(1000).max(1))
        }
    }
}

fn elapsed_ms(from: Instant, to: Instant) -> u64 {
    u64::try_from(to.saturating_duration_since(from).as_millis()).unwrap_or(u64::MAX)
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
        let client = req
            .connection_info()
            .realip_remote_addr()
            .map(|a| {
                a.rsplit_once(':')
                    .map(|(h, _)| h.to_owned())
                    .unwrap_or_else(|| a.to_owned())
            })
            .unwrap_or_default();
        ready(
            state
                .auth_limiter
                .check(&client, Instant::now())
                .map(|()| AuthRateLimit)
                .map_err(|retry_after_secs| AppError::TooManyRequests { retry_after_secs }),
        )
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn bursts_up_to_the_limit_then_refills_at_the_rate() {
        let limiter = RateLimiter::new(6); // one token every 10 s
        let start = Instant::now();
        for _ in 0..6 {
            assert!(limiter.check("a", start).is_ok());
        }
        assert_eq!(limiter.check("a", start), Err(10));
        assert!(
            limiter.check("b", start).is_ok(),
            "clients have their own buckets"
        );
        assert_eq!(limiter.check("a", start + Duration::from_secs(4)), Err(6));
        assert!(limiter.check("a", start + Duration::from_secs(10)).is_ok());
        assert!(limiter.check("a", start + Duration::from_secs(10)).is_err());
    }
}
