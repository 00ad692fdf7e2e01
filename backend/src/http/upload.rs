//! `Upload`: a raw request body (an image, a spreadsheet) read up to a size limit, with its
//! declared media type. Whether the bytes really are what they claim is the receiver's check.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use futures_util::StreamExt;

use crate::app::AppState;
use crate::error::AppError;

/// Reads a raw body of at most `limit` bytes (413 beyond): for uploads and for the signed
/// notifications of providers, which must be verified over the exact bytes received.
pub async fn read_limited<S>(payload: &mut S, limit: usize) -> Result<web::Bytes, AppError>
where
    S: futures_util::Stream<Item = Result<web::Bytes, actix_web::error::PayloadError>> + Unpin,
{
    let mut body = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| AppError::MalformedBody(format!("cannot read body: {e}")))?;
        if body.len() + chunk.len() > limit {
            return Err(AppError::PayloadTooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// This server as the caller reached it: where a provider is told to send its notifications.
pub fn own_origin(req: &HttpRequest) -> String {
    let info = req.connection_info();
    format!("{}://{}", info.scheme(), info.host())
}

#[derive(Debug)]
pub struct Upload {
    /// The declared `Content-Type` essence, e.g. `image/png`.
    pub content_type: String,
    pub bytes: web::Bytes,
}

impl FromRequest for Upload {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req
            .app_data::<web::Data<AppState>>()
            .map(|s| s.config.max_upload_bytes)
            .unwrap_or(5 * 1024 * 1024);
        let content_type = req
            .mime_type()
            .ok()
            .flatten()
            .map(|m| m.essence_str().to_owned())
            .unwrap_or_default();
        let declared_length = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if declared_length.is_some_and(|len| len > limit) {
                return Err(AppError::PayloadTooLarge { limit });
            }
            let body = read_limited(&mut payload, limit).await?;
            if body.is_empty() {
                return Err(AppError::MalformedBody("the body is empty".into()));
            }
            Ok(Upload {
                content_type,
                bytes: body,
            })
        })
    }
}
