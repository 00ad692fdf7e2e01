//! Image uploads: checked by content, size-limited, stored, served with cache headers, attached
//! to products.


use crate::harness::{problem, SignedIn, TestApp, TestBackend};
use serde_json::{json, Value};

/// A valid 1×1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x3A, 0x7E, 0x9B,
    0x55, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x60, 0x00, 0x00, 0x00,
    0x02, 0x00, 0x01, 0x48, 0xAF, 0xA4, 0x71, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE,
    0x42, 0x60, 0x82,
];

async fn upload(
    app: &TestApp,
    who: &SignedIn,
    content_type: &str,
    body: Vec<u8>,
) -> reqwest::Response {
    app.post("/api/v1/media")
        .bearer_auth(&who.access_token)
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}

db_test!(
    images_are_stored_and_served_with_cache_headers,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let res = upload(&app, &owner, "image/png", PNG.to_vec()).await;
        assert_eq!(res.status(), 201);
        let media: Value = res.json().await.unwrap();
        assert_eq!(media["content_type"], "image/png");
        assert_eq!(
            (media["width"].as_i64(), media["height"].as_i64()),
            (Some(1), Some(1))
        );
        let url = media["url"].as_str().unwrap().to_owned();

        let res = app.get(&url).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()["content-type"], "image/png");
        assert!(res.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("immutable"));
        assert_eq!(res.headers()["x-content-type-options"], "nosniff");
        assert_eq!(res.bytes().await.unwrap().as_ref(), PNG);

        let again: Value = upload(&app, &owner, "image/png", PNG.to_vec())
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(again["id"], media["id"], "the same image is stored once");
        assert_eq!(app.count("media"), 1);

        assert_eq!(
            app.get("/media/1/..%2f..%2fetc%2fpasswd")
                .send()
                .await
                .unwrap()
                .status(),
            404
        );
        assert_eq!(
            app.get("/media/1/missing.png")
                .send()
                .await
                .unwrap()
                .status(),
            404
        );
    }
);

db_test!(
    a_renamed_text_file_is_refused_with_415,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let res = upload(
            &app,
            &owner,
            "image/png",
            b"just some text pretending to be a picture".to_vec(),
        )
        .await;
        assert_eq!(res.status(), 415);
        assert_eq!(problem(res).await["code"], "unsupported_media_type");
        let res = upload(&app, &owner, "text/plain", PNG.to_vec()).await;
        assert_eq!(res.status(), 415, "the declared type must be an image too");
        let truncated = PNG[..20].to_vec();
        let res = upload(&app, &owner, "image/png", truncated).await;
        assert_eq!(
            res.status(),
            415,
            "a PNG signature without a readable header"
        );
        assert_eq!(app.count("media"), 0);
    }
);

#[actix_web::test]
async fn uploads_over_the_limit_are_413() {
    let app = TestApp::spawn_with(TestBackend::Sqlite, |c| c.max_upload_bytes = 1024).await;
    let owner = app.owner("boss@example.com").await;
    let mut big = PNG.to_vec();
    big.extend(std::iter::repeat_n(0u8, 2048));
    let res = upload(&app, &owner, "image/png", big).await;
    assert_eq!(res.status(), 413);
    assert_eq!(app.count("media"), 0);
}

db_test!(
    products_show_their_gallery_in_order,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let first: Value = upload(&app, &owner, "image/png", PNG.to_vec())
            .await
            .json()
            .await
            .unwrap();
        let mut gif = b"GIF89a\x01\x00\x01\x00\x80\x00\x00\xff\xff\xff\x00\x00\x00!\xf9\x04\x01\x00\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;".to_vec();
        let second: Value = upload(&app, &owner, "image/gif", std::mem::take(&mut gif))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(second["content_type"], "image/gif");
        let product: Value = app
            .post("/api/v1/products")
            .bearer_auth(&owner.access_token)
            .json(&json!({ "name": "龙井", "skus": [{ "code": "A", "retail_price": "10" }] }))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let path = format!("/api/v1/products/{}/images", product["id"]);
        let res = app
            .client
            .put(app.url(&path))
            .bearer_auth(&owner.access_token)
            .json(&json!({ "media_ids": [second["id"], first["id"]] }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let updated: Value = res.json().await.unwrap();
        assert_eq!(
            updated["images"][0]["id"], second["id"],
            "the first is the main image"
        );
        assert_eq!(updated["images"][1]["id"], first["id"]);

        let other = app.owner("other@example.com").await;
        let theirs: Value = upload(&app, &other, "image/png", PNG.to_vec())
            .await
            .json()
            .await
            .unwrap();
        let res = app
            .client
            .put(app.url(&path))
            .bearer_auth(&owner.access_token)
            .json(&json!({ "media_ids": [theirs["id"]] }))
            .send()
            .await
            .unwrap();
        assert_eq!(
            res.status(),
            422,
            "another merchant's image cannot be attached"
        );
        assert_eq!(problem(res).await["errors"][0]["code"], "unknown_media");
        let res = app
            .client
            .put(app.url(&path))
            .bearer_auth(&owner.access_token)
            .json(&json!({ "media_ids": [first["id"], first["id"]] }))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 422);
    }
);
