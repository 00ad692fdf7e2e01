//! Recruitment: recruit links and their QR codes (decoded back to the link), the application
//! form and its strict rules, applications under each entry mode, answers against the form,
//! sponsor codes, one open application per member, the review queue with concurrent decisions,
//! the welcome message, and isolation between merchants.

use crate::harness::{
    assert_problem, expect_json, expect_success, field_errors, problem, Member, SignedIn, TestApp,
    TestBackend,
};
use diesel::prelude::*;
use fenxiao::db::ids::{DistributorId, MemberId};
use fenxiao::db::schema::{
    distributor_applications, distributor_tier_changes, distributors, notifications,
    outbox_messages,
};
use futures_util::future::join_all;
use qrcode::{Color, EcLevel, QrCode};
use serde_json::{json, Value};

// ---- Helpers ------------------------------------------------------------------------------

/// A member registered through the shop's API, named after the end of their login, signed in.
async fn register(app: &TestApp, shop: i64, login: &str, distributor_code: Option<&str>) -> Member {
    let name = format!("会员{}", &login[login.len() - 2..]);
    app.member(
        shop,
        login,
        json!({ "name": name, "distributor_code": distributor_code }),
    )
    .await
}

async fn set_slug(app: &TestApp, owner: &SignedIn, slug: &str) {
    app.bearer(&owner)
        .put::<Value>(
            "/api/v1/merchant/profile",
            &json!({
                "name": "好物优选",
                "slug": slug,
                "timezone": "Asia/Shanghai",
                "logo_media_id": null,
            }),
        )
        .await;
}

async fn settings(app: &TestApp, owner: &SignedIn, entry_mode: &str, extra: Value) {
    let mut body = json!({
        "entry_mode": entry_mode,
        "commission_depth": 2,
        "self_purchase_commission": false,
        "binding_mode": "first_touch",
        "protection_days": 0,
    });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    app.bearer(&owner)
        .put::<Value>("/api/v1/distribution/settings", &body)
        .await;
}

async fn save_form(app: &TestApp, owner: &SignedIn, fields: Value) -> reqwest::Response {
    app.bearer(&owner)
        .put_raw(
            "/api/v1/recruitment/application-form",
            &json!({ "fields": fields }),
        )
        .await
}

async fn apply(app: &TestApp, member: &Member, body: Value) -> reqwest::Response {
    app.bearer(&member.token)
        .post_raw(&member.me("/distributor-application"), &body)
        .await
}

async fn grant(app: &TestApp, owner: &SignedIn, member_id: i64, sponsor: Option<i64>) -> Value {
    app.bearer(&owner)
        .post::<Value>(
            "/api/v1/distributors",
            &json!({ "member_id": member_id, "sponsor_id": sponsor }),
        )
        .await
}

/// The member's own distributor profile; `None` when the shop answers 404.
async fn my_distributor(app: &TestApp, member: &Member) -> Option<Value> {
    let res = app
        .bearer(&member.token)
        .get_raw(&member.me("/distributor"))
        .await;
    if res.status() == 404 {
        return None;
    }
    Some(expect_success::<Value>(res).await)
}

/// `POST …/me/distributor`: join as a distributor in `everyone` mode.
async fn join_as_distributor(app: &TestApp, member: &Member) -> reqwest::Response {
    app.bearer(&member.token)
        .post_empty_raw(&member.me("/distributor"))
        .await
}

/// Parent and recorded recruiter of the member's distributor profile.
/// As plain numbers, to compare with ids the API answered.
fn placement(app: &TestApp, member_id: i64) -> (Option<i64>, Option<i64>) {
    let (parent, sponsor): (Option<DistributorId>, Option<DistributorId>) = distributors::table
        .filter(distributors::member_id.eq(MemberId(member_id)))
        .select((distributors::parent_id, distributors::sponsor_id))
        .first(&mut *app.conn())
        .unwrap();
    (
        parent.map(DistributorId::get),
        sponsor.map(DistributorId::get),
    )
}

/// (channel, subject, body) of every message of `template` sent to `recipient`.
fn messages(app: &TestApp, recipient: &str, template: &str) -> Vec<(String, String, String)> {
    outbox_messages::table
        .filter(outbox_messages::recipient.eq(recipient))
        .filter(outbox_messages::template.eq(template))
        .select((
            outbox_messages::channel,
            outbox_messages::subject,
            outbox_messages::body,
        ))
        .load(&mut *app.conn())
        .unwrap()
}

fn welcome_messages(app: &TestApp, recipient: &str) -> Vec<(String, String, String)> {
    messages(app, recipient, "distributor_welcome")
}

fn rejection_messages(app: &TestApp, recipient: &str) -> Vec<(String, String, String)> {
    messages(app, recipient, "distributor_rejected")
}

/// The modules of the QR code of `text` as the server makes it (medium error correction),
/// with the four-module quiet zone, row by row.
fn expected_modules(text: &str) -> Vec<Vec<bool>> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).unwrap();
    let width = code.width();
    let colors = code.to_colors();
    let side = width + 8;
    (0..side)
        .map(|y| {
            (0..side)
                .map(|x| {
                    (4..4 + width).contains(&x)
                        && (4..4 + width).contains(&y)
                        && colors[(y - 4) * width + (x - 4)] == Color::Dark
                })
                .collect()
        })
        .collect()
}

/// Decodes a PNG and reads the module at each cell's centre.
fn png_modules(bytes: &[u8], modules: usize) -> (u32, Vec<Vec<bool>>) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "PNG signature");
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes.to_vec()));
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.width, info.height, "square");
    assert_eq!(info.color_type, png::ColorType::Grayscale);
    let side = info.width as usize;
    assert_eq!(side % modules, 0, "whole pixels per module");
    let scale = side / modules;
    let grid = (0..modules)
        .map(|my| {
            (0..modules)
                .map(|mx| {
                    let (x, y) = (mx * scale + scale / 2, my * scale + scale / 2);
                    buf[y * info.line_size + x] < 128
                })
                .collect()
        })
        .collect();
    (info.width, grid)
}

