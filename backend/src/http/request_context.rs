//! The outermost middleware: gives every request an id (taken from a well-formed `X-Request-Id`
//! or generated), runs it inside a tracing span that carries the id into every log line, logs the
//! outcome, and makes sure every error response is a problem document in the caller's language.

use std::future::{ready, Ready};
use std::time::Instant;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::InternalError;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{Error, FromRequest, HttpMessage, HttpRequest, HttpResponse};
use tracing::Instrument;

use crate::error::{Lang, Problem, PROBLEM_JSON};

pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// The id of the current request, available to handlers as an extractor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestId(pub String);

/// The language the caller asked for (`Accept-Language`), available as an extractor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestLang(pub Lang);

fn well_formed_id(value: &str) -> bool {
    (1..=64).contains(&value.len())
        && value
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

fn request_id_for(req: &ServiceRequest) -> String {
    req.headers()
        .get(&REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| well_formed_id(v))
        .map(str::to_owned)
        .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string())
}

pub async fn request_context(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let request_id = request_id_for(&req);
    let lang = Lang::from_headers(req.headers());
    req.extensions_mut().insert(RequestId(request_id.clone()));
    req.extensions_mut().insert(RequestLang(lang));
    let span = tracing::info_span!(
        "request",
        request_id = %request_id,
        method = %req.method(),
        path = %req.path(),
    );
    let started = Instant::now();

    let outcome = next.call(req).instrument(span.clone()).await;
    let status = match &outcome {
        Ok(res) => res.status(),
        Err(err) => err.as_response_error().status_code(),
    };
    span.in_scope(|| {
        let elapsed_ms = started.elapsed().as_millis() as u64;
        let status = status.as_u16();
        if status >= 500 {
            tracing::warn!(status, elapsed_ms, "request failed");
        } else {
            tracing::info!(status, elapsed_ms, "request completed");
        }
    });
    match outcome {
        Ok(res) => {
            let (request, response) = res.into_parts();
            let response = finish(response.map_into_boxed_body(), lang, &request_id);
            Ok(ServiceResponse::new(request, response))
        }
        // Handlers' errors arrive above as responses; this is an error raised before routing.
        // The request is gone by now, so the finished response travels inside the error.
        Err(err) => {
            let response = finish(err.error_response(), lang, &request_id);
            Err(InternalError::from_response(err.to_string(), response).into())
        }
    }
}

/// Renders a problem in the caller's language with the request id, turns any other error
/// response (from actix itself or a library) into a generic problem of the same status, and sets
/// the request id header.
fn finish(response: HttpResponse, lang: Lang, request_id: &str) -> HttpResponse {
    let mut response = render_problem(response, lang, request_id);
    if let Ok(value) = HeaderValue::from_str(request_id) {
        response.headers_mut().insert(REQUEST_ID_HEADER, value);
    }
    response
}

fn render_problem(response: HttpResponse, lang: Lang, request_id: &str) -> HttpResponse {
    let status = response.status();
    let problem = response.extensions().get::<Problem>().cloned();
    let problem = match problem {
        Some(problem) => problem,
        None if status.is_client_error() || status.is_server_error() => {
            let already_problem = response
                .headers()
                .get(header::CONTENT_TYPE)
                .is_some_and(|v| v.as_bytes().starts_with(PROBLEM_JSON.as_bytes()));
            if already_problem {
                return response;
            }
            Problem::for_status(status)
        }
        None => return response,
    };
    let mut rendered = problem.into_response(lang, Some(request_id));
    // Keep headers such as `Allow` or `WWW-Authenticate` that the original response set.
    for (name, value) in response.headers() {
        if name != header::CONTENT_TYPE
            && name != header::CONTENT_LENGTH
            && name != header::CONTENT_LANGUAGE
            && !rendered.headers().contains_key(name)
        {
            rendered.headers_mut().insert(name.clone(), value.clone());
        }
    }
    rendered
}

impl FromRequest for RequestId {
    type Error = Error;
    type Future = Ready<Result<Self, Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let id = req
            .extensions()
            .get::<RequestId>()
            .cloned()
            .unwrap_or_else(|| RequestId(uuid::Uuid::new_v4().simple().to_string()));
        ready(Ok(id))
    }
}

impl FromRequest for RequestLang {
    type Error = Error;
    type Future = Ready<Result<Self, Error>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let lang = req
            .extensions()
            .get::<RequestLang>()
            .copied()
            .unwrap_or_else(|| RequestLang(Lang::from_headers(req.headers())));
        ready(Ok(lang))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_safe_request_ids_are_echoed() {
        assert!(well_formed_id("abc-123_x.y"));
        assert!(!well_formed_id(""));
        assert!(!well_formed_id("a b"));
        assert!(!well_formed_id("x\r\nSet-Cookie: a"));
        assert!(!well_formed_id(&"a".repeat(65)));
    }
}
