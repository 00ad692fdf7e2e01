//! Every error answers `application/problem+json` with a stable code, in the caller's language,
//! carrying the request id — and a refused request writes nothing.


use crate::harness::{problem, TestApp};
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
    let res = app.get("/api/v1/no-such-thing").send().await.unwrap();
    assert_eq!(res.status(), 404);
    let header_id = res.headers()["x-request-id"].to_str().unwrap().to_owned();
    let body = problem(res).await;
    assert_eq!(body["code"], "not_found");
    assert_eq!(body["status"], 404);
    assert_eq!(body["type"], "urn:fenxiao:problem:not_found");
    assert_eq!(body["request_id"], header_id);
    assert_eq!(body["errors"], json!([]));
});

db_test!(
    unknown_page_without_a_built_spa_is_404,
    |app: TestApp| async move {
        let res = app.get("/no/such/page").send().await.unwrap();
        assert_eq!(res.status(), 404);
        assert_eq!(problem(res).await["code"], "not_found");
        let res = app.post("/api").send().await.unwrap();
        assert_eq!(res.status(), 404);
    }
);

db_test!(wrong_method_is_405, |app: TestApp| async move {
    let res = app.get("/api/v1/signup").send().await.unwrap();
    assert_eq!(res.status(), 405);
    assert_eq!(problem(res).await["code"], "method_not_allowed");
    let res = app.client.delete(app.url("/healthz")).send().await.unwrap();
    assert_eq!(res.status(), 405);
    assert_eq!(problem(res).await["code"], "method_not_allowed");
});

db_test!(
    malformed_json_is_400_and_writes_nothing,
    |app: TestApp| async move {
        let res = app
            .post("/api/v1/signup")
            .header("content-type", "application/json")
            .body(r#"{"company_name": "x", "#)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400);
        let body = problem(res).await;
        assert_eq!(body["code"], "malformed_body");
        assert_nothing_written(&app);

        let res = app
            .post("/api/v1/signup")
            .header("content-type", "application/json")
            .send()
            .await
            .unwrap();
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
                .post("/api/v1/signup")
                .header("content-type", content_type)
                .body(body.clone())
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 415, "{content_type}");
            assert_eq!(problem(res).await["code"], "unsupported_media_type");
        }
        let res = app.post("/api/v1/signup").body(body).send().await.unwrap();
        assert_eq!(res.status(), 415, "no content type");
        assert_nothing_written(&app);

        // `application/<x>+json` is JSON too.
        let res = app
            .post("/api/v1/signup")
            .header(
                "content-type",
                "application/merge-patch+json; charset=utf-8",
            )
            .body(valid_signup().to_string())
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201);
    }
);

db_test!(
    oversized_body_is_413_and_writes_nothing,
    |app: TestApp| async move {
        let mut big = valid_signup();
        big["company_name"] = json!("x".repeat(70 * 1024));
        let res = app.post("/api/v1/signup").json(&big).send().await.unwrap();
        assert_eq!(res.status(), 413);
        let body = problem(res).await;
        assert_eq!(body["code"], "payload_too_large");
        assert_nothing_written(&app);

        // Without a Content-Length (chunked), the limit holds while reading.
        let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
            (0..70).map(|_| Ok(vec![b' '; 1024])).collect();
        let stream = futures_util::stream::iter(chunks);
        let res = app
            .post("/api/v1/signup")
            .header("content-type", "application/json")
            .body(reqwest::Body::wrap_stream(stream))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 413);
        assert_nothing_written(&app);
    }
);

db_test!(
    validation_errors_name_every_field,
    |app: TestApp| async move {
        let res = app
            .post("/api/v1/signup")
            .header("accept-language", "en-US,en;q=0.9")
            .json(&json!({
                "company_name": "  ",
                "contact_name": "王丽",
                "phone": "12345",
                "email": "not-an-email",
                "password": "short1"
            }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422);
        assert_eq!(res.headers()["content-language"], "en");
        let body = problem(res).await;
        assert_eq!(body["code"], "validation_failed");
        assert_eq!(body["title"], "The request is not valid");
        let fields: Vec<(String, String)> = body["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                assert!(!e["message"].as_str().unwrap().is_empty());
                (
                    e["field"].as_str().unwrap().to_owned(),
                    e["code"].as_str().unwrap().to_owned(),
                )
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
            let res = app.post("/api/v1/signup").json(&body).send().await.unwrap();
            assert_eq!(res.status(), 422);
            let problem = problem(res).await;
            assert_eq!(problem["errors"][0]["field"], field);
            assert_eq!(problem["errors"][0]["code"], code);
        }
        assert_nothing_written(&app);
    }
);

db_test!(texts_follow_accept_language, |app: TestApp| async move {
    let res = app.get("/api/v1/nothing").send().await.unwrap();
    assert_eq!(res.headers()["content-language"], "zh-CN");
    assert_eq!(problem(res).await["title"], "未找到");
    let res = app
        .get("/api/v1/nothing")
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res).await["title"], "Not found");
});

db_test!(
    request_ids_are_echoed_only_when_safe,
    |app: TestApp| async move {
        let res = app
            .get("/api/v1/nothing")
            .header("x-request-id", "client-id-42")
            .send()
            .await
            .unwrap();
        assert_eq!(res.headers()["x-request-id"], "client-id-42");
        assert_eq!(problem(res).await["request_id"], "client-id-42");

        let res = app
            .get("/healthz")
            .header("x-request-id", "bad id with spaces")
            .send()
            .await
            .unwrap();
        let id = res.headers()["x-request-id"].to_str().unwrap();
        assert_eq!(id.len(), 32, "a generated id replaces an unsafe one: {id}");
    }
);