/// Reads the dark rectangles of the SVG's path back into modules.
fn svg_modules(svg: &str, modules: usize) -> Vec<Vec<bool>> {
    assert!(svg.starts_with("<?xml"), "an XML document");
    assert!(svg.contains("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.contains(&format!("viewBox=\"0 0 {modules} {modules}\"")));
    assert!(svg.trim_end().ends_with("</svg>"));
    let start = svg.find(" d=\"").unwrap() + 4;
    let d = &svg[start..start + svg[start..].find('"').unwrap()];
    let mut grid = vec![vec![false; modules]; modules];
    for rect in d.split('M').filter(|s| !s.is_empty()) {
        let numbers: Vec<usize> = rect
            .split(|c: char| c.is_ascii_alphabetic() || c == ' ')
            .filter(|s| !s.is_empty())
            .map(|s| s.parse().unwrap())
            .collect();
        let [x, y, w, h, ..] = numbers[..] else {
            panic!("unexpected path segment {rect}");
        };
        for row in grid.iter_mut().skip(y).take(h) {
            for cell in row.iter_mut().skip(x).take(w) {
                *cell = true;
            }
        }
    }
    grid
}

async fn bytes_of(res: reqwest::Response, content_type: &str) -> Vec<u8> {
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], content_type);
    res.bytes().await.unwrap().to_vec()
}

/// Checks that the PNG and SVG answers of `base` encode exactly `url`.
async fn qr_codes_encode(app: &TestApp, token: &str, base: &str, url: &str) {
    let expected = expected_modules(url);
    let modules = expected.len();
    let png = bytes_of(
        app.bearer(token).get_raw(&format!("{base}/qr.png")).await,
        "image/png",
    )
    .await;
    let (side, grid) = png_modules(&png, modules);
    assert_eq!(
        side as usize,
        modules * 8,
        "eight pixels per module by default"
    );
    assert!(grid == expected, "the PNG encodes {url}");
    let png = bytes_of(
        app.bearer(token)
            .get_raw(&format!("{base}/qr.png?scale=3"))
            .await,
        "image/png",
    )
    .await;
    let (side, grid) = png_modules(&png, modules);
    assert_eq!(side as usize, modules * 3);
    assert!(grid == expected);
    let svg = bytes_of(
        app.bearer(token).get_raw(&format!("{base}/qr.svg")).await,
        "image/svg+xml",
    )
    .await;
    let svg = String::from_utf8(svg).unwrap();
    assert!(
        svg_modules(&svg, modules) == expected,
        "the SVG encodes {url}"
    );
    for bad in ["0", "41", "x"] {
        let res = app
            .bearer(token)
            .get_raw(&format!("{base}/qr.png?scale={bad}"))
            .await;
        assert_eq!(res.status(), 422, "scale={bad}");
    }
}

// ---- Links and QR codes -------------------------------------------------------------------

mod links {
    use super::*;

    async fn run(app: TestApp) {
        let owner = app.owner("boss@example.com").await;
        let shop = owner.merchant_id;
        let token = owner.access_token.clone();
        // The shop has its default address from sign-up on.
        let link = app
            .bearer(&token)
            .get::<Value>("/api/v1/recruitment/link")
            .await;
        assert_eq!(
            link["url"],
            format!("https://shop.example.com/shop/shop-{shop}/join")
        );
        // A merchant row without an address (written around sign-up and the migration that
        // gives every merchant one) has no link rather than one that leads nowhere.
        {
            use fenxiao::db::schema::merchants as m;
            diesel::update(m::table.find(shop))
                .set(m::slug.eq(None::<String>))
                .execute(&mut *app.conn())
                .unwrap();
        }
        let res = app.bearer(&token).get_raw("/api/v1/recruitment/link").await;
        assert_eq!(res.status(), 409, "no shop address");
        assert_eq!(problem(res).await["code"], "shop_address_required");
        let res = app
            .bearer(&token)
            .get_raw("/api/v1/recruitment/qr.png")
            .await;
        assert_eq!(problem(res).await["code"], "shop_address_required");

        set_slug(&app, &owner, "tea-garden").await;
        let link = app
            .bearer(&token)
            .get::<Value>("/api/v1/recruitment/link")
            .await;
        let url = "https://shop.example.com/shop/tea-garden/join";
        assert_eq!(
            link,
            json!({ "url": url, "code": null, "shop_slug": "tea-garden" }),
            "on the configured public address"
        );
        qr_codes_encode(&app, &token, "/api/v1/recruitment", url).await;

        // A member's own link needs a distributor profile, an active one.
        let member = register(&app, shop.get(), "13800000001", None).await;
        let res = app
            .bearer(&member.token)
            .get_raw(&member.me("/recruitment/link"))
            .await;
        assert_eq!(res.status(), 404);
        let res = app
            .bearer(&member.token)
            .get_raw(&member.me("/recruitment/qr.svg"))
            .await;
        assert_eq!(res.status(), 404);
        let d = grant(&app, &owner, member.id, None).await;
        let code = d["code"].as_str().unwrap();
        let mine = app
            .bearer(&member.token)
            .get::<Value>(&member.me("/recruitment/link"))
            .await;
        let url = format!("https://shop.example.com/shop/tea-garden/join?ref={code}");
        assert_eq!(mine["url"], url);
        assert_eq!(mine["code"], code);
        qr_codes_encode(&app, &member.token, &member.me("/recruitment"), &url).await;

        // Wrong kinds of account.
        let res = app
            .bearer(&token)
            .get_raw(&member.me("/recruitment/link"))
            .await;
        assert_eq!(res.status(), 403);
        let res = app
            .bearer(&member.token)
            .get_raw("/api/v1/recruitment/link")
            .await;
        assert_eq!(res.status(), 403);

        app.bearer(&token)
            .post::<Value>(
                &format!("/api/v1/distributors/{}/freeze", d["id"]),
                &json!({ "reason": "核查" }),
            )
            .await;
        let res = app
            .bearer(&member.token)
            .get_raw(&member.me("/recruitment/qr.png"))
            .await;
        assert_problem(res, 409, "distributor_not_active").await;
    }

    #[actix_web::test]
    async fn sqlite() {
        run(TestApp::spawn_with(TestBackend::Sqlite, |c| {
            c.public_url = Some("https://shop.example.com/".into());
        })
        .await)
        .await;
    }

    #[actix_web::test]
    async fn postgres() {
        if crate::harness::postgres_admin_url().is_some() {
            run(TestApp::spawn_with(TestBackend::Postgres, |c| {
                c.public_url = Some("https://shop.example.com/".into());
            })
            .await)
            .await;
        }
    }
}

db_test!(
    the_link_falls_back_to_the_bind_address,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        set_slug(&app, &owner, "tea-garden").await;
        let link = app
            .bearer(&owner)
            .get::<Value>("/api/v1/recruitment/link")
            .await;
        assert_eq!(link["url"], "http://127.0.0.1:8080/shop/tea-garden/join");
    }
);

