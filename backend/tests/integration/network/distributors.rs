//! The distributor API: granting distribution, the tree's reads (detail, upline, team, children,
//! list with filters, search, sorts and cursors), staff moves, freeze/unfreeze/end, manual tiers,
//! the member's own profile, and the bad paths.

use crate::harness::{assert_problem, expect_json, problem, SignedIn, TestApp};
use diesel::prelude::*;
use fenxiao::db::ids::{DistributorId, MemberId, MerchantId};
use fenxiao::db::schema::{distributor_tier_changes, distributor_tiers, members};
use serde_json::{json, Value};

fn member(app: &TestApp, merchant_id: MerchantId, phone: &str, name: &str) -> MemberId {
    let now = fenxiao::clock::now();
    diesel::insert_into(members::table)
        .values((
            members::merchant_id.eq(merchant_id),
            members::phone.eq(phone),
            members::name.eq(name),
            members::password_hash.eq(fenxiao::auth::password::hash("shopper-2026").unwrap()),
            members::status.eq("active"),
            members::created_at.eq(now),
            members::updated_at.eq(now),
        ))
        .returning(members::id)
        .get_result(&mut *app.conn())
        .unwrap()
}

fn tier(app: &TestApp, merchant_id: MerchantId, name: &str, rank: i32) -> i64 {
    let now = fenxiao::clock::now();
    diesel::insert_into(distributor_tiers::table)
        .values((
            distributor_tiers::merchant_id.eq(merchant_id),
            distributor_tiers::name.eq(name),
            distributor_tiers::rank.eq(rank),
            distributor_tiers::commission_kind.eq("percent"),
            distributor_tiers::level1_value.eq(100_000i64),
            distributor_tiers::level2_value.eq(50_000i64),
            distributor_tiers::level3_value.eq(0i64),
            distributor_tiers::created_at.eq(now),
            distributor_tiers::updated_at.eq(now),
        ))
        .returning(distributor_tiers::id)
        .get_result(&mut *app.conn())
        .unwrap()
}

async fn grant(app: &TestApp, who: &SignedIn, member_id: i64, sponsor: Option<i64>) -> Value {
    let res = app
        .bearer(who)
        .post_raw(
            "/api/v1/distributors",
            &json!({ "member_id": member_id, "sponsor_id": sponsor }),
        )
        .await;
    expect_json(res, 201).await
}

