//! Every error answers `application/problem+json` with a stable code, in the caller's language,
//! carrying the request id — and a refused request writes nothing.

use crate::harness::{assert_problem, problem, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

const TABLES: &[&str] = &[
    "merchants",
    "staff_users",
    "one_time_tokens",
    "outbox_messages",
];

fn assert_nothing_written(app: &TestApp) {
    for table in TABLES {
        assert_eq!(app.count(table), 0, "rows in {table}");
    }
}

fn valid_signup() -> Value {
    json!({
        "company_name": "杭州好物优选有限公司",
        "contact_name": "王丽",
        "phone": "13812345678",
        "email": "owner@example.com",
        "password": "tea-garden-2026"
    })
}

db_test!(unknown_api_route_is_404, |app: TestApp| async move {
    let res = app.anonymous().get_raw("/api/v1/no-such-thing").await;
    let header_id = res.headers()["x-request-id"].to_str().unwrap().to_owned();
    let body = assert_problem(res, 404, "not_found").await;
    assert_eq!(body.type_, "urn:fenxiao:problem:not_found");
    assert_eq!(body.request_id.as_deref(), Some(header_id.as_str()));
    assert!(body.errors.is_empty(), "{body:?}");
});

db_test!(
    unknown_page_without_a_built_spa_is_404,
    |app: TestApp| async move {
        let res = app.anonymous().get_raw("/no/such/page").await;
        assert_problem(res, 404, "not_found").await;
        let res = app.anonymous().post_empty_raw("/api").await;
        assert_eq!(res.status(), 404);
    }
);

db_test!(wrong_method_is_405, |app: TestApp| async move {
    let res = app.anonymous().get_raw("/api/v1/signup").await;
    assert_problem(res, 405, "method_not_allowed").await;
    let res = app.anonymous().delete_raw("/healthz").await;
    assert_problem(res, 405, "method_not_allowed").await;
});

db_test!(
    malformed_json_is_400_and_writes_nothing,
    |app: TestApp| async move {
        let res = app
            .anonymous()
            .post_bytes_raw(
                "/api/v1/signup",
                "application/json",
                r#"{"company_name": "x", "#,
            )
            .await;
        assert_problem(res, 400, "malformed_body").await;
        assert_nothing_written(&app);

        let res = app
            .anonymous()
            .post_bytes_raw("/api/v1/signup", "application/json", "")
            .await;
        assert_eq!(res.status(), 400, "empty body");
        assert_nothing_written(&app);
    }
);

db_test!(
    wrong_content_type_is_415_and_writes_nothing,
    |app: TestApp| async move {
        let body = valid_signup().to_string();
        for content_type in [
            "text/plain",
            "application/x-www-form-urlencoded",
            "application/xml",
        ] {
            let res = app
                .anonymous()
                .post_bytes_raw("/api/v1/signup", content_type, body.clone())
                .await;
            assert_eq!(res.status(), 415, "{content_type}");
            assert_problem(res, 415, "unsupported_media_type").await;
        }
        let res = app
            .anonymous()
            .request(Method::POST, "/api/v1/signup")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 415, "no content type");
        assert_nothing_written(&app);

        // `application/<x>+json` is JSON too.
        let res = app
            .anonymous()
            .post_bytes_raw(
                "/api/v1/signup",
                "application/merge-patch+json; charset=utf-8",
                valid_signup().to_string(),
            )
            .await;
        assert_eq!(res.status(), 201);
    }
);

db_test!(
    oversized_body_is_413_and_writes_nothing,
    |app: TestApp| async move {
        let mut big = valid_signup();
        big["company_name"] = json!("x".repeat(70 * 1024));
        let res = app.anonymous().post_raw("/api/v1/signup", &big).await;
        assert_problem(res, 413, "payload_too_large").await;
        assert_nothing_written(&app);

        // Without a Content-Length (chunked), the limit holds while reading.
        let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
            (0..70).map(|_| Ok(vec![b' '; 1024])).collect();
        let stream = futures_util::stream::iter(chunks);
        let res = app
            .anonymous()
            .post_bytes_raw(
                "/api/v1/signup",
                "application/json",
                reqwest::Body::wrap_stream(stream),
            )
            .await;
        assert_eq!(res.status(), 413);
        assert_nothing_written(&app);
    }
);

db_test!(
    validation_errors_name_every_field,
    |app: TestApp| async move {
        let res = app
            .anonymous()
            .header("accept-language", "en-US,en;q=0.9")
            .post_raw(
                "/api/v1/signup",
                &json!({
                    "company_name": "  ",
                    "contact_name": "王丽",
                    "phone": "12345",
                    "email": "not-an-email",
                    "password": "short1"
                }),
            )
            .await;
        assert_eq!(res.headers()["content-language"], "en");
        let body = assert_problem(res, 422, "validation_failed").await;
        assert_eq!(body.title, "The request is not valid");
        let fields: Vec<(String, String)> = body
            .errors
            .into_iter()
            .map(|e| {
                assert!(!e.message.is_empty());
                (e.field, e.code.to_string())
            })
            .collect();
        assert_eq!(
            fields,
            vec![
                ("company_name".into(), "length".into()),
                ("email".into(), "email".into()),
                ("password".into(), "weak_password".into()),
                ("phone".into(), "phone".into()),
            ]
        );
        assert_nothing_written(&app);
    }
);

db_test!(
    shape_errors_are_422_with_the_field,
    |app: TestApp| async move {
        let mut wrong_type = valid_signup();
        wrong_type["phone"] = json!(13812345678_i64);
        let mut unknown = valid_signup();
        unknown["is_admin"] = json!(true);
        let mut missing = valid_signup();
        missing.as_object_mut().unwrap().remove("email");
        for (body, field, code) in [
            (wrong_type, "phone", "invalid_type"),
            (unknown, "is_admin", "unknown_field"),
            (missing, "email", "required"),
        ] {
            let res = app.anonymous().post_raw("/api/v1/signup", &body).await;
            assert_eq!(res.status(), 422);
            let problem = problem(res).await;
            assert_eq!(problem["errors"][0]["field"], field);
            assert_eq!(problem["errors"][0]["code"], code);
        }
        assert_nothing_written(&app);
    }
);

db_test!(texts_follow_accept_language, |app: TestApp| async move {
    let res = app.anonymous().get_raw("/api/v1/nothing").await;
    assert_eq!(res.headers()["content-language"], "zh-CN");
    assert_eq!(problem(res).await["title"], "未找到");
    let res = app
        .anonymous()
        .in_english()
        .get_raw("/api/v1/nothing")
        .await;
    assert_eq!(problem(res).await["title"], "Not found");
});

db_test!(
    request_ids_are_echoed_only_when_safe,
    |app: TestApp| async move {
        let res = app
            .anonymous()
            .header("x-request-id", "client-id-42")
            .get_raw("/api/v1/nothing")
            .await;
        assert_eq!(res.headers()["x-request-id"], "client-id-42");
        assert_eq!(problem(res).await["request_id"], "client-id-42");

        let res = app
            .anonymous()
            .header("x-request-id", "bad id with spaces")
            .get_raw("/healthz")
            .await;
        let id = res.headers()["x-request-id"].to_str().unwrap();
        assert_eq!(id.len(), 32, "a generated id replaces an unsafe one: {id}");
    }
);
