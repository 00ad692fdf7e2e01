//! The typed test client: requests as one caller (a bearer token or nobody), answers decoded into
//! the type the test names, statuses and problem documents asserted on the way.
//!
//! `get::<T>`, `post::<T>`, `put::<T>`, `patch::<T>` and `delete::<T>` assert the status (200 for
//! a read, any 2xx otherwise, or exactly the one set with `expecting`) and decode the body into
//! `T` (`()` for an empty body, `serde_json::Value` for an untyped read); the `…_raw` variants
//! answer the response as it came, for the test to check status, headers and body itself.

use std::future::Future;

use reqwest::{Method, Response, StatusCode};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use super::{SignedIn, TestApp};

/// The problem document of every error answer (`application/problem+json`).
pub use fenxiao::error::ProblemBody as Problem;

/// Whatever a request can be sent as: an access token, an API key, a signed-in owner.
pub trait Credential {
    fn bearer_token(&self) -> &str;
}

impl Credential for str {
    fn bearer_token(&self) -> &str {
        self
    }
}

impl Credential for String {
    fn bearer_token(&self) -> &str {
        self
    }
}

impl<C: Credential + ?Sized> Credential for &C {
    fn bearer_token(&self) -> &str {
        (**self).bearer_token()
    }
}

impl Credential for SignedIn {
    fn bearer_token(&self) -> &str {
        &self.access_token
    }
}

/// Requests to one test app as one caller.
#[derive(Clone)]
pub struct Client<'a> {
    app: &'a TestApp,
    token: Option<&'a str>,
    headers: Vec<(&'static str, String)>,
    expected: Option<StatusCode>,
}

impl TestApp {
    /// Requests without credentials.
    pub fn anonymous(&self) -> Client<'_> {
        Client {
            app: self,
            token: None,
            headers: Vec::new(),
            expected: None,
        }
    }

    /// Requests with `who`'s bearer token.
    pub fn bearer<'a, C: Credential + ?Sized>(&'a self, who: &'a C) -> Client<'a> {
        Client {
            token: Some(who.bearer_token()),
            ..self.anonymous()
        }
    }
}

// Every call builds its request at once and answers a future that owns it, so calls can be
// started in any number and awaited together (`join_all`) without keeping the client alive.
impl Client<'_> {
    /// The same client, sending `name: value` with every request.
    pub fn header(&self, name: &'static str, value: &str) -> Self {
        let mut client = self.clone();
        client.headers.push((name, value.to_owned()));
        client
    }

    /// The same client, asking for answers in English.
    pub fn in_english(&self) -> Self {
        self.header("accept-language", "en")
    }

    /// The same client, its typed calls asserting exactly `status` (instead of 200 for a read,
    /// any 2xx otherwise).
    pub fn expecting(&self, status: u16) -> Self {
        let mut client = self.clone();
        client.expected = Some(StatusCode::from_u16(status).expect("an HTTP status"));
        client
    }

    /// A request with this client's token and headers, for bodies the other calls do not send.
    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        let mut req = self.app.http.request(method, self.app.url(path));
        if let Some(token) = self.token {
            req = req.bearer_auth(token);
        }
        for (name, value) in &self.headers {
            req = req.header(*name, value);
        }
        req
    }

    /// Sends `body` (if any) as JSON and answers the response as it came.
    pub fn send_raw(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> impl Future<Output = Response> {
        let mut req = self.request(method.clone(), path);
        if let Some(body) = body {
            req = req.json(body);
        }
        send(req, format!("{method} {path}"))
    }

    pub fn get_raw(&self, path: &str) -> impl Future<Output = Response> {
        self.send_raw(Method::GET, path, None)
    }

    pub fn post_raw(&self, path: &str, body: &impl Serialize) -> impl Future<Output = Response> {
        self.send_raw(Method::POST, path, Some(&to_json(body)))
    }

    /// A POST without a body.
    pub fn post_empty_raw(&self, path: &str) -> impl Future<Output = Response> {
        self.send_raw(Method::POST, path, None)
    }

    /// Sends `body` as it is, under `content_type` (CSV, images, malformed JSON).
    pub fn send_bytes_raw(
        &self,
        method: Method,
        path: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> impl Future<Output = Response> {
        let req = self
            .request(method.clone(), path)
            .header("content-type", content_type)
            .body(body);
        send(req, format!("{method} {path}"))
    }

    /// A POST of `body` as it is, under `content_type` (CSV, images, malformed JSON).
    pub fn post_bytes_raw(
        &self,
        path: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> impl Future<Output = Response> {
        self.send_bytes_raw(Method::POST, path, content_type, body)
    }

    pub fn put_raw(&self, path: &str, body: &impl Serialize) -> impl Future<Output = Response> {
        self.send_raw(Method::PUT, path, Some(&to_json(body)))
    }

    pub fn patch_raw(&self, path: &str, body: &impl Serialize) -> impl Future<Output = Response> {
        self.send_raw(Method::PATCH, path, Some(&to_json(body)))
    }

    pub fn delete_raw(&self, path: &str) -> impl Future<Output = Response> {
        self.send_raw(Method::DELETE, path, None)
    }

    /// Sends, asserts the status (see `expecting`) and decodes the answer.
    pub fn send<T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
    ) -> impl Future<Output = T> {
        let what = format!("{method} {path}");
        let expected = self.expected;
        let read = method == Method::GET;
        let response = self.send_raw(method, path, body);
        async move {
            let res = response.await;
            let status = res.status();
            let text = res.text().await.expect("a readable body");
            let fits = match expected {
                Some(expected) => status == expected,
                None if read => status == StatusCode::OK,
                None => status.is_success(),
            };
            let wanted = expected.map_or_else(|| "success".to_owned(), |s| s.to_string());
            assert!(fits, "{what}: expected {wanted}, got {status}: {text}");
            decode(&text, &what)
        }
    }

    pub fn get<T: DeserializeOwned>(&self, path: &str) -> impl Future<Output = T> {
        self.send(Method::GET, path, None)
    }

    pub fn post<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &impl Serialize,
    ) -> impl Future<Output = T> {
        self.send(Method::POST, path, Some(&to_json(body)))
    }

    pub fn put<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &impl Serialize,
    ) -> impl Future<Output = T> {
        self.send(Method::PUT, path, Some(&to_json(body)))
    }

    pub fn patch<T: DeserializeOwned>(
        &self,
        path: &str,
        body: &impl Serialize,
    ) -> impl Future<Output = T> {
        self.send(Method::PATCH, path, Some(&to_json(body)))
    }

    pub fn delete<T: DeserializeOwned>(&self, path: &str) -> impl Future<Output = T> {
        self.send(Method::DELETE, path, None)
    }
}