db_test!(staff_build_and_read_the_tree, |app: TestApp| async move {
    let owner = app.owner("boss@example.com").await;
    let m = owner.merchant_id;
    let entry = tier(&app, m, "铜牌", 1);
    let gold = tier(&app, m, "金牌", 2);
    let head = grant(
        &app,
        &owner,
        (member(&app, m, "13800000001", "王总")).get(),
        None,
    )
    .await;
    let head_id = head["id"].as_i64().unwrap();
    assert_eq!(head["status"], "active");
    assert_eq!(head["depth"], 0);
    assert_eq!(head["tier_id"], entry, "the entry tier");
    assert_eq!(head["tier_name"], "铜牌");
    assert_eq!(head["code"].as_str().unwrap().len(), 8);
    assert_eq!(head["member"]["phone"], "13800000001");
    assert_eq!(head["upline"], json!([]));
    assert_eq!(app.audit_count("distributor.created"), 1);

    let a = grant(
        &app,
        &owner,
        (member(&app, m, "13800000002", "李一")).get(),
        Some(head_id),
    )
    .await;
    let a_id = a["id"].as_i64().unwrap();
    let b = grant(
        &app,
        &owner,
        (member(&app, m, "13800000003", "张二")).get(),
        Some(a_id),
    )
    .await;
    let b_id = b["id"].as_i64().unwrap();
    let c = grant(
        &app,
        &owner,
        (member(&app, m, "13800000004", "赵三")).get(),
        Some(b_id),
    )
    .await;
    let c_id = c["id"].as_i64().unwrap();
    let d = grant(
        &app,
        &owner,
        (member(&app, m, "13800000005", "钱四")).get(),
        Some(c_id),
    )
    .await;
    let d_id = d["id"].as_i64().unwrap();
    assert_eq!(d["depth"], 4);
    let levels: Vec<i64> = d["upline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_i64().unwrap())
        .collect();
    assert_eq!(
        levels,
        vec![c_id, b_id, a_id],
        "three levels, sponsor first"
    );
    assert_eq!(d["upline"][0]["level"], 1);
    assert_eq!(d["upline"][0]["name"], "赵三");

    let upline = app
        .bearer(&owner)
        .get::<Value>(&format!("/api/v1/distributors/{d_id}/upline?depth=10"))
        .await;
    assert_eq!(upline.as_array().unwrap().len(), 4);
    assert_eq!(upline[3]["id"], head_id);

    // Sales flow up as team sales.
    let mut conn = app.conn();
    fenxiao::network::record_sale(
        &mut conn,
        m,
        DistributorId(d_id),
        "SO-1",
        12_850,
        fenxiao::clock::now(),
    )
    .unwrap();
    fenxiao::network::record_sale(
        &mut conn,
        m,
        DistributorId(b_id),
        "SO-2",
        1_000,
        fenxiao::clock::now(),
    )
    .unwrap();
    // The same order again counts nothing.
    assert!(!fenxiao::network::record_sale(
        &mut conn,
        m,
        DistributorId(b_id),
        "SO-2",
        1_000,
        fenxiao::clock::now()
    )
    .unwrap());
    drop(conn);
    let team = app
        .bearer(&owner)
        .get::<Value>(&format!("/api/v1/distributors/{head_id}/team"))
        .await;
    assert_eq!(
        team,
        json!({ "personal_sales": "0.00", "order_count": 0, "direct_recruits": 1,
                    "team_size": 4, "team_sales": "138.50" })
    );
    let team = app
        .bearer(&owner)
        .get::<Value>(&format!("/api/v1/distributors/{d_id}/team"))
        .await;
    assert_eq!(team["personal_sales"], "128.50");
    assert_eq!(team["order_count"], 1);

    // A wider level under the head, for children and list pages.
    let mut fan = Vec::new();
    for k in 0..5 {
        let x = grant(
            &app,
            &owner,
            (member(&app, m, &format!("1390000000{k}"), &format!("扇{k}"))).get(),
            Some(head_id),
        )
        .await;
        fan.push(x["id"].as_i64().unwrap());
    }
    let page = app
        .bearer(&owner)
        .get::<Value>(&format!("/api/v1/distributors/{head_id}/children?limit=4"))
        .await;
    let first: Vec<i64> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["id"].as_i64().unwrap())
        .collect();
    assert_eq!(first, vec![a_id, fan[0], fan[1], fan[2]]);
    let cursor = page["next_cursor"].as_str().unwrap();
    let page = app
        .bearer(&owner)
        .get::<Value>(&format!(
            "/api/v1/distributors/{head_id}/children?limit=4&cursor={cursor}"
        ))
        .await;
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    assert!(page["next_cursor"].is_null());

    // List: filters, search, sort and cursor.
    let all = app
        .bearer(&owner)
        .get::<Value>("/api/v1/distributors?limit=100")
        .await;
    assert_eq!(all["items"].as_array().unwrap().len(), 10);
    assert_eq!(all["items"][0]["id"], fan[4], "newest first");
    let roots = app
        .bearer(&owner)
        .get::<Value>("/api/v1/distributors?roots=true")
        .await;
    assert_eq!(roots["items"].as_array().unwrap().len(), 1);
    let by_phone = app
        .bearer(&owner)
        .get::<Value>("/api/v1/distributors?q=138-0000-0003")
        .await;
    assert_eq!(by_phone["items"][0]["id"], b_id);
    assert_eq!(by_phone["items"].as_array().unwrap().len(), 1);
    let code = c["code"].as_str().unwrap().to_lowercase();
    let by_code = app
        .bearer(&owner)
        .get::<Value>(&format!("/api/v1/distributors?q={code}"))
        .await;
    assert_eq!(by_code["items"][0]["id"], c_id);
    let by_name = app
        .bearer(&owner)
        .get::<Value>(&format!("/api/v1/distributors?q={}", "扇"))
        .await;
    assert_eq!(by_name["items"].as_array().unwrap().len(), 5);
    let children = app
        .bearer(&owner)
        .get::<Value>(&format!("/api/v1/distributors?parent_id={a_id}"))
        .await;
    assert_eq!(children["items"].as_array().unwrap().len(), 1);

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            Some(c) => format!("/api/v1/distributors?sort=team_size&limit=3&cursor={c}"),
            None => "/api/v1/distributors?sort=team_size&limit=3".to_owned(),
        };
        let page = app.bearer(&owner).get::<Value>(&url).await;
        for item in page["items"].as_array().unwrap() {
            seen.push((
                item["figures"]["team_size"].as_i64().unwrap(),
                item["id"].as_i64().unwrap(),
            ));
        }
        match page["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    assert_eq!(seen.len(), 10, "every distributor once");
    assert_eq!(seen[0], (9, head_id));
    assert!(
        seen.windows(2).all(|w| w[0] > w[1]),
        "descending by team size, then id"
    );

    // Manual tier: up is manual, down is a demotion; both with the reason.
    let res = app
        .bearer(&owner)
        .send_raw(
            reqwest::Method::PUT,
            &format!("/api/v1/distributors/{a_id}/tier"),
            Some(&json!({ "tier_id": gold, "reason": "业绩突出" })),
        )
        .await;
    let body: Value = expect_json(res, 200).await;
    assert_eq!(body["tier_name"], "金牌");
    let res = app
        .bearer(&owner)
        .send_raw(
            reqwest::Method::PUT,
            &format!("/api/v1/distributors/{a_id}/tier"),
            Some(&json!({ "tier_id": entry, "reason": "违规推广" })),
        )
        .await;
    assert_eq!(res.status(), 200);
    let changes: Vec<(String, String)> = distributor_tier_changes::table
        .filter(distributor_tier_changes::distributor_id.eq(DistributorId(a_id)))
        .order(distributor_tier_changes::id.asc())
        .select((
            distributor_tier_changes::cause,
            distributor_tier_changes::detail,
        ))
        .load(&mut *app.conn())
        .unwrap();
    assert_eq!(
        changes,
        vec![
            ("joined".to_owned(), String::new()),
            ("manual".to_owned(), "业绩突出".to_owned()),
            ("demotion".to_owned(), "违规推广".to_owned()),
        ]
    );
    let history = app
        .bearer(&owner)
        .get::<Value>(&format!("/api/v1/distributors/{a_id}/tier-changes"))
        .await;
    let read: Vec<(Value, Value, Value, Value)> = history
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["cause"].clone(),
                c["reason"].clone(),
                c["promotion"].clone(),
                c["to_tier_name"].clone(),
            )
        })
        .collect();
    assert_eq!(
        read,
        vec![
            (
                json!("demotion"),
                json!("违规推广"),
                Value::Null,
                json!("铜牌")
            ),
            (
                json!("manual"),
                json!("业绩突出"),
                Value::Null,
                json!("金牌")
            ),
            (json!("joined"), Value::Null, Value::Null, json!("铜牌")),
        ],
        "newest first, with the reasons staff gave"
    );
    assert!(history[1]["actor_account_id"].is_i64(), "{history}");
    let res = app
        .bearer(&owner)
        .send_raw(
            reqwest::Method::PUT,
            &format!("/api/v1/distributors/{a_id}/tier"),
            Some(&json!({ "tier_id": 987654, "reason": "x" })),
        )
        .await;
    assert_eq!(res.status(), 422);
    assert_eq!(problem(res).await["errors"][0]["code"], "unknown_tier");
});

