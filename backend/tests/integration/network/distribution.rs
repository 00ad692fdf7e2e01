//! Distribution settings, distributor tiers and automatic promotion.

use fenxiao::db::ids::{DistributorId, MerchantId};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::harness::{
    assert_problem, expect_json, field_errors, problem, NewDistributor, SignedIn, TestApp,
};
use diesel::prelude::*;
use fenxiao::db::schema::{
    distribution_settings, distributor_tier_changes, distributors, sku_tier_prices,
};
use fenxiao::distribution::promotion::{self, ConditionFigure, PromotionBasis, Trigger};
use fenxiao::distribution::tiers::{self, CommissionValue};
use fenxiao::distribution::{rate::Rate, settings};
use fenxiao::money::Money;
use serde_json::{json, Value};

/// A distributor's counters, in fen for the sales figures.
#[derive(Debug, Clone, Copy, Default)]
struct Counters {
    personal_sales: i64,
    team_sales: i64,
    direct_recruits: i64,
    team_size: i64,
    order_count: i64,
}

/// A tier change: distributor, from, to, cause, detail, actor.
type ChangeRow = (
    DistributorId,
    Option<i64>,
    Option<i64>,
    String,
    String,
    Option<i64>,
);

/// The tier a distributor should hold afterwards.
type Expected = Option<i64>;

static NEXT: AtomicU64 = AtomicU64::new(1);

/// A distributor row of the merchant (with its member and its own closure row), as the network
/// would have made it.
fn distributor(app: &TestApp, merchant_id: MerchantId, status: &str, tier_id: Option<i64>) -> i64 {
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let now = fenxiao::clock::now();
    let member_id = app.insert_member(merchant_id, &format!("d{n}@example.com"), None, now);
    (app.insert_distributor(NewDistributor {
        status,
        tier_id,
        ..NewDistributor::root(merchant_id, member_id, &format!("D{n}"), now)
    }))
    .get()
}

fn set_counters(app: &TestApp, id: i64, c: Counters) {
    diesel::update(distributors::table.filter(distributors::id.eq(DistributorId(id))))
        .set((
            distributors::personal_sales.eq(c.personal_sales),
            distributors::team_sales.eq(c.team_sales),
            distributors::direct_recruits.eq(c.direct_recruits),
            distributors::team_size.eq(c.team_size),
            distributors::order_count.eq(c.order_count),
        ))
        .execute(&mut *app.conn())
        .unwrap();
}

fn tier_of(app: &TestApp, id: i64) -> Option<i64> {
    distributors::table
        .filter(distributors::id.eq(DistributorId(id)))
        .select(distributors::tier_id)
        .first(&mut *app.conn())
        .unwrap()
}

fn valid_settings() -> Value {
    json!({
        "entry_mode": "everyone",
        "commission_depth": 2,
        "self_purchase_commission": true,
        "binding_mode": "last_touch",
        "binding_days": 30,
        "protection_days": 7,
    })
}

async fn create_tier(app: &TestApp, who: &SignedIn, body: Value) -> Value {
    let res = app
        .bearer(who)
        .post_raw("/api/v1/distribution/tiers", &body)
        .await;
    expect_json(res, 201).await
}

db_test!(
    settings_default_then_saved_and_audited,
    |app: TestApp| async move {
        let owner = app.owner("owner@example.com").await;
        let defaults: Value = app
            .bearer(&owner)
            .get("/api/v1/distribution/settings")
            .await;
        assert_eq!(
            defaults,
            json!({
                "entry_mode": "application",
                "application_review": "manual",
                "spend_threshold": null,
                "commission_depth": 2,
                "depth3_acknowledged_at": null,
                "depth3_acknowledged_by": null,
                "self_purchase_commission": false,
                "binding_mode": "first_touch",
                "binding_days": null,
                "protection_days": 0,
                "default_sponsor_id": null,
                "updated_at": null,
            })
        );

        let sponsor = distributor(&app, owner.merchant_id, "active", None);
        let mut body = valid_settings();
        body["entry_mode"] = json!("spend_threshold");
        body["spend_threshold"] = json!("199.9");
        body["default_sponsor_id"] = json!(sponsor);
        let saved: Value = app
            .bearer(&owner)
            .expecting(200)
            .put("/api/v1/distribution/settings", &body)
            .await;
        assert_eq!(saved["entry_mode"], "spend_threshold");
        assert_eq!(saved["spend_threshold"], "199.90");
        assert_eq!(saved["binding_mode"], "last_touch");
        assert_eq!(saved["binding_days"], 30);
        assert_eq!(saved["protection_days"], 7);
        assert_eq!(saved["default_sponsor_id"], sponsor);
        assert!(saved["updated_at"].is_string());
        let again: Value = app
            .bearer(&owner)
            .get::<Value>("/api/v1/distribution/settings")
            .await;
        assert_eq!(again, saved);

        let changes = app.audit_changes("distribution_settings.updated");
        assert_eq!(
            changes["entry_mode"],
            json!({"before": "application", "after": "spend_threshold"})
        );
        assert_eq!(
            changes["spend_threshold"],
            json!({"before": null, "after": "199.90"})
        );
        assert!(
            changes.get("commission_depth").is_none(),
            "unchanged fields are not listed"
        );

        // The service other modules use gives the same, typed.
        let loaded = settings::load(&mut app.conn(), owner.merchant_id).unwrap();
        assert_eq!(loaded.entry_mode, settings::EntryMode::SpendThreshold);
        assert_eq!(
            loaded.spend_threshold,
            Some(Money::from_fen(19_990).unwrap())
        );
        assert_eq!(loaded.binding_mode, settings::BindingMode::LastTouch);
        let other = app.owner("other@example.com").await;
        let theirs = settings::load(&mut app.conn(), other.merchant_id).unwrap();
        assert_eq!(
            theirs.commission_depth, 2,
            "another merchant keeps the defaults"
        );
        assert_eq!(theirs.updated_at, None);
    }
);

