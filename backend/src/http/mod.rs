//! HTTP plumbing shared by every route: the JSON extractor, validation mapping, the request
//! middleware, the fallback service and the extractor error handlers.

pub mod extractors;
pub mod fallback;
pub mod json;
pub mod rate_limit;
pub mod request_context;
pub mod upload;
pub mod validation;

pub use json::ApiJson;
pub use request_context::{RequestId, RequestLang};

/// The client's address without its port (`203.0.113.5:4711` → `203.0.113.5`, `[::1]:80` →
/// `::1`), as the sessions, the audit log and the rate limits record it. A forwarded address
/// usually comes without a port and is kept as it is, without brackets.
pub fn client_ip(req: &actix_web::HttpRequest) -> Option<String> {
    let info = req.connection_info();
    let addr = info.realip_remote_addr()?;
    Some(match addr.parse::<std::net::SocketAddr>() {
        Ok(socket) => socket.ip().to_string(),
        Err(_) => addr.trim_matches(['[', ']']).to_owned(),
    })
}