db_test!(
    moves_refuse_cycles_and_carry_the_team,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let m = owner.merchant_id;
        let head = grant(
            &app,
            &owner,
            (member(&app, m, "13800000001", "头")).get(),
            None,
        )
        .await["id"]
            .as_i64()
            .unwrap();
        let a = grant(
            &app,
            &owner,
            (member(&app, m, "13800000002", "甲")).get(),
            Some(head),
        )
        .await["id"]
            .as_i64()
            .unwrap();
        let b = grant(
            &app,
            &owner,
            (member(&app, m, "13800000003", "乙")).get(),
            Some(a),
        )
        .await["id"]
            .as_i64()
            .unwrap();
        let c = grant(
            &app,
            &owner,
            (member(&app, m, "13800000004", "丙")).get(),
            Some(head),
        )
        .await["id"]
            .as_i64()
            .unwrap();
        fenxiao::network::record_sale(
            &mut app.conn(),
            m,
            DistributorId(b),
            "SO-1",
            5_000,
            fenxiao::clock::now(),
        )
        .unwrap();

        for (target, code) in [(a, "self_parent"), (b, "tree_cycle")] {
            let res = app
                .bearer(&owner)
                .post_raw(
                    &format!("/api/v1/distributors/{a}/move"),
                    &json!({ "parent_id": target, "reason": "调整" }),
                )
                .await;
            assert_eq!(res.status(), 422);
            assert_eq!(problem(res).await["code"], code);
        }
        let res = app
            .bearer(&owner)
            .post_raw(
                &format!("/api/v1/distributors/{a}/move"),
                &json!({ "parent_id": 987654, "reason": "调整" }),
            )
            .await;
        assert_eq!(res.status(), 422);
        assert_eq!(problem(res).await["errors"][0]["field"], "parent_id");
        let res = app
            .bearer(&owner)
            .post_raw(
                &format!("/api/v1/distributors/{a}/move"),
                &json!({ "parent_id": c }),
            )
            .await;
        assert_eq!(res.status(), 422, "a reason is required");
        assert_eq!(app.audit_count("distributor.moved"), 0);

        let moved: Value = app
            .bearer(&owner)
            .expecting(200)
            .post(
                &format!("/api/v1/distributors/{a}/move"),
                &json!({ "parent_id": c, "reason": "团队合并" }),
            )
            .await;
        assert_eq!(moved["parent_id"], c);
        assert_eq!(moved["depth"], 2);
        let c_team = app
            .bearer(&owner)
            .get::<Value>(&format!("/api/v1/distributors/{c}/team"))
            .await;
        assert_eq!(c_team["team_size"], 2);
        assert_eq!(c_team["team_sales"], "50.00");
        assert_eq!(c_team["direct_recruits"], 1);
        let b_detail = app
            .bearer(&owner)
            .get::<Value>(&format!("/api/v1/distributors/{b}"))
            .await;
        assert_eq!(b_detail["depth"], 3);
        let chain: Vec<i64> = b_detail["upline"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["id"].as_i64().unwrap())
            .collect();
        assert_eq!(chain, vec![a, c, head]);
        assert_eq!(app.audit_count("distributor.moved"), 1);

        // To the top, with its team.
        let res = app
            .bearer(&owner)
            .post_raw(
                &format!("/api/v1/distributors/{a}/move"),
                &json!({ "parent_id": null, "reason": "独立" }),
            )
            .await;
        assert_eq!(res.status(), 200);
        let head_team = app
            .bearer(&owner)
            .get::<Value>(&format!("/api/v1/distributors/{head}/team"))
            .await;
        assert_eq!(head_team["team_size"], 1);
        assert_eq!(head_team["team_sales"], "0.00");
        let b_detail = app
            .bearer(&owner)
            .get::<Value>(&format!("/api/v1/distributors/{b}"))
            .await;
        assert_eq!(b_detail["depth"], 1);
        let mut conn = app.conn();
        assert!(fenxiao::network::verify::check(&mut conn, m, 10)
            .unwrap()
            .is_empty());
    }
);