db_test!(
    depth_three_needs_an_acknowledgement,
    |app: TestApp| async move {
        let owner = app.owner("owner@example.com").await;
        let path = "/api/v1/distribution/settings";
        let mut body = valid_settings();
        body["commission_depth"] = json!(3);
        let res = app.bearer(&owner).put_raw(path, &body).await;
        assert_eq!(
            field_errors(res).await,
            vec![(
                "acknowledge_depth3_compliance".to_owned(),
                "depth3_acknowledgement_required".to_owned()
            )]
        );
        assert_eq!(app.count("distribution_settings"), 0, "nothing saved");
        assert_eq!(app.audit_count("distribution_settings.updated"), 0);

        // An integration's key cannot make the statement, even with the permission.
        let key: Value = app
            .bearer(&owner)
            .post::<Value>(
                "/api/v1/api-keys",
                &json!({ "name": "ERP", "scopes": ["distributors.manage"] }),
            )
            .await;
        body["acknowledge_depth3_compliance"] = json!(true);
        let res = app
            .bearer(key["key"].as_str().unwrap())
            .send_raw(reqwest::Method::PUT, path, Some(&body))
            .await;
        assert_problem(res, 403, "staff_acknowledgement_required").await;
        assert_eq!(app.count("distribution_settings"), 0);

        let saved: Value = app.bearer(&owner).expecting(200).put(path, &body).await;
        assert_eq!(saved["commission_depth"], 3);
        assert_eq!(saved["depth3_acknowledged_by"], owner.account_id);
        let acknowledged_at = saved["depth3_acknowledged_at"].clone();
        assert!(acknowledged_at.is_string());
        assert_eq!(
            app.audit_count("distribution_settings.depth3_compliance_acknowledged"),
            1
        );
        let statement = app.audit_changes("distribution_settings.depth3_compliance_acknowledged");
        assert_eq!(
            statement["commission_depth"],
            json!({"before": 2, "after": 3})
        );
        assert!(statement["statement"]["after"]["zh"]
            .as_str()
            .unwrap()
            .contains("传销"));
        let row: (i32, Option<chrono::NaiveDateTime>, Option<i64>) = distribution_settings::table
            .select((
                distribution_settings::commission_depth,
                distribution_settings::depth3_acknowledged_at,
                distribution_settings::depth3_acknowledged_by,
            ))
            .first(&mut *app.conn())
            .unwrap();
        assert_eq!(row.0, 3);
        assert!(row.1.is_some());
        assert_eq!(row.2, Some(owner.account_id));

        // Keeping depth 3 while changing something else needs no new statement.
        body["acknowledge_depth3_compliance"] = json!(false);
        body["protection_days"] = json!(3);
        let kept: Value = app.bearer(&owner).expecting(200).put(path, &body).await;
        assert_eq!(kept["depth3_acknowledged_at"], acknowledged_at);
        assert_eq!(
            app.audit_count("distribution_settings.depth3_compliance_acknowledged"),
            1
        );

        // Back to two levels: the record stays.
        body["commission_depth"] = json!(2);
        let back: Value = app.bearer(&owner).expecting(200).put(path, &body).await;
        assert_eq!(back["commission_depth"], 2);
        assert_eq!(back["depth3_acknowledged_at"], acknowledged_at);
        assert_eq!(back["depth3_acknowledged_by"], owner.account_id);

        // Choosing 3 again is a new choice: it needs a new acknowledgement.
        body["commission_depth"] = json!(3);
        let res = app.bearer(&owner).put_raw(path, &body).await;
        assert_eq!(res.status(), 422);
        let still: Value = app.bearer(&owner).get::<Value>(path).await;
        assert_eq!(still["commission_depth"], 2);
    }
);

db_test!(
    settings_refuse_bad_input_and_change_nothing,
    |app: TestApp| async move {
        let owner = app.owner("owner@example.com").await;
        let other = app.owner("other@example.com").await;
        let path = "/api/v1/distribution/settings";
        let with = |changes: Value| {
            let mut body = valid_settings();
            for (k, v) in changes.as_object().unwrap() {
                body[k] = v.clone();
            }
            body
        };
        let cases: Vec<(Value, Vec<(&str, &str)>)> = vec![
            (
                with(json!({"entry_mode": "all"})),
                vec![("entry_mode", "invalid_value")],
            ),
            (
                with(json!({"entry_mode": "spend_threshold"})),
                vec![("spend_threshold", "required")],
            ),
            (
                with(json!({"entry_mode": "spend_threshold", "spend_threshold": "0"})),
                vec![("spend_threshold", "must_be_positive")],
            ),
            (
                with(json!({"spend_threshold": "1.001"})),
                vec![("spend_threshold", "money_precision")],
            ),
            (
                with(json!({"spend_threshold": 100})),
                vec![("spend_threshold", "invalid_type")],
            ),
            (
                with(json!({"commission_depth": 0})),
                vec![("commission_depth", "range")],
            ),
            (
                with(json!({"commission_depth": 4})),
                vec![("commission_depth", "range")],
            ),
            (
                with(json!({"binding_days": 0})),
                vec![("binding_days", "range")],
            ),
            (
                with(json!({"binding_days": 5, "protection_days": 6})),
                vec![("protection_days", "protection_exceeds_validity")],
            ),
            (
                with(json!({"protection_days": -1})),
                vec![("protection_days", "range")],
            ),
            (
                with(json!({"binding_mode": "forever"})),
                vec![("binding_mode", "invalid_value")],
            ),
            (
                with(json!({"surprise": true})),
                vec![("surprise", "unknown_field")],
            ),
        ];
        for (body, expected) in cases {
            let res = app.bearer(&owner).put_raw(path, &body).await;
            let expected: Vec<(String, String)> = expected
                .into_iter()
                .map(|(f, c)| (f.to_owned(), c.to_owned()))
                .collect();
            assert_eq!(field_errors(res).await, expected, "{body}");
        }
        let res = app
            .bearer(&owner)
            .send_bytes_raw(
                reqwest::Method::PUT,
                path,
                "application/json",
                "{\"entry_mode\": ",
            )
            .await;
        assert_eq!(res.status(), 400);

        // The default sponsor: another merchant's distributor answers like a missing one.
        let theirs = distributor(&app, other.merchant_id, "active", None);
        let foreign = app
            .bearer(&owner)
            .put_raw(path, &with(json!({"default_sponsor_id": theirs})))
            .await;
        let foreign = problem(foreign).await;
        let missing = app
            .bearer(&owner)
            .put_raw(path, &with(json!({"default_sponsor_id": 987654321})))
            .await;
        let missing = problem(missing).await;
        assert_eq!(foreign["errors"], missing["errors"]);
        assert_eq!(foreign["errors"][0]["code"], "unknown_distributor");
        let frozen = distributor(&app, owner.merchant_id, "frozen", None);
        let res = app
            .bearer(&owner)
            .put_raw(path, &with(json!({"default_sponsor_id": frozen})))
            .await;
        assert_eq!(
            field_errors(res).await,
            vec![(
                "default_sponsor_id".to_owned(),
                "sponsor_not_active".to_owned()
            )]
        );

        assert_eq!(app.count("distribution_settings"), 0);
        assert_eq!(app.audit_count("distribution_settings.updated"), 0);
        let now: Value = app.bearer(&owner).get::<Value>(path).await;
        assert_eq!(now["entry_mode"], "application");
        assert_eq!(now["updated_at"], Value::Null);

        // Viewers read, but do not change.
        let viewer_key: Value = app
            .bearer(&owner)
            .post::<Value>(
                "/api/v1/api-keys",
                &json!({ "name": "BI", "scopes": ["distributors.read"] }),
            )
            .await;
        let key = viewer_key["key"].as_str().unwrap();
        let res = app
            .bearer(key)
            .send_raw(reqwest::Method::GET, path, None)
            .await;
        assert_eq!(res.status(), 200);
        let res = app
            .bearer(key)
            .send_raw(reqwest::Method::PUT, path, Some(&valid_settings()))
            .await;
        assert_eq!(res.status(), 403);
    }
);