// ---- The form -----------------------------------------------------------------------------

fn good_form() -> Value {
    json!([
        { "key": "name", "label_zh": "姓名", "label_en": "Name", "type": "text", "required": true },
        { "key": "mobile", "label_zh": "手机号", "label_en": "Mobile", "type": "phone" },
        { "key": "channel", "label_zh": "推广渠道", "label_en": "Channel", "type": "select",
          "required": true, "options": ["微信", "抖音", "小红书"] },
        { "key": "about", "label_zh": "自我介绍", "label_en": "About you", "type": "textarea" },
    ])
}

db_test!(the_form_is_checked_strictly, |app: TestApp| async move {
    let owner = app.owner("boss@example.com").await;
    let shop = app.slug(owner.merchant_id);
    let path = "/api/v1/recruitment/application-form";
    let empty = app.bearer(&owner).get::<Value>(path).await;
    assert_eq!(empty, json!({ "fields": [], "updated_at": null }));
    let public = app
        .anonymous()
        .get::<Value>(&format!(
            "/api/v1/shops/{shop}/distributor-application-form"
        ))
        .await;
    assert_eq!(public["entry_mode"], "application");
    assert_eq!(public["application_review"], "manual");
    assert_eq!(public["fields"], json!([]));

    let saved = expect_success::<Value>(save_form(&app, &owner, good_form()).await).await;
    assert_eq!(
        saved["fields"],
        good_form()
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let mut f = f.clone();
                f["required"] = f.get("required").cloned().unwrap_or(json!(false));
                f["options"] = f.get("options").cloned().unwrap_or(json!([]));
                f
            })
            .collect::<Value>()
    );
    assert!(saved["updated_at"].is_string());

    let cases = [
        (
            json!([{ "key": "Name", "label_zh": "姓名", "label_en": "Name", "type": "text" }]),
            vec![("fields[0].key", "invalid_key")],
        ),
        (
            json!([{ "key": "a", "label_zh": "", "label_en": "A", "type": "text" },
                { "key": "a", "label_zh": "乙", "label_en": "B", "type": "text" }]),
            vec![
                ("fields[0].label_zh", "length"),
                ("fields[1].key", "duplicate_key"),
            ],
        ),
        (
            json!([{ "key": "s", "label_zh": "选", "label_en": "S", "type": "select" }]),
            vec![("fields[0].options", "options_required")],
        ),
        (
            json!([{ "key": "t", "label_zh": "文", "label_en": "T", "type": "text", "options": ["x"] }]),
            vec![("fields[0].options", "options_not_allowed")],
        ),
        (
            json!([{ "key": "s", "label_zh": "选", "label_en": "S", "type": "select", "options": ["x", "x"] }]),
            vec![("fields[0].options[1]", "duplicate_option")],
        ),
    ];
    for (fields, expected) in cases {
        let res = save_form(&app, &owner, fields.clone()).await;
        assert_eq!(res.status(), 422, "{fields}");
        let got = field_errors(res).await;
        let expected: Vec<(String, String)> = expected
            .into_iter()
            .map(|(f, c)| (f.to_owned(), c.to_owned()))
            .collect();
        assert_eq!(got, expected, "{fields}");
    }
    let many: Vec<Value> = (0..21)
        .map(|i| json!({ "key": format!("k{i}"), "label_zh": "字段", "label_en": "F", "type": "text" }))
        .collect();
    let res = save_form(&app, &owner, Value::Array(many)).await;
    assert_eq!(
        field_errors(res).await,
        vec![("fields".to_owned(), "too_many_fields".to_owned())]
    );
    // Unknown type, unknown property, wrong shape: refused by the parser, naming the field.
    for fields in [
        json!([{ "key": "d", "label_zh": "日", "label_en": "D", "type": "date" }]),
        json!([{ "key": "d", "label_zh": "日", "label_en": "D", "type": "text", "hint": "x" }]),
        json!({ "key": "d" }),
    ] {
        let res = save_form(&app, &owner, fields.clone()).await;
        assert_eq!(res.status(), 422, "{fields}");
    }
    let res = app
        .bearer(&owner)
        .send_bytes_raw(
            reqwest::Method::PUT,
            path,
            "application/json",
            "{\"fields\": [",
        )
        .await;
    assert_eq!(res.status(), 400);

    // Nothing of the refused ones was saved.
    let now = app.bearer(&owner).get::<Value>(path).await;
    assert_eq!(now["fields"].as_array().unwrap().len(), 4);
    assert_eq!(app.audit_changes_all("recruitment_form.updated").len(), 1);
    let public = app
        .anonymous()
        .get::<Value>(&format!(
            "/api/v1/shops/{shop}/distributor-application-form"
        ))
        .await;
    assert_eq!(public["fields"][2]["options"][1], "抖音");
    let res = app
        .anonymous()
        .get_raw("/api/v1/shops/no-such-shop/distributor-application-form")
        .await;
    assert_eq!(res.status(), 404);
});

// ---- Entry modes --------------------------------------------------------------------------