db_test!(
    freezing_and_ending_follow_the_state_table,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let m = owner.merchant_id;
        let head = grant(
            &app,
            &owner,
            (member(&app, m, "13800000001", "头")).get(),
            None,
        )
        .await["id"]
            .as_i64()
            .unwrap();
        let kid = grant(
            &app,
            &owner,
            (member(&app, m, "13800000002", "甲")).get(),
            Some(head),
        )
        .await["id"]
            .as_i64()
            .unwrap();
        let res = app
            .bearer(&owner)
            .post_raw(&format!("/api/v1/distributors/{head}/freeze"), &json!({}))
            .await;
        assert_eq!(res.status(), 422, "a reason is required");
        let res = app
            .bearer(&owner)
            .post_raw(
                &format!("/api/v1/distributors/{head}/freeze"),
                &json!({ "reason": "  " }),
            )
            .await;
        assert_eq!(res.status(), 422, "and must not be blank");
        let body: Value = app
            .bearer(&owner)
            .expecting(200)
            .post(
                &format!("/api/v1/distributors/{head}/freeze"),
                &json!({ "reason": "刷单嫌疑" }),
            )
            .await;
        assert_eq!(body["status"], "frozen");
        assert_eq!(body["status_reason"], "刷单嫌疑");
        let res = app
            .bearer(&owner)
            .post_raw(
                &format!("/api/v1/distributors/{head}/freeze"),
                &json!({ "reason": "again" }),
            )
            .await;
        assert_problem(res, 409, "invalid_transition").await;

        // A frozen distributor recruits nobody.
        let newcomer = member(&app, m, "13800000003", "乙");
        let res = app
            .bearer(&owner)
            .post_raw(
                "/api/v1/distributors",
                &json!({ "member_id": newcomer, "sponsor_id": head }),
            )
            .await;
        assert_problem(res, 409, "sponsor_not_active").await;

        let res = app
            .bearer(&owner)
            .post_raw(&format!("/api/v1/distributors/{head}/unfreeze"), &json!({}))
            .await;
        assert_eq!(res.status(), 200);
        let body: Value = app
            .bearer(&owner)
            .expecting(200)
            .post(
                &format!("/api/v1/distributors/{head}/end"),
                &json!({ "reason": "合同终止" }),
            )
            .await;
        assert_eq!(body["status"], "ended");
        // The team stays below the ended distributor.
        let kid_detail = app
            .bearer(&owner)
            .get::<Value>(&format!("/api/v1/distributors/{kid}"))
            .await;
        assert_eq!(kid_detail["parent_id"], head);
        for action in ["unfreeze", "freeze", "end"] {
            let res = app
                .bearer(&owner)
                .post_raw(
                    &format!("/api/v1/distributors/{head}/{action}"),
                    &json!({ "reason": "x" }),
                )
                .await;
            assert_eq!(res.status(), 409, "{action} after end");
        }
        let res = app
            .bearer(&owner)
            .post_raw(
                &format!("/api/v1/distributors/{kid}/move"),
                &json!({ "parent_id": null, "reason": "x" }),
            )
            .await;
        assert_eq!(res.status(), 200);
        let res = app
            .bearer(&owner)
            .post_raw(
                &format!("/api/v1/distributors/{kid}/move"),
                &json!({ "parent_id": head, "reason": "x" }),
            )
            .await;
        assert_problem(res, 409, "parent_ended").await;
        let res = app
            .bearer(&owner)
            .post_raw(
                "/api/v1/distributors",
                &json!({ "member_id": newcomer, "sponsor_id": head }),
            )
            .await;
        assert_eq!(problem(res).await["code"], "sponsor_not_active");
        // One profile per member, also after it ended.
        let head_member: MemberId = fenxiao::db::schema::distributors::table
            .find(DistributorId(head))
            .select(fenxiao::db::schema::distributors::member_id)
            .first(&mut *app.conn())
            .unwrap();
        let res = app
            .bearer(&owner)
            .post_raw("/api/v1/distributors", &json!({ "member_id": head_member }))
            .await;
        assert_problem(res, 409, "already_distributor").await;
        assert_eq!(app.audit_count("distributor.frozen"), 1);
        assert_eq!(app.audit_count("distributor.unfrozen"), 1);
        assert_eq!(app.audit_count("distributor.ended"), 1);
    }
);