db_test!(tiers_crud_with_exact_rates, |app: TestApp| async move {
    let owner = app.owner("owner@example.com").await;
    let other = app.owner("other@example.com").await;
    let base = "/api/v1/distribution/tiers";
    let bronze = create_tier(
        &app,
        &owner,
        json!({
            "name": "  铜牌 ", "commission_kind": "percent",
            "level1": "12.5", "level2": "5.25", "level3": "0.0001",
            "purchase_discount": "2.5",
        }),
    )
    .await;
    assert_eq!(bronze["name"], "铜牌");
    assert_eq!(bronze["rank"], 1);
    assert_eq!(bronze["level1"], "12.5");
    assert_eq!(bronze["level2"], "5.25");
    assert_eq!(bronze["level3"], "0.0001");
    assert_eq!(bronze["purchase_discount"], "2.5");
    assert_eq!(bronze["distributor_count"], 0);
    assert_eq!(
        bronze["promotion"],
        json!({"mode": "all", "personal_sales": null, "team_sales": null,
               "direct_recruits": null, "team_size": null, "order_count": null})
    );
    let silver = create_tier(
        &app,
        &owner,
        json!({
            "name": "银牌", "commission_kind": "fixed", "level1": "5", "level2": "1.5",
            "promotion": { "mode": "any", "personal_sales": "1000", "order_count": 5 },
        }),
    )
    .await;
    assert_eq!(silver["rank"], 2, "appended above the others");
    assert_eq!(silver["level1"], "5.00");
    assert_eq!(silver["level2"], "1.50");
    assert_eq!(silver["level3"], "0.00");
    assert_eq!(silver["purchase_discount"], "0");
    assert_eq!(silver["promotion"]["personal_sales"], "1000.00");
    assert_eq!(silver["promotion"]["order_count"], 5);
    assert_eq!(app.audit_count("distributor_tier.created"), 2);

    // Exact values for the commission code.
    let bronze_id = bronze["id"].as_i64().unwrap();
    let silver_id = silver["id"].as_i64().unwrap();
    let rates = tiers::commission_rates(&mut app.conn(), owner.merchant_id, bronze_id).unwrap();
    assert_eq!(
        rates.level(1),
        Some(CommissionValue::Percent(
            Rate::from_millionths(125_000).unwrap()
        ))
    );
    let CommissionValue::Percent(level1) = rates.levels[0] else {
        panic!("percent expected");
    };
    assert_eq!(level1.fraction().to_string(), "0.125");
    assert_eq!(rates.purchase_discount.millionths(), 25_000);
    let fixed = tiers::commission_rates(&mut app.conn(), owner.merchant_id, silver_id).unwrap();
    assert_eq!(
        fixed.levels,
        [
            CommissionValue::FixedPerUnit(Money::from_fen(500).unwrap()),
            CommissionValue::FixedPerUnit(Money::from_fen(150).unwrap()),
            CommissionValue::FixedPerUnit(Money::ZERO),
        ]
    );
    assert!(matches!(
        tiers::commission_rates(&mut app.conn(), other.merchant_id, bronze_id),
        Err(fenxiao::AppError::NotFound)
    ));
    assert_eq!(
        tiers::entry_tier(&mut app.conn(), owner.merchant_id).unwrap(),
        Some(bronze_id)
    );
    assert_eq!(
        tiers::entry_tier(&mut app.conn(), other.merchant_id).unwrap(),
        None
    );

    let list: Value = app.bearer(&owner).get::<Value>(base).await;
    let names: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["铜牌", "银牌"]);
    let theirs: Value = app.bearer(&other).get::<Value>(base).await;
    assert_eq!(theirs, json!([]));

    // Update: rank kept when absent, kind may change.
    let updated: Value = app
        .bearer(&owner)
        .expecting(200)
        .put(
            &format!("{base}/{bronze_id}"),
            &json!({ "name": "青铜", "commission_kind": "fixed", "level1": "3", "level2": "1" }),
        )
        .await;
    assert_eq!(updated["rank"], 1);
    assert_eq!(updated["level1"], "3.00");
    assert_eq!(
        app.audit_changes("distributor_tier.updated")["name"],
        json!({"before": "铜牌", "after": "青铜"})
    );
    let fetched: Value = app
        .bearer(&owner)
        .get::<Value>(&format!("{base}/{bronze_id}"))
        .await;
    assert_eq!(fetched, updated);

    // Conflicts.
    let res = app
        .bearer(&owner)
        .post_raw(
            base,
            &json!({ "name": "银牌", "commission_kind": "percent", "level1": "1", "level2": "1" }),
        )
        .await;
    assert_problem(res, 409, "tier_name_taken").await;
    let res = app
        .bearer(&owner)
        .post_raw(
            base,
            &json!({
                "name": "金牌",
                "rank": 2,
                "commission_kind": "percent",
                "level1": "1",
                "level2": "1",
            }),
        )
        .await;
    assert_problem(res, 409, "tier_rank_taken").await;
    let res = app
        .bearer(&owner)
        .put_raw(
            &format!("{base}/{bronze_id}"),
            &json!({
                "name": "青铜",
                "rank": 2,
                "commission_kind": "fixed",
                "level1": "3",
                "level2": "1",
            }),
        )
        .await;
    assert_problem(res, 409, "tier_rank_taken").await;

    // Bad input, each named by its field; nothing written.
    let tier = |changes: Value| {
        let mut body = json!({
            "name": "金牌", "commission_kind": "percent", "level1": "10", "level2": "5",
        });
        for (k, v) in changes.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    let cases: Vec<(Value, Vec<(&str, &str)>)> = vec![
        (
            tier(json!({"level1": "12.34567"})),
            vec![("level1", "percent_precision")],
        ),
        (
            tier(json!({"level2": "101"})),
            vec![("level2", "percent_range")],
        ),
        (
            tier(json!({"level3": "-1"})),
            vec![("level3", "percent_range")],
        ),
        (
            tier(json!({"level1": "abc"})),
            vec![("level1", "invalid_percent")],
        ),
        (
            tier(json!({"level1": 12.5})),
            vec![("level1", "invalid_type")],
        ),
        (
            tier(json!({"level1": "60", "level2": "30", "level3": "10.5"})),
            vec![("level1", "commission_total_over_100")],
        ),
        (
            tier(json!({"commission_kind": "fixed", "level1": "1.001", "level2": "-2"})),
            vec![("level1", "money_precision"), ("level2", "money_negative")],
        ),
        (
            tier(json!({"commission_kind": "bonus"})),
            vec![("commission_kind", "invalid_value")],
        ),
        (
            tier(json!({"purchase_discount": "100.5"})),
            vec![("purchase_discount", "percent_range")],
        ),
        (tier(json!({"name": "  "})), vec![("name", "length")]),
        (tier(json!({"rank": 0})), vec![("rank", "range")]),
        (
            tier(json!({"promotion": {"team_size": -1}})),
            vec![("promotion.team_size", "range")],
        ),
        (
            tier(json!({"promotion": {"team_sales": "0.001"}})),
            vec![("promotion.team_sales", "money_precision")],
        ),
        (
            tier(json!({"promotion": {"mode": "most"}})),
            vec![("promotion.mode", "invalid_value")],
        ),
        (
            tier(json!({"promotion": {"friends": 3}})),
            vec![("promotion.friends", "unknown_field")],
        ),
    ];
    for (body, expected) in cases {
        let res = app.bearer(&owner).post_raw(base, &body).await;
        let expected: Vec<(String, String)> = expected
            .into_iter()
            .map(|(f, c)| (f.to_owned(), c.to_owned()))
            .collect();
        assert_eq!(field_errors(res).await, expected, "{body}");
    }
    assert_eq!(app.count("distributor_tiers"), 2);
    assert_eq!(app.audit_count("distributor_tier.created"), 2);

    // Another merchant's tier is not found, exactly like a missing one.
    for path in [format!("{base}/{bronze_id}"), format!("{base}/987654321")] {
        let res = app.bearer(&other).get_raw(&path).await;
        assert_eq!(res.status(), 404);
        let res = app.bearer(&other).put_raw(&path, &tier(json!({}))).await;
        assert_eq!(res.status(), 404);
        let res = app.bearer(&other).delete_raw(&path).await;
        assert_eq!(res.status(), 404);
    }
    let res = app
        .bearer(&owner)
        .get_raw(&format!("{base}/not-a-number"))
        .await;
    assert_eq!(res.status(), 404);
    assert_eq!(app.count("distributor_tiers"), 2);
});