db_test!(each_entry_mode, |app: TestApp| async move {
    let owner = app.owner("boss@example.com").await;
    let shop = owner.merchant_id;
    set_slug(&app, &owner, "tea-garden").await;
    let entry_tier = app
        .bearer(&owner)
        .post::<Value>(
            "/api/v1/distribution/tiers",
            &json!({ "name": "铜牌", "commission_kind": "percent", "level1": "10", "level2": "5" }),
        )
        .await["id"]
        .clone();

    // Default: application with manual review — pending, staff told.
    let manual = register(&app, shop.get(), "manual@example.com", None).await;
    let res = apply(&app, &manual, json!({})).await;
    let body: Value = expect_json(res, 201).await;
    assert_eq!(body["status"], "pending");
    assert!(body["distributor_code"].is_null());
    let manual_id = body["id"].as_i64().unwrap();
    let res = app
        .bearer(&manual.token)
        .get_raw(&manual.me("/distributor"))
        .await;
    assert_eq!(res.status(), 404, "not a distributor while pending");
    let distributors_before = app.count("distributors");
    let res = join_as_distributor(&app, &manual).await;
    assert_problem(res, 409, "entry_mode_not_everyone").await;
    assert_eq!(app.count("distributors"), distributors_before);
    let notices: Vec<(String, Option<String>)> = notifications::table
        .select((notifications::kind, notifications::target_id))
        .load(&mut *app.conn())
        .unwrap();
    assert_eq!(
        notices,
        vec![(
            "distributor_application".to_owned(),
            Some(body["id"].to_string())
        )],
        "the owner is told"
    );
    let inbox = app
        .bearer(&owner)
        .get::<Value>("/api/v1/notifications")
        .await;
    assert_eq!(inbox["items"][0]["title"], "新的分销商申请");
    assert!(welcome_messages(&app, "manual@example.com").is_empty());

    // Application with automatic review: a distributor at once, in the entry tier, welcomed.
    settings(
        &app,
        &owner,
        "application",
        json!({ "application_review": "auto" }),
    )
    .await;
    let auto = register(&app, shop.get(), "auto@example.com", None).await;
    let body = expect_success::<Value>(apply(&app, &auto, json!({})).await).await;
    assert_eq!(body["status"], "approved");
    let code = body["distributor_code"].as_str().unwrap().to_owned();
    let me = app
        .bearer(&auto.token)
        .get::<Value>(&auto.me("/distributor"))
        .await;
    assert_eq!(me["code"], code);
    assert_eq!(me["tier_id"], entry_tier);
    assert_eq!(me["status"], "active");
    let staff_view = app
        .bearer(&owner)
        .get::<Value>(&format!("/api/v1/distributor-applications/{}", body["id"]))
        .await;
    assert_eq!(staff_view["review"], "auto");
    assert_eq!(staff_view["decided_by_kind"], "system");
    assert_eq!(staff_view["distributor"]["code"], code);
    let welcome = welcome_messages(&app, "auto@example.com");
    assert_eq!(welcome.len(), 1);
    assert_eq!(welcome[0].0, "email");
    assert!(welcome[0].1.contains("好物优选"));
    assert!(welcome[0].2.contains(&code));
    assert!(welcome[0].2.contains(&format!(
        "http://127.0.0.1:8080/shop/tea-garden/join?ref={code}"
    )));
    assert!(welcome[0].2.contains("三步开始") && welcome[0].2.contains("Three steps to start"));

    // Everyone: a distributor on registering, without applying; a phone-only member is welcomed
    // by SMS. Applying then is refused like for any distributor.
    settings(&app, &owner, "everyone", json!({})).await;
    let everyone = register(&app, shop.get(), "13900000002", None).await;
    let me = my_distributor(&app, &everyone).await.unwrap();
    assert_eq!(me["status"], "active");
    assert_eq!(me["tier_id"], entry_tier);
    let sms = welcome_messages(&app, "13900000002");
    assert_eq!(sms.len(), 1);
    assert_eq!(sms[0].0, "sms");
    assert!(sms[0].2.contains(me["code"].as_str().unwrap()));
    let before = app.count("distributor_applications");
    let res = apply(&app, &everyone, json!({})).await;
    assert_problem(res, 409, "already_distributor").await;
    assert_eq!(app.count("distributor_applications"), before);

    // Spend threshold: nobody has paid spend yet, so nobody qualifies; nothing is stored.
    settings(
        &app,
        &owner,
        "spend_threshold",
        json!({ "spend_threshold": "199.00" }),
    )
    .await;
    let public = app
        .anonymous()
        .get::<Value>("/api/v1/shops/tea-garden/distributor-application-form")
        .await;
    assert_eq!(public["spend_threshold"], "199.00");
    let spender = register(&app, shop.get(), "13900000003", None).await;
    let before = app.count("distributor_applications");
    let res = apply(&app, &spender, json!({})).await;
    assert_eq!(res.status(), 409);
    let p = problem(res).await;
    assert_eq!(p["code"], "spend_threshold_not_met");
    assert!(p["detail"].as_str().unwrap().contains("199.00"));
    assert_eq!(app.count("distributor_applications"), before);
    let mut conn = app.conn();
    let s = fenxiao::distribution::settings::load(&mut conn, shop).unwrap();
    let e = fenxiao::recruitment::eligibility::check(
        &mut conn,
        &s,
        shop,
        MemberId(spender.id),
        fenxiao::clock::now(),
    )
    .unwrap();
    assert!(!e.eligible);
    assert_eq!(e.spent.fen(), 0);
    assert_eq!(e.threshold.unwrap().fen(), 19_900);
    drop(conn);

    // The pending application waits whatever the mode is now; staff approve it.
    let approved = app
        .bearer(&owner)
        .post::<Value>(
            &format!("/api/v1/distributor-applications/{manual_id}/approve"),
            &json!({}),
        )
        .await;
    assert_eq!(approved["status"], "approved");
    assert_eq!(approved["decided_by_kind"], "staff");
    assert_eq!(approved["decided_by"], owner.account_id);
    assert_eq!(welcome_messages(&app, "manual@example.com").len(), 1);
    assert_eq!(app.count("distributors"), 3);
});

// ---- Everyone (人人分销) ---------------------------------------------------------------------