db_test!(
    bad_input_and_other_tenants_change_nothing,
    |app: TestApp| async move {
        let owner = app.owner("a@example.com").await;
        let other = app.owner("b@example.com").await;
        let m = owner.merchant_id;
        let mine = member(&app, m, "13800000001", "甲");
        let head = grant(&app, &owner, mine.get(), None).await["id"]
            .as_i64()
            .unwrap();
        let theirs = member(&app, other.merchant_id, "13800000009", "外");
        let before = app.count("distributors");

        // Another tenant's member or sponsor is unknown here.
        let res = app
            .bearer(&owner)
            .post_raw("/api/v1/distributors", &json!({ "member_id": theirs }))
            .await;
        assert_eq!(res.status(), 422);
        assert_eq!(problem(res).await["errors"][0]["code"], "unknown_member");
        let res = app
            .bearer(&other)
            .post_raw(
                "/api/v1/distributors",
                &json!({ "member_id": theirs, "sponsor_id": head }),
            )
            .await;
        assert_eq!(res.status(), 422);
        assert_eq!(
            problem(res).await["errors"][0]["code"],
            "unknown_distributor"
        );
        for path in [
            format!("/api/v1/distributors/{head}"),
            format!("/api/v1/distributors/{head}/team"),
            format!("/api/v1/distributors/{head}/upline"),
            format!("/api/v1/distributors/{head}/children"),
        ] {
            let res = app
                .bearer(&other)
                .send_raw(reqwest::Method::GET, &path, None)
                .await;
            assert_eq!(res.status(), 404, "{path}");
        }
        let res = app
            .bearer(&other)
            .post_raw(
                &format!("/api/v1/distributors/{head}/freeze"),
                &json!({ "reason": "x" }),
            )
            .await;
        assert_eq!(res.status(), 404);

        // Malformed and ill-shaped input.
        let res = app
            .bearer(&owner)
            .post_bytes_raw(
                "/api/v1/distributors",
                "application/json",
                "{\"member_id\": ",
            )
            .await;
        assert_eq!(res.status(), 400);
        let res = app
            .bearer(&owner)
            .post_raw("/api/v1/distributors", &json!({ "member_id": "x" }))
            .await;
        assert_eq!(res.status(), 422);
        let res = app
            .bearer(&owner)
            .post_raw(
                "/api/v1/distributors",
                &json!({ "member_id": mine, "extra": 1 }),
            )
            .await;
        assert_eq!(res.status(), 422);
        for query in [
            "sort=height",
            "status=sleeping",
            "cursor=abc&sort=team_sales",
            "limit=x",
            "colour=red",
        ] {
            let res = app
                .bearer(&owner)
                .send_raw(
                    reqwest::Method::GET,
                    &format!("/api/v1/distributors?{query}"),
                    None,
                )
                .await;
            assert_eq!(res.status(), 422, "{query}");
        }
        for depth in ["0", "51", "x"] {
            let res = app
                .bearer(&owner)
                .send_raw(
                    reqwest::Method::GET,
                    &format!("/api/v1/distributors/{head}/upline?depth={depth}"),
                    None,
                )
                .await;
            assert_eq!(res.status(), 422, "depth {depth}");
        }
        let res = app
            .bearer(&owner)
            .send_raw(reqwest::Method::GET, "/api/v1/distributors/abc", None)
            .await;
        assert_eq!(res.status(), 404);
        assert_eq!(app.count("distributors"), before);
    }
);

