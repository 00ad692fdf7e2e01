//! `ApiJson<T>`: the only way handlers read a JSON body. It checks the media type and the size
//! limit, parses with field paths in the errors, and runs the type's validation, so a handler
//! only ever sees a well-formed, valid value.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use validator::Validate;

use crate::error::AppError;
use crate::http::validation;

/// The largest JSON body a route accepts; registered as app data.
#[derive(Debug, Clone, Copy)]
pub struct JsonLimit(pub usize);

impl Default for JsonLimit {
    fn default() -> Self {
        JsonLimit(1024 * 1024)
    }
}

#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T> ApiJson<T> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

fn is_json(req: &HttpRequest) -> bool {
    match req.mime_type() {
        Ok(Some(mime)) => {
            mime.type_() == "application"
                && (mime.subtype() == "json" || mime.suffix().is_some_and(|s| s == "json"))
        }
        _ => false,
    }
}

impl<T: DeserializeOwned + Validate + 'static> FromRequest for ApiJson<T> {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let limit = req
            .app_data::<web::Data<JsonLimit>>()
            .map(|l| l.0)
            .or_else(|| req.app_data::<JsonLimit>().map(|l| l.0))
            .unwrap_or_else(|| JsonLimit::default().0);
        let json = is_json(req);
        let declared_length = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            if !json {
                return Err(AppError::UnsupportedMediaType {
                    expected: "application/json",
                });
            }
            if declared_length.is_some_and(|len| len > limit) {
                return Err(AppError::PayloadTooLarge { limit });
            }
            let mut body = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk =
                    chunk.map_err(|e| AppError::MalformedBody(format!("cannot read body: {e}")))?;
                if body.len() + chunk.len() > limit {
                    return Err(AppError::PayloadTooLarge { limit });
                }
                body.extend_from_slice(&chunk);
            }
            let value = parse::<T>(&body)?;
            value.validate()?;
            Ok(ApiJson(value))
        })
    }
}

/// Syntax errors are a malformed body (400); a well-formed document of the wrong shape is a
/// validation error on the field it concerns (422).
pub fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(AppError::MalformedBody("the body is empty".into()));
    }
    let mut de = serde_json::Deserializer::from_slice(body);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        match inner.classify() {
            serde_json::error::Category::Data => {
                AppError::Validation(vec![validation::from_serde(
                    if path == "." { "" } else { &path },
                    &inner,
                )])
            }
            _ => AppError::MalformedBody(inner.to_string()),
        }
    })?;
    de.end()
        .map_err(|e| AppError::MalformedBody(e.to_string()))?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Item {
        #[allow(dead_code)]
        qty: u32,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Order {
        #[allow(dead_code)]
        name: String,
        #[allow(dead_code)]
        items: Vec<Item>,
    }

    fn field_codes(err: AppError) -> Vec<(String, String)> {
        match err {
            AppError::Validation(fields) => fields
                .into_iter()
                .map(|f| (f.code().to_string(), f.field))
                .map(|(c, f)| (f, c))
                .collect(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn syntax_errors_are_malformed_bodies() {
        assert!(matches!(
            parse::<Order>(b"{\"name\": "),
            Err(AppError::MalformedBody(_))
        ));
        assert!(matches!(
            parse::<Order>(b""),
            Err(AppError::MalformedBody(_))
        ));
        assert!(matches!(
            parse::<Order>(b"{\"name\":\"a\",\"items\":[]} trailing"),
            Err(AppError::MalformedBody(_))
        ));
    }

    #[test]
    fn shape_errors_name_the_field() {
        let err = parse::<Order>(br#"{"name":"a","items":[{"qty":1},{"qty":"x"}]}"#).unwrap_err();
        assert_eq!(
            field_codes(err),
            vec![("items[1].qty".into(), "invalid_type".into())]
        );

        let err = parse::<Order>(br#"{"items":[]}"#).unwrap_err();
        assert_eq!(field_codes(err), vec![("name".into(), "required".into())]);

        let err = parse::<Order>(br#"{"name":"a","items":[],"extra":1}"#).unwrap_err();
        assert_eq!(
            field_codes(err),
            vec![("extra".into(), "unknown_field".into())]
        );

        let err = parse::<Order>(br#""just a string""#).unwrap_err();
        assert_eq!(field_codes(err), vec![("$".into(), "invalid_type".into())]);
    }
}