db_test!(tiers_reorder, |app: TestApp| async move {
    let owner = app.owner("owner@example.com").await;
    let other = app.owner("other@example.com").await;
    let mut ids = Vec::new();
    for name in ["一", "二", "三"] {
        let t = create_tier(
            &app,
            &owner,
            json!({ "name": name, "commission_kind": "percent", "level1": "1", "level2": "1" }),
        )
        .await;
        ids.push(t["id"].as_i64().unwrap());
    }
    let foreign = create_tier(
        &app,
        &other,
        json!({ "name": "外", "commission_kind": "percent", "level1": "1", "level2": "1" }),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let path = "/api/v1/distribution/tiers/reorder";
    for bad in [
        json!({ "tier_ids": [ids[0], ids[1]] }),
        json!({ "tier_ids": [ids[0], ids[1], ids[1]] }),
        json!({ "tier_ids": [ids[0], ids[1], foreign] }),
        json!({ "tier_ids": [ids[0], ids[1], ids[2], foreign] }),
    ] {
        let res = app.bearer(&owner).post_raw(path, &bad).await;
        assert_eq!(
            field_errors(res).await,
            vec![("tier_ids".to_owned(), "tier_set_mismatch".to_owned())],
            "{bad}"
        );
    }
    let res = app
        .bearer(&owner)
        .post_raw(path, &json!({ "tier_ids": [] }))
        .await;
    assert_eq!(
        field_errors(res).await,
        vec![("tier_ids".to_owned(), "length".to_owned())]
    );
    let list: Value = app
        .bearer(&owner)
        .expecting(200)
        .post(path, &json!({ "tier_ids": [ids[2], ids[0], ids[1]] }))
        .await;
    let order: Vec<(i64, i64)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|t| (t["id"].as_i64().unwrap(), t["rank"].as_i64().unwrap()))
        .collect();
    assert_eq!(order, vec![(ids[2], 1), (ids[0], 2), (ids[1], 3)]);
    assert_eq!(
        app.audit_changes("distributor_tiers.reordered")["order"],
        json!({"before": ids, "after": [ids[2], ids[0], ids[1]]})
    );
    let theirs: Value = app
        .bearer(&other)
        .get::<Value>("/api/v1/distribution/tiers")
        .await;
    assert_eq!(
        theirs[0]["rank"], 1,
        "another merchant's tiers are untouched"
    );
});