db_test!(a_member_sees_their_own_profile, |app: TestApp| async move {
    let owner = app.owner("boss@example.com").await;
    let m = owner.merchant_id;
    let shop = app.slug(m);
    let head = grant(
        &app,
        &owner,
        (member(&app, m, "13800000001", "王总")).get(),
        None,
    )
    .await;
    let me = member(&app, m, "13800000002", "小李");
    let shopper = member(&app, m, "13800000003", "顾客");
    let mine = grant(&app, &owner, me.get(), head["id"].as_i64()).await;
    let _ = shopper;
    let sign_in = |login: &'static str| {
        let (app, shop) = (&app, &shop);
        async move {
            let body: Value = app
                .anonymous()
                .expecting(200)
                .post(
                    &format!("/api/v1/shops/{shop}/members/sign-in"),
                    &json!({ "login": login, "password": "shopper-2026" }),
                )
                .await;
            body["tokens"]["access_token"].as_str().unwrap().to_owned()
        }
    };
    let token = sign_in("13800000002").await;
    let body: Value = app
        .bearer(&token)
        .get(&format!("/api/v1/shops/{shop}/me/distributor"))
        .await;
    assert_eq!(body["id"], mine["id"]);
    assert_eq!(body["code"], mine["code"]);
    assert_eq!(
        body["sponsor"],
        json!({ "code": head["code"], "name": "王总" })
    );
    assert_eq!(body["figures"]["team_size"], 0);
    assert!(
        body.get("member").is_none(),
        "no contact data in the member's view"
    );

    let token = sign_in("13800000003").await;
    let res = app
        .bearer(&token)
        .get_raw(&format!("/api/v1/shops/{shop}/me/distributor"))
        .await;
    assert_eq!(res.status(), 404, "not a distributor");
    let res = app
        .bearer(&token)
        .get_raw(&format!(
            "/api/v1/shops/shop-{}/me/distributor",
            m.get() + 1
        ))
        .await;
    assert_eq!(res.status(), 404, "another shop");
});

