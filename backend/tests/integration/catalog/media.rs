//! Image uploads: checked by content, size-limited, stored, served with cache headers, attached
//! to products.

use crate::harness::{assert_problem, expect_json, problem, SignedIn, TestApp, TestBackend, PNG};
use serde_json::{json, Value};

async fn upload(
    app: &TestApp,
    who: &SignedIn,
    content_type: &str,
    body: Vec<u8>,
) -> reqwest::Response {
    app.bearer(&who)
        .post_bytes_raw("/api/v1/media", content_type, body)
        .await
}

db_test!(
    images_are_stored_and_served_with_cache_headers,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let res = upload(&app, &owner, "image/png", PNG.to_vec()).await;
        let media: Value = expect_json(res, 201).await;
        assert_eq!(media["content_type"], "image/png");
        assert_eq!(
            (media["width"].as_i64(), media["height"].as_i64()),
            (Some(1), Some(1))
        );
        let url = media["url"].as_str().unwrap().to_owned();

        let res = app.anonymous().get_raw(&url).await;
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
            app.anonymous()
                .get_raw("/media/1/..%2f..%2fetc%2fpasswd")
                .await
                .status(),
            404
        );
        assert_eq!(
            app.anonymous()
                .get_raw("/media/1/missing.png")
                .await
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
        assert_problem(res, 415, "unsupported_media_type").await;
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
            .bearer(&owner)
            .post(
                "/api/v1/products",
                &json!({ "name": "龙井", "skus": [{ "code": "A", "retail_price": "10" }] }),
            )
            .await;
        let path = format!("/api/v1/products/{}/images", product["id"]);
        let updated: Value = app
            .bearer(&owner)
            .expecting(200)
            .put(&path, &json!({ "media_ids": [second["id"], first["id"]] }))
            .await;
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
            .bearer(&owner)
            .put_raw(&path, &json!({ "media_ids": [theirs["id"]] }))
            .await;
        assert_eq!(
            res.status(),
            422,
            "another merchant's image cannot be attached"
        );
        assert_eq!(problem(res).await["errors"][0]["code"], "unknown_media");
        let res = app
            .bearer(&owner)
            .put_raw(&path, &json!({ "media_ids": [first["id"], first["id"]] }))
            .await;
        assert_eq!(res.status(), 422);
    }
);