db_test!(
    everyone_mode_makes_every_member_a_distributor,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let shop = owner.merchant_id;
        let s_member = register(&app, shop.get(), "13800000001", None).await;
        let recruiter = grant(&app, &owner, s_member.id, None).await;
        let recruiter_id = recruiter["id"].as_i64().unwrap();
        let recruiter_code = recruiter["code"].as_str().unwrap().to_owned();
        let d_member = register(&app, shop.get(), "13800000002", None).await;
        let default_id = grant(&app, &owner, d_member.id, None).await["id"]
            .as_i64()
            .unwrap();
        let default_sponsor = json!({ "default_sponsor_id": default_id });
        settings(&app, &owner, "application", default_sponsor.clone()).await;

        // Application mode: registering (with or without a link) makes nobody a distributor.
        let early = register(&app, shop.get(), "13800000003", None).await;
        let early_bound = register(&app, shop.get(), "13800000004", Some(&recruiter_code)).await;
        let waiting = register(&app, shop.get(), "13800000005", None).await;
        let pending = expect_success::<Value>(apply(&app, &waiting, json!({})).await).await;
        assert_eq!(pending["status"], "pending");
        for m in [&early, &early_bound, &waiting] {
            assert!(my_distributor(&app, m).await.is_none());
        }
        assert_eq!(app.count("distributors"), 2);

        // Everyone: registering through a recruiter's link makes a distributor under them,
        // recorded as their recruit; without a link, under the default sponsor, nobody's recruit.
        settings(&app, &owner, "everyone", default_sponsor.clone()).await;
        let linked = register(
            &app,
            shop.get(),
            "linked@example.com",
            Some(&recruiter_code),
        )
        .await;
        let me = my_distributor(&app, &linked).await.unwrap();
        assert_eq!(me["sponsor"]["code"], recruiter_code.as_str());
        assert_eq!(
            placement(&app, linked.id),
            (Some(recruiter_id), Some(recruiter_id))
        );
        let welcome = welcome_messages(&app, "linked@example.com");
        assert_eq!(welcome.len(), 1);
        assert!(welcome[0].2.contains(me["code"].as_str().unwrap()));
        let plain = register(&app, shop.get(), "13800000006", None).await;
        assert!(my_distributor(&app, &plain).await.is_some());
        assert_eq!(placement(&app, plain.id), (Some(default_id), None));
        let enrolled = app.audit_changes_all("distributor.enrolled");
        assert_eq!(enrolled.len(), 2);
        assert_eq!(enrolled[0]["sponsor_id"]["after"], recruiter_id);
        assert!(enrolled[1]["sponsor_id"]["after"].is_null());

        // Members from before the switch: reading their profile writes nothing (404); asking to
        // join makes them distributors, placed as an application would be (the binding's
        // distributor, else the default sponsor); a pending application is approved by the
        // rules then.
        let count = app.count("distributors");
        assert!(my_distributor(&app, &early).await.is_none());
        assert_eq!(app.count("distributors"), count, "a GET never enrols");
        let early_profile = expect_success::<Value>(join_as_distributor(&app, &early).await).await;
        assert_eq!(
            my_distributor(&app, &early).await.unwrap()["id"],
            early_profile["id"]
        );
        assert_eq!(early_profile["status"], "active");
        assert_eq!(placement(&app, early.id), (Some(default_id), None));
        expect_success::<Value>(join_as_distributor(&app, &early_bound).await).await;
        assert_eq!(
            placement(&app, early_bound.id),
            (Some(recruiter_id), Some(recruiter_id))
        );
        let me = expect_success::<Value>(join_as_distributor(&app, &waiting).await).await;
        let decided = app
            .bearer(&owner)
            .get::<Value>(&format!(
                "/api/v1/distributor-applications/{}",
                pending["id"]
            ))
            .await;
        assert_eq!(decided["status"], "approved");
        assert_eq!(decided["decided_by_kind"], "system");
        assert_eq!(decided["distributor"]["code"], me["code"]);
        // Asking again changes nothing.
        let count = app.count("distributors");
        let again = expect_success::<Value>(join_as_distributor(&app, &early).await).await;
        assert_eq!(again["id"], early_profile["id"]);
        assert_eq!(app.count("distributors"), count);
        assert_eq!(welcome_messages(&app, "13800000003").len(), 1);
        assert_eq!(count, 7);

        // A frozen recruiter's link: the member still becomes a distributor, under the default
        // sponsor (the link neither binds nor recruits).
        app.bearer(&owner)
            .post::<Value>(
                &format!("/api/v1/distributors/{recruiter_id}/freeze"),
                &json!({ "reason": "核查" }),
            )
            .await;
        let late = register(&app, shop.get(), "13800000008", Some(&recruiter_code)).await;
        assert!(my_distributor(&app, &late).await.is_some());
        assert_eq!(placement(&app, late.id), (Some(default_id), None));

        // A member whose distribution ended is not made a distributor again.
        let ended_id = my_distributor(&app, &plain).await.unwrap()["id"].clone();
        app.bearer(&owner)
            .post::<Value>(
                &format!("/api/v1/distributors/{ended_id}/end"),
                &json!({ "reason": "违规" }),
            )
            .await;
        let me = my_distributor(&app, &plain).await.unwrap();
        assert_eq!(me["status"], "ended");
        assert_eq!(me["id"], ended_id);

        // Back to application mode: registering makes no distributor any more.
        settings(&app, &owner, "application", default_sponsor).await;
        let after = register(&app, shop.get(), "13800000009", None).await;
        assert!(my_distributor(&app, &after).await.is_none());
        let stored: i64 = distributor_applications::table
            .count()
            .get_result(&mut *app.conn())
            .unwrap();
        assert_eq!(stored, 1, "nobody had to apply");
    }
);

// ---- Answers ------------------------------------------------------------------------------

db_test!(answers_must_fit_the_form, |app: TestApp| async move {
    let owner = app.owner("boss@example.com").await;
    let shop = owner.merchant_id;
    expect_success::<Value>(save_form(&app, &owner, good_form()).await).await;
    let member = register(&app, shop.get(), "13800000001", None).await;
    let cases = [
        (
            json!({ "channel": "微信" }),
            vec![("answers.name", "required")],
        ),
        (
            json!({ "name": "   ", "channel": "微信" }),
            vec![("answers.name", "required")],
        ),
        (
            json!({ "name": "王丽", "channel": "快手" }),
            vec![("answers.channel", "invalid_option")],
        ),
        (
            json!({ "name": "王".repeat(201), "channel": "微信" }),
            vec![("answers.name", "too_long")],
        ),
        (
            json!({ "name": "王丽", "channel": "微信", "about": "长".repeat(2001) }),
            vec![("answers.about", "too_long")],
        ),
        (
            json!({ "name": "王丽", "channel": "微信", "mobile": "12345" }),
            vec![("answers.mobile", "phone")],
        ),
        (
            json!({ "name": "王丽", "channel": "微信", "age": "30" }),
            vec![("answers.age", "unknown_field")],
        ),
        (
            json!({ "name": 42, "channel": "微信" }),
            vec![("answers.name", "invalid_type")],
        ),
    ];
    for (answers, expected) in cases {
        let res = apply(&app, &member, json!({ "answers": answers })).await;
        assert_eq!(res.status(), 422, "{answers}");
        let expected: Vec<(String, String)> = expected
            .into_iter()
            .map(|(f, c)| (f.to_owned(), c.to_owned()))
            .collect();
        assert_eq!(field_errors(res).await, expected, "{answers}");
    }
    let res = apply(&app, &member, json!({ "answers": {}, "extra": 1 })).await;
    assert_eq!(res.status(), 422);
    let res = app
        .bearer(&member.token)
        .post_bytes_raw(
            &member.me("/distributor-application"),
            "application/json",
            "{\"answers\":",
        )
        .await;
    assert_eq!(res.status(), 400);
    assert_eq!(app.count("distributor_applications"), 0, "nothing stored");
    assert_eq!(app.count("notifications"), 0);

    let body = expect_success::<Value>(apply(
        &app,
        &member,
        json!({ "answers": { "name": " 王丽 ", "channel": "抖音", "mobile": "139-0000 0001", "about": "" } }),
    )
    .await).await;
    assert_eq!(
        body["answers"],
        json!([
            { "key": "name", "label_zh": "姓名", "label_en": "Name", "type": "text", "value": "王丽" },
            { "key": "mobile", "label_zh": "手机号", "label_en": "Mobile", "type": "phone", "value": "13900000001" },
            { "key": "channel", "label_zh": "推广渠道", "label_en": "Channel", "type": "select", "value": "抖音" },
        ])
    );
    // Later form changes rewrite no answers.
    expect_success::<Value>(save_form(&app, &owner, json!([])).await).await;
    let mine = app
        .bearer(&member.token)
        .get::<Value>(&member.me("/distributor-application"))
        .await;
    assert_eq!(mine["answers"][0]["label_zh"], "姓名");
});