db_test!(
    a_recorded_sale_promotes_the_seller_and_their_sponsor,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let m = owner.merchant_id;
        tier(&app, m, "铜牌", 1);
        let gold = tier(&app, m, "金牌", 2);
        // Gold: 100.00 of personal sales, or 150.00 of team sales.
        diesel::update(distributor_tiers::table.find(gold))
            .set((
                distributor_tiers::condition_mode.eq("any"),
                distributor_tiers::min_personal_sales.eq(10_000i64),
                distributor_tiers::min_team_sales.eq(15_000i64),
            ))
            .execute(&mut *app.conn())
            .unwrap();
        let sponsor = grant(
            &app,
            &owner,
            (member(&app, m, "13800000001", "甲")).get(),
            None,
        )
        .await;
        let sponsor_id = sponsor["id"].as_i64().unwrap();
        let seller = grant(
            &app,
            &owner,
            (member(&app, m, "13800000002", "乙")).get(),
            Some(sponsor_id),
        )
        .await;
        let seller_id = seller["id"].as_i64().unwrap();
        let tier_of = |id: DistributorId| -> Option<i64> {
            fenxiao::db::schema::distributors::table
                .find(id)
                .select(fenxiao::db::schema::distributors::tier_id)
                .first(&mut *app.conn())
                .unwrap()
        };
        let now = fenxiao::clock::now();
        assert!(fenxiao::network::record_sale(
            &mut app.conn(),
            m,
            DistributorId(seller_id),
            "SO-1",
            9_000,
            now
        )
        .unwrap());
        assert_ne!(
            tier_of(DistributorId(seller_id)),
            Some(gold),
            "90.00 is not enough yet"
        );
        assert!(fenxiao::network::record_sale(
            &mut app.conn(),
            m,
            DistributorId(seller_id),
            "SO-2",
            6_000,
            now
        )
        .unwrap());
        assert_eq!(
            tier_of(DistributorId(seller_id)),
            Some(gold),
            "personal sales 150.00"
        );
        assert_eq!(
            tier_of(DistributorId(sponsor_id)),
            Some(gold),
            "team sales 150.00"
        );
        let promotions: Vec<String> = distributor_tier_changes::table
            .filter(distributor_tier_changes::merchant_id.eq(m))
            .filter(distributor_tier_changes::cause.eq("promotion"))
            .select(distributor_tier_changes::detail)
            .load(&mut *app.conn())
            .unwrap();
        assert_eq!(promotions.len(), 2);
        assert!(
            promotions.iter().all(|d| d.contains("order_completed")),
            "{promotions:?}"
        );
        // Staff read the history with the figures that met the condition.
        let history = app
            .bearer(&owner)
            .get::<Value>(&format!("/api/v1/distributors/{seller_id}/tier-changes"))
            .await;
        assert_eq!(history[0]["cause"], "promotion");
        assert_eq!(history[0]["to_tier_name"], "金牌");
        let basis = &history[0]["promotion"];
        assert_eq!(basis["trigger"], "order_completed");
        assert_eq!(history[0]["reason"], serde_json::Value::Null);
        let sales = basis["conditions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["metric"] == "personal_sales")
            .expect("the personal sales condition is recorded");
        assert_eq!(sales["required"], "100.00", "{basis}");
        assert_eq!(sales["actual"], "150.00", "{basis}");
        assert_eq!(sales["met"], true, "{basis}");
        assert_eq!(basis["mode"], "any");
        assert_eq!(
            history.as_array().unwrap().last().unwrap()["cause"],
            "joined"
        );
        let stranger = app.owner("other@example.com").await;
        let res = app
            .bearer(&stranger)
            .send_raw(
                reqwest::Method::GET,
                &format!("/api/v1/distributors/{seller_id}/tier-changes"),
                None,
            )
            .await;
        assert_eq!(
            res.status(),
            404,
            "another merchant's distributor is not found"
        );
        // Recording the same order again neither counts nor promotes twice.
        assert!(!fenxiao::network::record_sale(
            &mut app.conn(),
            m,
            DistributorId(seller_id),
            "SO-2",
            6_000,
            now
        )
        .unwrap());
    }
);

/// Sets a tier's only promotion condition: a team of at least `size`.
fn needs_team(app: &TestApp, tier_id: i64, size: i64) {
    diesel::update(distributor_tiers::table.find(tier_id))
        .set((
            distributor_tiers::condition_mode.eq("all"),
            distributor_tiers::min_team_size.eq(size),
        ))
        .execute(&mut *app.conn())
        .unwrap();
}

fn tier_of(app: &TestApp, id: DistributorId) -> Option<i64> {
    fenxiao::db::schema::distributors::table
        .find(id)
        .select(fenxiao::db::schema::distributors::tier_id)
        .first(&mut *app.conn())
        .unwrap()
}