async fn send(req: reqwest::RequestBuilder, what: String) -> Response {
    req.send().await.unwrap_or_else(|e| panic!("{what}: {e}"))
}

fn to_json(body: &impl Serialize) -> Value {
    serde_json::to_value(body).expect("a request body serialises")
}

/// `text` as a `T`; an empty body reads as `null` (so as `()`).
fn decode<T: DeserializeOwned>(text: &str, what: &str) -> T {
    let text = if text.is_empty() { "null" } else { text };
    serde_json::from_str(text)
        .unwrap_or_else(|e| panic!("{what}: the answer does not decode ({e}): {text}"))
}

/// Asserts `res` has `status` and decodes its body.
pub async fn expect_json<T: DeserializeOwned>(res: Response, status: u16) -> T {
    let what = format!("{} {}", res.url().path(), res.status());
    let actual = res.status();
    let text = res.text().await.expect("a readable body");
    assert_eq!(actual, status, "{what}: {text}");
    decode(&text, &what)
}

/// Asserts that `res` succeeded (any 2xx) and decodes its body.
pub async fn expect_success<T: DeserializeOwned>(res: Response) -> T {
    let what = format!("{} {}", res.url().path(), res.status());
    let success = res.status().is_success();
    let text = res.text().await.expect("a readable body");
    assert!(success, "{what}: {text}");
    decode(&text, &what)
}

/// Asserts the media type of an error answer, and reads its problem document untyped.
pub async fn problem(response: Response) -> Value {
    let content_type = response
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    assert_eq!(
        content_type, "application/problem+json",
        "content type of an error"
    );
    response.json().await.expect("problem body is JSON")
}

/// Asserts that `res` is a problem document of `status` and `code`, and answers it.
pub async fn assert_problem(res: Response, status: u16, code: &str) -> Problem {
    let actual = res.status();
    let body = problem(res).await;
    assert_eq!(actual, status, "{body}");
    assert_eq!(body["code"], code, "{body}");
    assert_eq!(body["status"], status, "{body}");
    serde_json::from_value(body.clone())
        .unwrap_or_else(|e| panic!("not a problem document ({e}): {body}"))
}

/// Asserts that `res` is a 422 problem document (whatever its code), and answers it.
pub async fn unprocessable(res: Response) -> Problem {
    let actual = res.status();
    let body = problem(res).await;
    assert_eq!(actual, 422, "{body}");
    assert_eq!(body["status"], 422, "{body}");
    serde_json::from_value(body.clone())
        .unwrap_or_else(|e| panic!("not a problem document ({e}): {body}"))
}

/// The field errors of a 422 problem, as (field, code) pairs.
pub async fn field_errors(res: Response) -> Vec<(String, String)> {
    unprocessable(res)
        .await
        .errors
        .into_iter()
        .map(|e| (e.field, e.code.to_string()))
        .collect()
}