// ---- Sponsors -----------------------------------------------------------------------------

db_test!(sponsor_codes, |app: TestApp| async move {
    let owner = app.owner("boss@example.com").await;
    let shop = owner.merchant_id;
    app.bearer(&owner)
        .post::<Value>(
            "/api/v1/distribution/tiers",
            &json!({ "name": "铜牌", "commission_kind": "percent", "level1": "10", "level2": "5" }),
        )
        .await;
    let silver = app
        .bearer(&owner)
        .post::<Value>(
            "/api/v1/distribution/tiers",
            &json!({ "name": "银牌", "commission_kind": "percent", "level1": "12", "level2": "6",
                "promotion": { "direct_recruits": 1 } }),
        )
        .await["id"]
        .clone();
    let s_member = register(&app, shop.get(), "13800000001", None).await;
    let sponsor = grant(&app, &owner, s_member.id, None).await;
    let sponsor_code = sponsor["code"].as_str().unwrap().to_owned();
    let frozen_member = register(&app, shop.get(), "13800000002", None).await;
    let frozen = grant(&app, &owner, frozen_member.id, None).await;
    app.bearer(&owner)
        .post::<Value>(
            &format!("/api/v1/distributors/{}/freeze", frozen["id"]),
            &json!({ "reason": "核查" }),
        )
        .await;
    let other = app.owner("other@example.com").await;
    let stranger = register(&app, other.merchant_id.get(), "13800000009", None).await;
    let foreign = grant(&app, &other, stranger.id, None).await;

    let applicant = register(&app, shop.get(), "13800000003", None).await;
    for (code, status, problem_code) in [
        ("NOSUCH22".to_owned(), 422, "unknown_distributor_code"),
        (
            foreign["code"].as_str().unwrap().to_owned(),
            422,
            "unknown_distributor_code",
        ),
        (
            frozen["code"].as_str().unwrap().to_owned(),
            409,
            "sponsor_not_active",
        ),
    ] {
        let res = apply(&app, &applicant, json!({ "sponsor_code": code })).await;
        assert_eq!(res.status(), status, "{code}");
        if status == 422 {
            assert_eq!(
                field_errors(res).await,
                vec![("sponsor_code".to_owned(), problem_code.to_owned())]
            );
        } else {
            assert_problem(res, status, problem_code).await;
        }
    }
    assert_eq!(app.count("distributor_applications"), 0);

    // The code of the link, typed in lower case, names the recruiter.
    let body = expect_success::<Value>(
        apply(
            &app,
            &applicant,
            json!({ "sponsor_code": format!(" {} ", sponsor_code.to_lowercase()) }),
        )
        .await,
    )
    .await;
    let id = body["id"].as_i64().unwrap();
    let view = app
        .bearer(&owner)
        .get::<Value>(&format!("/api/v1/distributor-applications/{id}"))
        .await;
    assert_eq!(view["sponsor"]["id"], sponsor["id"]);
    assert_eq!(view["sponsor"]["code"], sponsor_code);
    assert_eq!(view["sponsor_source"], "code");
    let approved = app
        .bearer(&owner)
        .post::<Value>(
            &format!("/api/v1/distributor-applications/{id}/approve"),
            &json!({}),
        )
        .await;
    let new_id = approved["distributor"]["id"].as_i64().unwrap();
    let detail = app
        .bearer(&owner)
        .get::<Value>(&format!("/api/v1/distributors/{new_id}"))
        .await;
    assert_eq!(detail["parent_id"], sponsor["id"]);
    // The recruit earned the sponsor a promotion, recorded with its trigger.
    let s = app
        .bearer(&owner)
        .get::<Value>(&format!("/api/v1/distributors/{}", sponsor["id"]))
        .await;
    assert_eq!(s["tier_id"], silver);
    assert_eq!(s["figures"]["direct_recruits"], 1);
    let detail: String = distributor_tier_changes::table
        .filter(distributor_tier_changes::cause.eq("promotion"))
        .select(distributor_tier_changes::detail)
        .first(&mut *app.conn())
        .unwrap();
    assert!(detail.contains("recruit_approved"));

    // Without a code, the distributor the member is bound to recruits them.
    let bound = register(&app, shop.get(), "13800000004", Some(&sponsor_code)).await;
    let body = expect_success::<Value>(apply(&app, &bound, json!({})).await).await;
    let view = app
        .bearer(&owner)
        .get::<Value>(&format!("/api/v1/distributor-applications/{}", body["id"]))
        .await;
    assert_eq!(view["sponsor"]["id"], sponsor["id"]);
    assert_eq!(view["sponsor_source"], "binding");
    assert!(view["sponsor_code"].is_null());

    // A recruiter frozen while the application waited: approval falls back to the default
    // sponsor, and says so.
    let d_member = register(&app, shop.get(), "13800000005", None).await;
    let default_sponsor = grant(&app, &owner, d_member.id, None).await;
    settings(
        &app,
        &owner,
        "application",
        json!({ "default_sponsor_id": default_sponsor["id"] }),
    )
    .await;
    app.bearer(&owner)
        .post::<Value>(
            &format!("/api/v1/distributors/{}/freeze", sponsor["id"]),
            &json!({ "reason": "核查" }),
        )
        .await;
    let approved = app
        .bearer(&owner)
        .post::<Value>(
            &format!("/api/v1/distributor-applications/{}/approve", body["id"]),
            &json!({}),
        )
        .await;
    let detail = app
        .bearer(&owner)
        .get::<Value>(&format!(
            "/api/v1/distributors/{}",
            approved["distributor"]["id"]
        ))
        .await;
    assert_eq!(detail["parent_id"], default_sponsor["id"]);
    let audits = app.audit_changes_all("distributor_application.approved");
    assert_eq!(audits.last().unwrap()["sponsor_fallback"]["after"], true);
    assert_eq!(audits[0]["sponsor_fallback"]["after"], false);

    // No code, no binding: the tree's rule (the default sponsor) applies.
    let plain = register(&app, shop.get(), "13800000006", None).await;
    let body = expect_success::<Value>(apply(&app, &plain, json!({})).await).await;
    let approved = app
        .bearer(&owner)
        .post::<Value>(
            &format!("/api/v1/distributor-applications/{}/approve", body["id"]),
            &json!({}),
        )
        .await;
    assert!(approved["sponsor"].is_null());
    let detail = app
        .bearer(&owner)
        .get::<Value>(&format!(
            "/api/v1/distributors/{}",
            approved["distributor"]["id"]
        ))
        .await;
    assert_eq!(detail["parent_id"], default_sponsor["id"]);
});