db_test!(
    deleting_a_tier_in_use_needs_a_target,
    |app: TestApp| async move {
        let owner = app.owner("owner@example.com").await;
        let other = app.owner("other@example.com").await;
        let tier = |name: &str| json!({ "name": name, "commission_kind": "percent", "level1": "1", "level2": "1" });
        let unused = create_tier(&app, &owner, tier("空")).await["id"]
            .as_i64()
            .unwrap();
        let old = create_tier(&app, &owner, tier("旧")).await["id"]
            .as_i64()
            .unwrap();
        let new = create_tier(&app, &owner, tier("新")).await["id"]
            .as_i64()
            .unwrap();
        let foreign = create_tier(&app, &other, tier("外")).await["id"]
            .as_i64()
            .unwrap();
        let a = distributor(&app, owner.merchant_id, "active", Some(old));
        let b = distributor(&app, owner.merchant_id, "ended", Some(old));
        let c = distributor(&app, owner.merchant_id, "active", Some(new));

        // A purchase price for the tier goes with it.
        let product: Value = app
            .bearer(&owner)
            .post::<Value>(
                "/api/v1/products",
                &json!({
                    "name": "龙井",
                    "skus": [{ "code": "L-1", "retail_price": "100", "stock": 1,
                               "distributor_prices": [{ "tier_id": old, "price": "80" }] }]
                }),
            )
            .await;
        assert_eq!(product["skus"][0]["distributor_prices"][0]["tier_id"], old);

        let res = app
            .bearer(&owner)
            .delete_raw(&format!("/api/v1/distribution/tiers/{unused}"))
            .await;
        assert_eq!(res.status(), 204);
        assert_eq!(app.audit_count("distributor_tier.deleted"), 1);

        let path = format!("/api/v1/distribution/tiers/{old}");
        let res = app.bearer(&owner).delete_raw(&path).await;
        assert_eq!(res.status(), 409);
        let body = problem(res).await;
        assert_eq!(body["code"], "tier_in_use");
        assert!(body["detail"].as_str().unwrap().contains('2'), "{body}");
        let list: Value = app
            .bearer(&owner)
            .get::<Value>("/api/v1/distribution/tiers")
            .await;
        assert_eq!(list[0]["distributor_count"], 2);

        let res = app
            .bearer(&owner)
            .delete_raw(&format!("{path}?move_to={foreign}"))
            .await;
        let foreign_errors = field_errors(res).await;
        let res = app
            .bearer(&owner)
            .delete_raw(&format!("{path}?move_to=987654321"))
            .await;
        assert_eq!(field_errors(res).await, foreign_errors);
        assert_eq!(
            foreign_errors,
            vec![("move_to".to_owned(), "unknown_tier".to_owned())]
        );
        let res = app
            .bearer(&owner)
            .delete_raw(&format!("{path}?move_to={old}"))
            .await;
        assert_eq!(
            field_errors(res).await,
            vec![("move_to".to_owned(), "same_tier".to_owned())]
        );
        let res = app
            .bearer(&owner)
            .delete_raw(&format!("{path}?move_to=x"))
            .await;
        assert_eq!(res.status(), 422);
        let res = app
            .bearer(&owner)
            .delete_raw(&format!("{path}?target={new}"))
            .await;
        assert_eq!(res.status(), 422);
        assert_eq!(tier_of(&app, a), Some(old), "nothing moved yet");
        assert_eq!(app.count("distributor_tier_changes"), 0);

        let res = app
            .bearer(&owner)
            .delete_raw(&format!("{path}?move_to={new}"))
            .await;
        assert_eq!(res.status(), 204);
        assert_eq!(tier_of(&app, a), Some(new));
        assert_eq!(tier_of(&app, b), Some(new));
        assert_eq!(tier_of(&app, c), Some(new));
        let rows: Vec<ChangeRow> = distributor_tier_changes::table
            .order(distributor_tier_changes::distributor_id.asc())
            .select((
                distributor_tier_changes::distributor_id,
                distributor_tier_changes::from_tier_id,
                distributor_tier_changes::to_tier_id,
                distributor_tier_changes::cause,
                distributor_tier_changes::detail,
                distributor_tier_changes::actor_account_id,
            ))
            .load(&mut *app.conn())
            .unwrap();
        assert_eq!(rows.len(), 2);
        for (row, id) in rows.iter().zip([a, b]) {
            assert_eq!(row.0, DistributorId(id));
            assert_eq!((row.1, row.2), (Some(old), Some(new)));
            assert_eq!(row.3, "manual");
            assert!(row.4.contains("旧") && row.4.contains("新"), "{}", row.4);
            assert_eq!(row.5, Some(owner.account_id));
        }
        let prices: i64 = sku_tier_prices::table
            .filter(sku_tier_prices::tier_id.eq(old))
            .count()
            .get_result(&mut *app.conn())
            .unwrap();
        assert_eq!(prices, 0);
        let changes = app.audit_changes("distributor_tier.deleted");
        assert_eq!(changes["moved_to"]["after"], new);
        assert_eq!(changes["moved_distributors"]["after"], 2);
        assert_eq!(changes["name"]["before"], "旧");

        let history =
            promotion::history(&mut app.conn(), owner.merchant_id, DistributorId(a)).unwrap();
        assert_eq!(history.len(), 1);
        assert_eq!(history[0].cause, "manual");
        assert_eq!(history[0].from_tier_name, None, "deleted since");
        assert_eq!(history[0].to_tier_name.as_deref(), Some("新"));
        assert!(history[0].reason.is_some());
        assert_eq!(history[0].promotion, None);
    }
);

/// The ladder of the promotion tests: 普通 (no conditions), 银牌 (all: sales ≥ ¥1000 and 5
/// orders), 金牌 (any: team sales ≥ ¥10000 or 10 recruits), 钻石 (all: team of 100 and team
/// sales ≥ ¥50000).
async fn ladder(app: &TestApp, owner: &SignedIn) -> [i64; 4] {
    let bodies = [
        json!({ "name": "普通", "commission_kind": "percent", "level1": "5", "level2": "1" }),
        json!({ "name": "银牌", "commission_kind": "percent", "level1": "8", "level2": "2",
                "promotion": { "mode": "all", "personal_sales": "1000", "order_count": 5 } }),
        json!({ "name": "金牌", "commission_kind": "percent", "level1": "10", "level2": "3",
                "promotion": { "mode": "any", "team_sales": "10000", "direct_recruits": 10 } }),
        json!({ "name": "钻石", "commission_kind": "percent", "level1": "12", "level2": "4",
                "promotion": { "mode": "all", "team_size": 100, "team_sales": "50000" } }),
    ];
    let mut ids = [0; 4];
    for (i, body) in bodies.into_iter().enumerate() {
        ids[i] = create_tier(app, owner, body).await["id"].as_i64().unwrap();
    }
    ids
}