/// The triggers of a distributor's promotions, oldest first.
fn promotion_triggers(app: &TestApp, id: i64) -> Vec<String> {
    let details: Vec<String> = distributor_tier_changes::table
        .filter(distributor_tier_changes::distributor_id.eq(DistributorId(id)))
        .filter(distributor_tier_changes::cause.eq("promotion"))
        .order(distributor_tier_changes::id.asc())
        .select(distributor_tier_changes::detail)
        .load(&mut *app.conn())
        .unwrap();
    details
        .iter()
        .map(|d| {
            serde_json::from_str::<Value>(d).unwrap()["trigger"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect()
}

db_test!(
    team_changes_promote_the_upline_up_to_three_levels,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let m = owner.merchant_id;
        let entry = tier(&app, m, "铜牌", 1);
        let gold = tier(&app, m, "金牌", 2);
        needs_team(&app, gold, 3);
        let id = |v: Value| v["id"].as_i64().unwrap();

        // Staff add distributors: each addition is evaluated for the three levels above it.
        // top ← a ← b ← c: top's team reaches 3 with c, three levels up.
        let top = id(grant(
            &app,
            &owner,
            (member(&app, m, "13800000001", "顶")).get(),
            None,
        )
        .await);
        let a = id(grant(
            &app,
            &owner,
            (member(&app, m, "13800000002", "甲")).get(),
            Some(top),
        )
        .await);
        let b = id(grant(
            &app,
            &owner,
            (member(&app, m, "13800000003", "乙")).get(),
            Some(a),
        )
        .await);
        assert_eq!(
            tier_of(&app, DistributorId(top)),
            Some(entry),
            "a team of two"
        );
        grant(
            &app,
            &owner,
            (member(&app, m, "13800000004", "丙")).get(),
            Some(b),
        )
        .await;
        assert_eq!(
            tier_of(&app, DistributorId(top)),
            Some(gold),
            "a team of three"
        );
        assert_eq!(promotion_triggers(&app, top), vec!["team_changed"]);
        assert_eq!(
            tier_of(&app, DistributorId(a)),
            Some(entry),
            "a team of two"
        );

        // A move: the root r2 with its two recruits moves under b; a, two levels above r2, has
        // a team of five then, b of four.
        needs_team(&app, gold, 5);
        let r2 = id(grant(
            &app,
            &owner,
            (member(&app, m, "13800000006", "戊")).get(),
            None,
        )
        .await);
        id(grant(
            &app,
            &owner,
            (member(&app, m, "13800000007", "己")).get(),
            Some(r2),
        )
        .await);
        id(grant(
            &app,
            &owner,
            (member(&app, m, "13800000008", "庚")).get(),
            Some(r2),
        )
        .await);
        assert_eq!(tier_of(&app, DistributorId(a)), Some(entry));
        let res = app
            .bearer(&owner)
            .post_raw(
                &format!("/api/v1/distributors/{r2}/move"),
                &json!({ "parent_id": b, "reason": "团队调整" }),
            )
            .await;
        assert_eq!(res.status(), 200);
        assert_eq!(
            tier_of(&app, DistributorId(a)),
            Some(gold),
            "a team of five"
        );
        assert_eq!(promotion_triggers(&app, a), vec!["team_changed"]);
        assert_eq!(
            tier_of(&app, DistributorId(b)),
            Some(entry),
            "a team of four"
        );
        assert_eq!(
            tier_of(&app, DistributorId(r2)),
            Some(entry),
            "its own team did not change"
        );
        assert_eq!(
            promotion_triggers(&app, top).len(),
            1,
            "already gold: promoted once"
        );
    }
);

db_test!(
    an_approved_recruit_promotes_the_upline,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let m = owner.merchant_id;
        let entry = tier(&app, m, "铜牌", 1);
        let gold = tier(&app, m, "金牌", 2);
        needs_team(&app, gold, 2);
        let id = |v: Value| v["id"].as_i64().unwrap();
        let top = id(grant(
            &app,
            &owner,
            (member(&app, m, "13800000001", "顶")).get(),
            None,
        )
        .await);
        let sponsor = id(grant(
            &app,
            &owner,
            (member(&app, m, "13800000002", "甲")).get(),
            Some(top),
        )
        .await);
        assert_eq!(tier_of(&app, DistributorId(top)), Some(entry));
        // A pending application recruited by the sponsor: approving it grows the team of the
        // sponsor's sponsor to two.
        let applicant = member(&app, m, "13800000003", "乙");
        let now = fenxiao::clock::now();
        let application: i64 = {
            use fenxiao::db::schema::distributor_applications as da;
            diesel::insert_into(da::table)
                .values((
                    da::merchant_id.eq(m),
                    da::member_id.eq(applicant),
                    da::status.eq("pending"),
                    da::entry_mode.eq("application"),
                    da::review.eq("manual"),
                    da::answers.eq("[]"),
                    da::sponsor_id.eq(DistributorId(sponsor)),
                    da::sponsor_source.eq("code"),
                    da::created_at.eq(now),
                    da::updated_at.eq(now),
                ))
                .returning(da::id)
                .get_result(&mut *app.conn())
                .unwrap()
        };
        let res = app
            .bearer(&owner)
            .post_raw(
                &format!("/api/v1/distributor-applications/{application}/approve"),
                &json!({}),
            )
            .await;
        assert_eq!(res.status(), 200);
        assert_eq!(
            tier_of(&app, DistributorId(top)),
            Some(gold),
            "two levels above the recruit"
        );
        // Two levels up, only the team grew: the promotion says so.
        assert_eq!(promotion_triggers(&app, top), vec!["team_changed"]);
        assert_eq!(
            tier_of(&app, DistributorId(sponsor)),
            Some(entry),
            "a team of one"
        );
    }
);