// ---- One open application, decisions ------------------------------------------------------

db_test!(
    one_open_application_and_decisions,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let shop = owner.merchant_id;
        let member = register(&app, shop.get(), "shopper@example.com", None).await;
        let res = app
            .bearer(&member.token)
            .get_raw(&member.me("/distributor-application"))
            .await;
        assert_eq!(res.status(), 404, "never applied");
        let first = expect_success::<Value>(apply(&app, &member, json!({})).await).await;
        let res = apply(&app, &member, json!({})).await;
        assert_problem(res, 409, "application_pending").await;
        let path =
            |id: &Value, action: &str| format!("/api/v1/distributor-applications/{id}/{action}");

        for body in [
            json!({}),
            json!({ "reason": "   " }),
            json!({ "reason": "x".repeat(501) }),
        ] {
            let res = app
                .bearer(&owner)
                .post_raw(&path(&first["id"], "reject"), &body)
                .await;
            assert_eq!(res.status(), 422, "{body}");
        }
        assert!(rejection_messages(&app, "shopper@example.com").is_empty());
        let rejected = app
            .bearer(&owner)
            .post::<Value>(
                &path(&first["id"], "reject"),
                &json!({ "reason": " 请补充推广渠道 " }),
            )
            .await;
        assert_eq!(rejected["status"], "rejected");
        assert_eq!(rejected["reject_reason"], "请补充推广渠道");
        let mine = app
            .bearer(&member.token)
            .get::<Value>(&member.me("/distributor-application"))
            .await;
        assert_eq!(mine["status"], "rejected");
        assert_eq!(mine["reject_reason"], "请补充推广渠道");
        // The applicant is told, with the reason, by email.
        let told = rejection_messages(&app, "shopper@example.com");
        assert_eq!(told.len(), 1);
        assert_eq!(told[0].0, "email");
        assert!(told[0].1.contains("未通过"), "{}", told[0].1);
        assert!(told[0].2.contains("原因：请补充推广渠道"), "{}", told[0].2);
        assert!(
            told[0].2.contains("Reason: 请补充推广渠道"),
            "{}",
            told[0].2
        );
        for action in ["approve", "reject"] {
            let res = app
                .bearer(&owner)
                .post_raw(&path(&first["id"], action), &json!({ "reason": "再次" }))
                .await;
            assert_eq!(res.status(), 409, "{action} a rejected application");
            assert_eq!(problem(res).await["code"], "invalid_transition");
        }

        // After a rejection the member may apply again.
        let second = expect_success::<Value>(apply(&app, &member, json!({})).await).await;
        assert_eq!(second["status"], "pending");
        app.bearer(&owner)
            .post::<Value>(&path(&second["id"], "approve"), &json!({}))
            .await;
        let mine = app
            .bearer(&member.token)
            .get::<Value>(&member.me("/distributor-application"))
            .await;
        assert_eq!(mine["status"], "approved");
        assert_eq!(mine["distributor_code"].as_str().unwrap().len(), 8);
        let res = apply(&app, &member, json!({})).await;
        assert_problem(res, 409, "already_distributor").await;
        for action in ["approve", "reject"] {
            let res = app
                .bearer(&owner)
                .post_raw(&path(&second["id"], action), &json!({ "reason": "再次" }))
                .await;
            assert_eq!(res.status(), 409);
        }

        // Granted by staff while an application waits: approving it is refused, rejecting works.
        let other = register(&app, shop.get(), "13800000007", None).await;
        let waiting = expect_success::<Value>(apply(&app, &other, json!({})).await).await;
        grant(&app, &owner, other.id, None).await;
        let res = app
            .bearer(&owner)
            .post_raw(&path(&waiting["id"], "approve"), &json!({}))
            .await;
        assert_problem(res, 409, "already_distributor").await;
        app.bearer(&owner)
            .post::<Value>(
                &path(&waiting["id"], "reject"),
                &json!({ "reason": "已由员工开通" }),
            )
            .await;
        // Refused decisions told nobody anything; a phone-only applicant is told by SMS.
        assert_eq!(rejection_messages(&app, "shopper@example.com").len(), 1);
        let sms = rejection_messages(&app, "13800000007");
        assert_eq!(sms.len(), 1);
        assert_eq!(sms[0].0, "sms");
        assert!(sms[0].2.contains("已由员工开通"));

        assert_eq!(
            app.audit_changes_all("distributor_application.submitted")
                .len(),
            3
        );
        assert_eq!(
            app.audit_changes_all("distributor_application.rejected")
                .len(),
            2
        );
        assert_eq!(
            app.audit_changes_all("distributor_application.approved")
                .len(),
            1
        );
    }
);