db_test!(promotion_rules, |app: TestApp| async move {
    let owner = app.owner("owner@example.com").await;
    let other = app.owner("other@example.com").await;
    let [basic, silver, gold, diamond] = ladder(&app, &owner).await;
    let c = |ps: i64, ts: i64, dr: i64, tsz: i64, oc: i64| Counters {
        personal_sales: ps,
        team_sales: ts,
        direct_recruits: dr,
        team_size: tsz,
        order_count: oc,
    };
    // (case, start tier, status, counters, tier afterwards)
    let cases: Vec<(&str, Option<i64>, &str, Counters, Expected)> = vec![
        (
            "all met at the threshold",
            Some(basic),
            "active",
            c(100_000, 0, 0, 0, 5),
            Some(silver),
        ),
        (
            "all: one short",
            Some(basic),
            "active",
            c(100_000, 0, 0, 0, 4),
            Some(basic),
        ),
        (
            "all: sales a fen short",
            Some(basic),
            "active",
            c(99_999, 0, 0, 0, 9),
            Some(basic),
        ),
        (
            "any: team sales",
            Some(basic),
            "active",
            c(0, 1_000_000, 0, 0, 0),
            Some(gold),
        ),
        (
            "any: recruits",
            Some(basic),
            "active",
            c(0, 0, 10, 0, 0),
            Some(gold),
        ),
        (
            "any: neither",
            Some(basic),
            "active",
            c(0, 999_999, 9, 0, 0),
            Some(basic),
        ),
        (
            "skip two tiers",
            Some(basic),
            "active",
            c(0, 5_000_000, 0, 100, 0),
            Some(diamond),
        ),
        (
            "team one short of diamond",
            Some(basic),
            "active",
            c(0, 5_000_000, 0, 99, 0),
            Some(gold),
        ),
        (
            "no tier yet",
            None,
            "active",
            c(100_000, 0, 0, 0, 5),
            Some(silver),
        ),
        (
            "no demotion",
            Some(gold),
            "active",
            c(100_000, 0, 0, 0, 5),
            Some(gold),
        ),
        (
            "top already",
            Some(diamond),
            "active",
            c(i64::MAX / 4, i64::MAX / 4, 1000, 1000, 1000),
            Some(diamond),
        ),
        (
            "frozen",
            Some(basic),
            "frozen",
            c(0, 5_000_000, 10, 100, 0),
            Some(basic),
        ),
        (
            "ended",
            Some(basic),
            "ended",
            c(0, 5_000_000, 10, 100, 0),
            Some(basic),
        ),
        (
            "refunds below zero",
            Some(basic),
            "active",
            c(-500, -500, 0, 0, 0),
            Some(basic),
        ),
    ];
    let now = fenxiao::clock::now();
    let mut promoted = 0;
    for (name, start, status, counters, expected) in &cases {
        let id = distributor(&app, owner.merchant_id, status, *start);
        set_counters(&app, id, *counters);
        let result = promotion::evaluate(
            &mut app.conn(),
            owner.merchant_id,
            DistributorId(id),
            Trigger::OrderCompleted,
            now,
        )
        .unwrap();
        assert_eq!(tier_of(&app, id), *expected, "{name}");
        assert_eq!(result.is_some(), start != expected, "{name}");
        if let Some(p) = result {
            promoted += 1;
            assert_eq!(p.from_tier_id, *start, "{name}");
            assert_eq!(Some(p.to_tier_id), *expected, "{name}");
            let history =
                promotion::history(&mut app.conn(), owner.merchant_id, DistributorId(id)).unwrap();
            assert_eq!(history.len(), 1, "{name}");
            assert_eq!(history[0].id, p.change_id);
            assert_eq!(history[0].cause, "promotion");
            assert_eq!(history[0].to_tier_id, *expected);
            let basis = history[0].promotion.as_ref().expect("a promotion basis");
            assert_eq!(basis.trigger, "order_completed", "{name}");
            assert!(!basis.conditions.is_empty());
            // Evaluating again changes nothing.
            let again = promotion::evaluate(
                &mut app.conn(),
                owner.merchant_id,
                DistributorId(id),
                Trigger::Periodic,
                now,
            )
            .unwrap();
            assert_eq!(again, None, "{name}");
        } else {
            assert!(
                promotion::history(&mut app.conn(), owner.merchant_id, DistributorId(id))
                    .unwrap()
                    .is_empty()
            );
        }
        // Another merchant's distributor is not found.
        assert!(matches!(
            promotion::evaluate(
                &mut app.conn(),
                other.merchant_id,
                DistributorId(id),
                Trigger::Periodic,
                now
            ),
            Err(fenxiao::AppError::NotFound)
        ));
        assert!(matches!(
            promotion::history(&mut app.conn(), other.merchant_id, DistributorId(id)),
            Err(fenxiao::AppError::NotFound)
        ));
    }
    assert_eq!(app.count("distributor_tier_changes"), promoted);
    assert_eq!(app.audit_count("distributor.promoted"), promoted);

    // The figures that met the conditions are in the record.
    let id = distributor(&app, owner.merchant_id, "active", Some(basic));
    set_counters(&app, id, c(123_456, 0, 0, 0, 7));
    promotion::evaluate(
        &mut app.conn(),
        owner.merchant_id,
        DistributorId(id),
        Trigger::RecruitApproved,
        now,
    )
    .unwrap()
    .unwrap();
    let history =
        promotion::history(&mut app.conn(), owner.merchant_id, DistributorId(id)).unwrap();
    let figure = |metric: &str, required: &str, actual: &str| ConditionFigure {
        metric: metric.to_owned(),
        required: required.to_owned(),
        actual: actual.to_owned(),
        met: true,
    };
    assert_eq!(
        history[0].promotion,
        Some(PromotionBasis {
            trigger: "recruit_approved".to_owned(),
            mode: "all".to_owned(),
            conditions: vec![
                figure("personal_sales", "1000.00", "1234.56"),
                figure("order_count", "5", "7"),
            ],
        })
    );
    assert_eq!(history[0].reason, None);
    assert_eq!(history[0].from_tier_name.as_deref(), Some("普通"));
    assert_eq!(history[0].actor_account_id, None);
    let changes = app.audit_changes("distributor.promoted");
    assert_eq!(changes["tier"], json!({"before": "普通", "after": "银牌"}));
    assert_eq!(changes["trigger"]["after"], "recruit_approved");
});

db_test!(
    concurrent_evaluations_promote_once,
    |app: TestApp| async move {
        let owner = app.owner("owner@example.com").await;
        let [basic, _, gold, _] = ladder(&app, &owner).await;
        let id = distributor(&app, owner.merchant_id, "active", Some(basic));
        set_counters(
            &app,
            id,
            Counters {
                direct_recruits: 10,
                ..Counters::default()
            },
        );
        let merchant_id = owner.merchant_id;
        let threads: Vec<_> = (0..6)
            .map(|_| {
                let pool = app.pool.clone();
                std::thread::spawn(move || {
                    let mut conn = pool.get().unwrap();
                    promotion::evaluate(
                        &mut conn,
                        merchant_id,
                        DistributorId(id),
                        Trigger::OrderCompleted,
                        fenxiao::clock::now(),
                    )
                })
            })
            .collect();
        let results: Vec<_> = threads.into_iter().map(|t| t.join().unwrap()).collect();
        let promoted = results.iter().filter(|r| matches!(r, Ok(Some(_)))).count();
        assert_eq!(promoted, 1, "{results:?}");
        assert!(
            results.iter().all(|r| r.is_ok()),
            "no evaluation fails: {results:?}"
        );
        assert_eq!(tier_of(&app, id), Some(gold));
        assert_eq!(app.count("distributor_tier_changes"), 1);
    }
);

