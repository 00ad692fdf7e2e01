//! Where the payment providers are, and what a provider may answer a refund.
//!
//! Refund submission is synchronous code (it claims the refund's row, calls the provider and
//! records the answer on one connection), run on the blocking pool by a request or on the
//! refund job's thread; the provider's HTTP call runs on a small runtime of its own there.

use std::future::Future;
use std::time::Duration;

use crate::config::Config;
use crate::crypto::Cipher;
use crate::error::{AppError, AppResult};

/// How long a provider may take to answer a refund before it counts as unanswered.
pub const PROVIDER_TIMEOUT: Duration = Duration::from_secs(10);

/// Where the providers are, how their notifications find us, and the key to the merchants'
/// provider settings.
#[derive(Clone)]
pub struct Providers {
    /// Reads the merchant's provider keys.
    pub cipher: Cipher,
    /// Alipay's gateway (`…/gateway.do`).
    pub alipay_gateway: String,
    /// WeChat Pay's API base.
    pub wechatpay_api_base: String,
    /// The server's public base URL, for the notification addresses given to providers.
    pub notify_base: String,
}

impl Providers {
    pub fn new(config: &Config, cipher: Cipher) -> Providers {
        Providers {
            cipher,
            alipay_gateway: config.alipay_gateway.clone(),
            wechatpay_api_base: config.wechatpay_api_base.clone(),
            notify_base: config.public_base_url(),
        }
    }
}

/// What a provider made of a refund request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderAnswer {
    /// The money went back (or had already gone back for this refund number).
    Refunded { provider_refund_id: String },
    /// Accepted; the outcome comes later by notification.
    Accepted { provider_refund_id: String },
    /// Refused for good (a closed trade, an amount it will not refund): finance looks into it.
    Refused { reason: String },
    /// No usable answer (unreachable, a server error, an answer that does not verify): the
    /// refund job asks again under the same refund number, which the provider refunds once.
    Unanswered { reason: String },
}

/// The HTTP client of refund calls.
pub(crate) fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(PROVIDER_TIMEOUT)
        .build()
        .unwrap_or_default()
}

/// Runs a provider call to its end from synchronous code (a blocking-pool or job thread, never
/// an async worker).
pub(crate) fn run<F: Future>(call: F) -> AppResult<F::Output> {
    let runtime = actix_web::rt::Runtime::new().map_err(AppError::internal)?;
    Ok(runtime.block_on(call))
}