db_test!(
    concurrent_decisions_have_one_outcome,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let shop = owner.merchant_id;
        // Several approvals of one application: one distributor.
        let member = register(&app, shop.get(), "13800000001", None).await;
        let application = expect_success::<Value>(apply(&app, &member, json!({})).await).await;
        let url = format!(
            "/api/v1/distributor-applications/{}/approve",
            application["id"]
        );
        let answers = join_all((0..6).map(|_| app.bearer(&owner).post_raw(&url, &json!({})))).await;
        let statuses: Vec<u16> = answers.iter().map(|r| r.status().as_u16()).collect();
        assert_eq!(
            statuses.iter().filter(|s| **s == 200).count(),
            1,
            "{statuses:?}"
        );
        assert!(
            statuses.iter().all(|s| *s == 200 || *s == 409),
            "{statuses:?}"
        );
        assert_eq!(app.count("distributors"), 1);
        assert_eq!(
            welcome_messages(&app, "13800000001").len(),
            1,
            "welcomed once"
        );

        // Approval racing rejection: one outcome each, and a distributor exactly when approved.
        let mut ids = Vec::new();
        for k in 0..4 {
            let m = register(&app, shop.get(), &format!("1380000010{k}"), None).await;
            ids.push(
                expect_success::<Value>(apply(&app, &m, json!({})).await).await["id"]
                    .as_i64()
                    .unwrap(),
            );
        }
        let (app_ref, token) = (&app, owner.access_token.as_str());
        let races = ids.iter().map(|id| async move {
            let approve_url = format!("/api/v1/distributor-applications/{id}/approve");
            let reject_url = format!("/api/v1/distributor-applications/{id}/reject");
            let approve = app_ref.bearer(token).post_raw(&approve_url, &json!({}));
            let reject = app_ref
                .bearer(token)
                .post_raw(&reject_url, &json!({ "reason": "名额已满" }));
            let (a, r) = futures_util::future::join(approve, reject).await;
            (*id, a.status().as_u16(), r.status().as_u16())
        });
        for (id, a, r) in join_all(races).await {
            assert!(
                (a == 200 && r == 409) || (a == 409 && r == 200),
                "application {id}: approve {a}, reject {r}"
            );
            let view = app
                .bearer(&owner)
                .get::<Value>(&format!("/api/v1/distributor-applications/{id}"))
                .await;
            assert_eq!(
                view["status"],
                if a == 200 { "approved" } else { "rejected" }
            );
            assert_eq!(view["distributor"].is_null(), a != 200);
        }
        let approved = app
            .audit_changes_all("distributor_application.approved")
            .len() as i64;
        assert_eq!(app.count("distributors"), approved);
        // One rejection message per rejection that stood, none for the losing attempts.
        let rejected = app
            .audit_changes_all("distributor_application.rejected")
            .len();
        let told: i64 = outbox_messages::table
            .filter(outbox_messages::template.eq("distributor_rejected"))
            .count()
            .get_result(&mut *app.conn())
            .unwrap();
        assert_eq!(told as usize, rejected);

        // Two applications at once from one member: one is stored.
        let eager = register(&app, shop.get(), "13800000200", None).await;
        let answers = join_all((0..4).map(|_| apply(&app, &eager, json!({})))).await;
        let created = answers.iter().filter(|r| r.status() == 201).count();
        assert_eq!(created, 1);
        assert!(answers
            .iter()
            .all(|r| r.status() == 201 || r.status() == 409));
    }
);

// ---- The queue and isolation --------------------------------------------------------------

db_test!(
    the_queue_pages_and_other_merchants_see_nothing,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let shop = owner.merchant_id;
        let mut ids = Vec::new();
        for k in 0..5 {
            let m = register(&app, shop.get(), &format!("1380000000{k}"), None).await;
            ids.push(
                expect_success::<Value>(apply(&app, &m, json!({})).await).await["id"]
                    .as_i64()
                    .unwrap(),
            );
        }
        app.bearer(&owner)
            .post::<Value>(
                &format!("/api/v1/distributor-applications/{}/reject", ids[1]),
                &json!({ "reason": "资料不全" }),
            )
            .await;
        let page = app
            .bearer(&owner)
            .get::<Value>("/api/v1/distributor-applications?status=pending&sort=oldest&limit=2")
            .await;
        let got: Vec<i64> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_i64().unwrap())
            .collect();
        assert_eq!(got, vec![ids[0], ids[2]]);
        assert_eq!(page["items"][0]["member"]["phone"], "13800000000");
        let cursor = page["next_cursor"].as_i64().unwrap();
        let page = app
            .bearer(&owner)
            .get::<Value>(
                &format!("/api/v1/distributor-applications?status=pending&sort=oldest&limit=2&cursor={cursor}"),
            )
            .await;
        let got: Vec<i64> = page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].as_i64().unwrap())
            .collect();
        assert_eq!(got, vec![ids[3], ids[4]]);
        assert!(page["next_cursor"].is_null());
        let page = app
            .bearer(&owner)
            .get::<Value>("/api/v1/distributor-applications")
            .await;
        assert_eq!(page["items"][0]["id"], ids[4], "newest first by default");
        let page = app
            .bearer(&owner)
            .get::<Value>("/api/v1/distributor-applications?status=rejected")
            .await;
        assert_eq!(page["items"].as_array().unwrap().len(), 1);
        for bad in [
            "status=open",
            "limit=0",
            "limit=101",
            "sort=random",
            "cursor=x",
            "colour=red",
        ] {
            let res = app
                .bearer(&owner)
                .get_raw(&format!("/api/v1/distributor-applications?{bad}"))
                .await;
            assert_eq!(res.status(), 422, "{bad}");
        }

        // Another merchant: A's applications do not exist for them, and stay untouched.
        let other = app.owner("other@example.com").await;
        let theirs = app
            .bearer(&other)
            .get::<Value>("/api/v1/distributor-applications")
            .await;
        assert_eq!(theirs["items"], json!([]));
        let id = ids[0];
        for (method, path, body) in [
            (
                reqwest::Method::GET,
                format!("/api/v1/distributor-applications/{id}"),
                None,
            ),
            (
                reqwest::Method::POST,
                format!("/api/v1/distributor-applications/{id}/approve"),
                Some(json!({})),
            ),
            (
                reqwest::Method::POST,
                format!("/api/v1/distributor-applications/{id}/reject"),
                Some(json!({ "reason": "x" })),
            ),
        ] {
            let res = app
                .bearer(&other)
                .send_raw(method, &path, body.as_ref())
                .await;
            assert_eq!(res.status(), 404, "{path}");
            assert_eq!(problem(res).await["code"], "not_found");
        }
        let view = app
            .bearer(&owner)
            .get::<Value>(&format!("/api/v1/distributor-applications/{id}"))
            .await;
        assert_eq!(view["status"], "pending");
        assert_eq!(app.count("distributors"), 0);
        // A member token of one shop reads only that shop's form through its own account.
        let stranger = register(&app, other.merchant_id.get(), "13800000099", None).await;
        let res = app
            .bearer(&stranger.token)
            .get_raw(&stranger.me("/distributor-application"))
            .await;
        assert_eq!(res.status(), 404);
    }
);