db_test!(
    a_staff_tier_change_does_not_overwrite_a_promotion_committed_meanwhile,
    |app: TestApp| async move {
        let owner = app.owner("owner@example.com").await;
        let [basic, silver, gold, _] = ladder(&app, &owner).await;
        let merchant_id = owner.merchant_id;
        let id = distributor(&app, merchant_id, "active", Some(basic));
        // A promotion to gold is under way: its transaction has updated the row, not committed.
        let (promoting, promoted) = std::sync::mpsc::channel::<()>();
        let (commit_now, commit) = std::sync::mpsc::channel::<()>();
        let pool = app.pool.clone();
        let promotion = std::thread::spawn(move || {
            let mut conn = pool.get().unwrap();
            let conn: &mut fenxiao::db::DbConnection = &mut conn;
            conn.transaction::<_, diesel::result::Error, _>(|conn| {
                diesel::sql_query(format!(
                    "UPDATE distributors SET tier_id = {gold} WHERE id = {id}"
                ))
                .execute(conn)?;
                promoting.send(()).unwrap();
                commit.recv().unwrap();
                Ok(())
            })
            .unwrap();
        });
        promoted.recv().unwrap();
        // Staff set silver meanwhile, having seen basic: an upgrade then, a demotion now.
        let pool = app.pool.clone();
        let staff = std::thread::spawn(move || {
            let mut conn = pool.get().unwrap();
            fenxiao::network::set_tier(
                &mut conn,
                merchant_id,
                DistributorId(id),
                Some(silver),
                "区域调整",
                None,
                fenxiao::clock::now(),
            )
        });
        // Let the staff change reach the row: on PostgreSQL it then waits for the promotion's
        // row lock (seen in pg_stat_activity); on SQLite it waits to begin its write transaction.
        let waiting = || -> i64 {
            #[derive(QueryableByName)]
            struct Waiting {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                n: i64,
            }
            let conn: &mut fenxiao::db::DbConnection = &mut app.conn();
            diesel::sql_query(
                "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM pg_stat_activity \
                 WHERE datname = current_database() AND wait_event_type = 'Lock'",
            )
            .get_result::<Waiting>(conn)
            .unwrap()
            .n
        };
        match app.backend {
            fenxiao::db::Backend::Postgres => {
                let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
                while waiting() == 0 {
                    assert!(
                        std::time::Instant::now() < deadline,
                        "the staff change never waited"
                    );
                    std::thread::sleep(std::time::Duration::from_millis(20));
                }
            }
            fenxiao::db::Backend::Sqlite => {
                std::thread::sleep(std::time::Duration::from_millis(200))
            }
        }
        commit_now.send(()).unwrap();
        promotion.join().unwrap();
        let result = staff.join().unwrap();
        let history = promotion::history(&mut app.conn(), merchant_id, DistributorId(id)).unwrap();
        match result {
            // PostgreSQL: the change was decided on basic, which is gone; staff decide again.
            Err(fenxiao::AppError::Conflict(message)) => {
                assert_eq!(message.code(), "tier_changed");
                assert_eq!(tier_of(&app, id), Some(gold), "the promotion stands");
                assert!(history.iter().all(|c| c.cause != "demotion"), "{history:?}");
            }
            // SQLite: writers take turns, so the change read gold and is a demotion with a hold.
            Ok(_) => {
                assert_eq!(app.backend, fenxiao::db::Backend::Sqlite);
                assert_eq!(tier_of(&app, id), Some(silver));
                assert_eq!(history[0].cause, "demotion");
                assert_eq!(history[0].from_tier_id, Some(gold));
            }
            Err(other) => panic!("{other:?}"),
        }
    }
);

db_test!(
    periodic_job_promotes_in_batches,
    |app: TestApp| async move {
        let a = app.owner("a@example.com").await;
        let b = app.owner("b@example.com").await;
        let none = app.owner("none@example.com").await;
        let [a_basic, a_silver, a_gold, _] = ladder(&app, &a).await;
        let [b_basic, _, b_gold, b_diamond] = ladder(&app, &b).await;
        let earns_silver = Counters {
            personal_sales: 200_000,
            order_count: 9,
            ..Counters::default()
        };
        let earns_diamond = Counters {
            team_sales: 9_000_000,
            team_size: 150,
            ..Counters::default()
        };
        let earns_gold = Counters {
            direct_recruits: 12,
            ..Counters::default()
        };
        let plan: Vec<(i64, &str, Option<i64>, Counters, Expected)> = vec![
            (
                a.merchant_id.get(),
                "active",
                Some(a_basic),
                earns_silver,
                Some(a_silver),
            ),
            (
                a.merchant_id.get(),
                "active",
                Some(a_basic),
                Counters::default(),
                Some(a_basic),
            ),
            (
                a.merchant_id.get(),
                "active",
                None,
                earns_gold,
                Some(a_gold),
            ),
            (
                a.merchant_id.get(),
                "frozen",
                Some(a_basic),
                earns_gold,
                Some(a_basic),
            ),
            (
                b.merchant_id.get(),
                "active",
                Some(b_basic),
                earns_diamond,
                Some(b_diamond),
            ),
            (
                b.merchant_id.get(),
                "active",
                Some(b_gold),
                earns_silver,
                Some(b_gold),
            ),
            (
                b.merchant_id.get(),
                "ended",
                Some(b_basic),
                earns_diamond,
                Some(b_basic),
            ),
            (none.merchant_id.get(), "active", None, earns_diamond, None),
            (
                b.merchant_id.get(),
                "active",
                Some(b_basic),
                earns_gold,
                Some(b_gold),
            ),
        ];
        let ids: Vec<i64> = plan
            .iter()
            .map(|(merchant, status, tier, counters, _)| {
                let id = distributor(&app, MerchantId(*merchant), status, *tier);
                set_counters(&app, id, *counters);
                id
            })
            .collect();
        let now = fenxiao::clock::now();

        // Asked to stop after the first batch, it stops there.
        let mut asked = 0;
        let report = promotion::run_periodic(&mut app.conn(), now, 3, || {
            asked += 1;
            asked <= 1
        })
        .unwrap();
        assert!(report.interrupted);
        assert_eq!(report.batches, 1);
        assert_eq!(report.evaluated, 3);
        assert_eq!(report.promoted, 2, "{report:?}");

        // Seven active distributors, three at a time: three batches.
        let report = promotion::run_periodic(&mut app.conn(), now, 3, || true).unwrap();
        assert_eq!(report.batches, 3, "{report:?}");
        assert_eq!(report.evaluated, 7);
        assert_eq!(report.promoted, 2, "the rest of the promotions");
        assert_eq!(report.failed, 0);
        assert!(!report.interrupted);
        for (id, (_, _, _, _, expected)) in ids.iter().zip(&plan) {
            assert_eq!(tier_of(&app, *id), *expected, "distributor {id}");
        }
        let periodic: Vec<String> = distributor_tier_changes::table
            .select(distributor_tier_changes::detail)
            .load(&mut *app.conn())
            .unwrap();
        assert_eq!(periodic.len(), 4);
        assert!(periodic
            .iter()
            .all(|d| d.contains("\"trigger\":\"periodic\"")));

        let report = promotion::run_periodic(&mut app.conn(), now, 500, || true).unwrap();
        assert_eq!(report.batches, 1);
        assert_eq!(report.promoted, 0, "a second sweep finds nothing new");
    }
);

db_test!(
    a_demotion_holds_promotion_until_released,
    |app: TestApp| async move {
        let owner = app.owner("owner@example.com").await;
        let other = app.owner("other@example.com").await;
        let [basic, silver, gold, _] = ladder(&app, &owner).await;
        let m = owner.merchant_id;
        // Ten recruits: gold's figures are met throughout.
        let id = distributor(&app, m, "active", Some(gold));
        set_counters(
            &app,
            id,
            Counters {
                direct_recruits: 10,
                ..Counters::default()
            },
        );
        let tier_path = format!("/api/v1/distributors/{id}/tier");
        let hold_path = format!("/api/v1/distributors/{id}/promotion-hold");
        let body: Value = app
            .bearer(&owner)
            .expecting(200)
            .put(
                &tier_path,
                &json!({ "tier_id": basic, "reason": "违规推广" }),
            )
            .await;
        assert_eq!(body["tier_id"], basic);
        assert!(body["promotion_held_since"].is_string(), "{body}");
        let changes = app.audit_changes("distributor.tier_set");
        assert_eq!(changes["cause"]["after"], "demotion");
        assert_eq!(
            changes["promotion_held"],
            json!({ "before": false, "after": true })
        );

        // No event and no sweep promotes them back.
        let now = fenxiao::clock::now();
        for trigger in [
            Trigger::OrderCompleted,
            Trigger::RecruitApproved,
            Trigger::TeamChanged,
        ] {
            let result =
                promotion::evaluate(&mut app.conn(), m, DistributorId(id), trigger, now).unwrap();
            assert_eq!(result, None, "{trigger:?}");
        }
        assert!(fenxiao::network::record_sale(
            &mut app.conn(),
            m,
            DistributorId(id),
            "SO-H1",
            50_000,
            now
        )
        .unwrap());
        assert_eq!(
            tier_of(&app, id),
            Some(basic),
            "a sale does not undo the demotion"
        );
        let report = promotion::run_periodic(&mut app.conn(), now, 500, || true).unwrap();
        assert_eq!(report.promoted, 0, "{report:?}");
        assert_eq!(report.failed, 0, "a held distributor is no failure");
        assert_eq!(report.evaluated, 0, "a held distributor is passed over");
        assert_eq!(tier_of(&app, id), Some(basic));

        // Another merchant's staff cannot release it; releasing twice is harmless.
        let res = app.bearer(&other).delete_raw(&hold_path).await;
        assert_eq!(res.status(), 404);
        let res = app
            .bearer(&owner)
            .delete_raw("/api/v1/distributors/987654321/promotion-hold")
            .await;
        assert_eq!(res.status(), 404);
        assert_eq!(app.audit_count("distributor.promotion_hold_released"), 0);
        for _ in 0..2 {
            let body: Value = app.bearer(&owner).expecting(200).delete(&hold_path).await;
            assert_eq!(body["promotion_held_since"], Value::Null);
            assert_eq!(
                body["tier_id"], basic,
                "releasing promotes nobody by itself"
            );
        }
        assert_eq!(app.audit_count("distributor.promotion_hold_released"), 1);
        let changes = app.audit_changes("distributor.promotion_hold_released");
        assert!(changes["promotion_held_since"]["before"].is_string());

        // Released: the next evaluation promotes.
        let promoted = promotion::evaluate(
            &mut app.conn(),
            m,
            DistributorId(id),
            Trigger::OrderCompleted,
            now,
        )
        .unwrap()
        .expect("promoted once released");
        assert_eq!(promoted.to_tier_id, gold);

        // Demoted again, then raised by hand to silver: the raise ends the hold, and the periodic
        // sweep promotes them to the gold they earned.
        app.bearer(&owner)
            .put_raw(
                &tier_path,
                &json!({ "tier_id": basic, "reason": "再次违规" }),
            )
            .await;
        let body: Value = app
            .bearer(&owner)
            .expecting(200)
            .put(
                &tier_path,
                &json!({ "tier_id": silver, "reason": "整改完成" }),
            )
            .await;
        assert_eq!(body["promotion_held_since"], Value::Null);
        let changes = app.audit_changes("distributor.tier_set");
        assert_eq!(changes["cause"]["after"], "manual");
        assert_eq!(
            changes["promotion_held"],
            json!({ "before": true, "after": false })
        );
        let report = promotion::run_periodic(&mut app.conn(), now, 500, || true).unwrap();
        assert_eq!(report.promoted, 1, "{report:?}");
        assert_eq!(tier_of(&app, id), Some(gold));

        // Removing the tier altogether is a demotion too.
        app.bearer(&owner)
            .put_raw(
                &tier_path,
                &json!({ "tier_id": null, "reason": "取消等级" }),
            )
            .await;
        assert_eq!(
            promotion::evaluate(
                &mut app.conn(),
                m,
                DistributorId(id),
                Trigger::Periodic,
                now
            )
            .unwrap(),
            None
        );
        assert_eq!(tier_of(&app, id), None);
        let history = promotion::history(&mut app.conn(), m, DistributorId(id)).unwrap();
        let causes: Vec<&str> = history.iter().map(|c| c.cause.as_str()).collect();
        assert_eq!(
            causes,
            vec![
                "demotion",
                "promotion",
                "manual",
                "demotion",
                "promotion",
                "demotion"
            ],
            "newest first"
        );
    }
);
