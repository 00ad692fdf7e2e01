//! Leaderboards and sales contests: figures against hand-computed expectations (periods in the
//! merchant's time zone, ties, other tenants), idempotent sale facts, the contest lifecycle and
//! its refused transitions, freezing at the end (stable afterwards, once under concurrency), the
//! distributors' masked view, and bad input.

use crate::harness::{
    assert_problem, expect_json, problem, AuditPage, Member, NewDistributor, TestApp,
};
use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use fenxiao::contests::facts::{self, Recorded};
use fenxiao::contests::standings;
use fenxiao::db::ids::{DistributorId, MemberId, MerchantId};
use fenxiao::db::schema::{contest_standings, contests, merchants};
use fenxiao::db::schema::{customer_bindings as cb, distributors};
use fenxiao::db::write_transaction;
use fenxiao::AppError;
use serde::Deserialize;
use serde_json::{json, Value};

/// A UTC instant, written as in the tables.
fn utc(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f").unwrap()
}

fn insert_member(app: &TestApp, merchant_id: MerchantId, phone: &str, name: Option<&str>) -> i64 {
    (app.insert_member(merchant_id, phone, name, utc("2026-01-01 00:00:00"))).get()
}

/// A distributor with its own row in the closure table; the parent, if any, recruited it.
fn insert_distributor(
    app: &TestApp,
    merchant_id: MerchantId,
    member_id: i64,
    code: &str,
    parent_id: Option<i64>,
    joined_at: NaiveDateTime,
) -> i64 {
    (app.insert_distributor(NewDistributor {
        parent_id: parent_id.map(DistributorId),
        ..NewDistributor::root(merchant_id, MemberId(member_id), code, joined_at)
    }))
    .get()
}

/// A member who is a distributor, joined long ago, at the root of the tree.
fn distributor(app: &TestApp, merchant_id: MerchantId, code: &str, name: &str) -> i64 {
    let phone = format!(
        "137{:08}",
        (code.bytes().map(u64::from).sum::<u64>() * 7919 + merchant_id.get() as u64) % 100_000_000
    );
    let member = insert_member(app, merchant_id, &phone, Some(name));
    insert_distributor(
        app,
        merchant_id,
        member,
        code,
        None,
        utc("2025-06-01 00:00:00"),
    )
}

fn sale(
    app: &TestApp,
    merchant_id: MerchantId,
    distributor_id: i64,
    order: &str,
    fen: i64,
    at: &str,
) {
    let recorded = facts::record_sale(
        &mut app.conn(),
        merchant_id,
        DistributorId(distributor_id),
        order,
        fen,
        utc(at),
    )
    .unwrap();
    assert_eq!(recorded, Recorded::New, "{order}");
}

/// A binding of the member to the distributor from `starts_at`; closed at `ended_at` if given.
fn bind(
    app: &TestApp,
    merchant_id: MerchantId,
    member_id: i64,
    distributor_id: i64,
    starts_at: &str,
    ended_at: Option<&str>,
) {
    diesel::insert_into(cb::table)
        .values((
            cb::merchant_id.eq(merchant_id),
            cb::member_id.eq(MemberId(member_id)),
            cb::distributor_id.eq(DistributorId(distributor_id)),
            cb::source.eq("visit"),
            cb::starts_at.eq(utc(starts_at)),
            cb::ended_at.eq(ended_at.map(utc)),
            cb::end_reason.eq(ended_at.map(|_| "superseded")),
            cb::created_at.eq(utc(starts_at)),
        ))
        .execute(&mut *app.conn())
        .unwrap();
}

fn set_timezone(app: &TestApp, merchant_id: MerchantId, zone: &str) {
    diesel::update(merchants::table.find(merchant_id))
        .set(merchants::timezone.eq(zone))
        .execute(&mut *app.conn())
        .unwrap();
}

/// A leaderboard or a contest's standings, with what the figures tests look at.
#[derive(Debug, Deserialize)]
struct Board {
    items: Vec<Place>,
}

#[derive(Debug, Deserialize)]
struct Place {
    code: String,
    rank: i64,
    /// Sales boards only.
    amount: Option<String>,
    count: i64,
}

fn board(answer: &Value) -> Board {
    serde_json::from_value(answer.clone()).unwrap_or_else(|e| panic!("{e}: {answer}"))
}

/// `[code, amount or count]` of each item, in order.
fn ranked(answer: &Value) -> Vec<(String, String)> {
    board(answer)
        .items
        .into_iter()
        .map(|place| {
            let figure = match place.amount {
                None => place.count.to_string(),
                Some(amount) => format!("{amount}/{}", place.count),
            };
            (place.code, figure)
        })
        .collect()
}

fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    expected
        .iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

fn ranks(answer: &Value) -> Vec<i64> {
    board(answer).items.iter().map(|place| place.rank).collect()
}

// ---- Leaderboards ---------------------------------------------------------------------------

db_test!(
    sales_by_day_week_month_and_range_in_the_merchants_time_zone,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let shop = owner.merchant_id;
        let token = owner.access_token.as_str();
        let d1 = distributor(&app, shop, "D1", "王丽");
        let d2 = distributor(&app, shop, "D2", "李娜");
        let d3 = distributor(&app, shop, "D3", "张伟");
        // Shanghai is UTC+8: its 2026-03-02 runs from 2026-03-01 16:00 UTC to 2026-03-02 16:00.
        sale(&app, shop, d1, "O-1", 10_000, "2026-03-01 15:59:59.999999"); // 03-01 local
        sale(&app, shop, d1, "O-2", 5_000, "2026-03-01 16:00:00"); // 03-02 00:00 local
        sale(&app, shop, d2, "O-3", 8_000, "2026-03-02 15:59:59.999999"); // 03-02 last instant
        sale(&app, shop, d2, "O-4", 3_000, "2026-03-02 16:00:00"); // 03-03
        sale(&app, shop, d3, "O-5", 5_000, "2026-03-02 01:00:00"); // 03-02, ties D1 later
                                                                   // Another merchant's distributor sells far more in the same hours.
        let other = app.owner("other@example.com").await.merchant_id;
        let theirs = distributor(&app, other, "THEIRS", "赵六");
        sale(&app, other, theirs, "O-1", 99_900, "2026-03-02 02:00:00");

        let day = app
            .bearer(token)
            .get::<Value>("/api/v1/leaderboards?metric=sales&period=day&date=2026-03-02")
            .await;
        assert_eq!(
            ranked(&day),
            pairs(&[("D2", "80.00/1"), ("D1", "50.00/1"), ("D3", "50.00/1")])
        );
        assert_eq!(ranks(&day), [1, 2, 3]);
        assert_eq!(day["participants"], 3);
        assert_eq!(day["from"], "2026-03-02");
        assert_eq!(day["to"], "2026-03-02");
        assert_eq!(day["timezone"], "Asia/Shanghai");
        assert_eq!(day["starts_at"], "2026-03-01T16:00:00Z");
        assert_eq!(day["ends_at"], "2026-03-02T16:00:00Z");
        assert_eq!(day["items"][0]["name"], "李娜");
        assert_eq!(day["items"][0]["distributor_id"], d2);
        assert_eq!(day["items"][0]["status"], "active");
        assert_eq!(day["items"][0]["reached_at"], "2026-03-02T15:59:59.999999Z");

        // 2026-03-02 is a Monday: its week runs to Sunday 03-08; D1's 100.00 fell on Sunday 03-01.
        let week = app
            .bearer(token)
            .get::<Value>("/api/v1/leaderboards?metric=sales&period=week&date=2026-03-05")
            .await;
        assert_eq!(
            (week["from"].as_str(), week["to"].as_str()),
            (Some("2026-03-02"), Some("2026-03-08"))
        );
        assert_eq!(
            ranked(&week),
            pairs(&[("D2", "110.00/2"), ("D1", "50.00/1"), ("D3", "50.00/1")])
        );

        let month = app
            .bearer(token)
            .get::<Value>("/api/v1/leaderboards?metric=sales&period=month&date=2026-03-31")
            .await;
        assert_eq!(
            ranked(&month),
            pairs(&[("D1", "150.00/2"), ("D2", "110.00/2"), ("D3", "50.00/1")])
        );

        let february_to_first = app
            .bearer(token)
            .get::<Value>(
                "/api/v1/leaderboards?metric=sales&period=custom&from=2026-02-01&to=2026-03-01",
            )
            .await;
        assert_eq!(ranked(&february_to_first), pairs(&[("D1", "100.00/1")]));
        assert_eq!(february_to_first["participants"], 1);

        let top_two = app
            .bearer(token)
            .get::<Value>("/api/v1/leaderboards?metric=sales&period=month&date=2026-03-01&limit=2")
            .await;
        assert_eq!(ranked(&top_two).len(), 2);
        assert_eq!(
            top_two["participants"], 3,
            "the total counts everyone ranked"
        );

        // The same facts for a merchant in UTC: both of D1's sales fall on 2026-03-01.
        set_timezone(&app, shop, "UTC");
        let utc_day = app
            .bearer(token)
            .get::<Value>("/api/v1/leaderboards?metric=sales&period=day&date=2026-03-01")
            .await;
        assert_eq!(ranked(&utc_day), pairs(&[("D1", "150.00/2")]));
        assert_eq!(utc_day["starts_at"], "2026-03-01T00:00:00Z");
    }
);

db_test!(
    exact_ties_go_to_the_lower_distributor_id,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let shop = owner.merchant_id;
        let first = distributor(&app, shop, "FIRST", "甲");
        let second = distributor(&app, shop, "SECOND", "乙");
        let third = distributor(&app, shop, "THIRD", "丙");
        assert!(first < second && second < third);
        // Inserted in reverse order, all at the same instant.
        sale(&app, shop, third, "T-3", 2_000, "2026-05-10 04:00:00");
        sale(&app, shop, second, "T-2", 2_000, "2026-05-10 04:00:00");
        sale(&app, shop, first, "T-1", 2_000, "2026-05-10 04:00:00");
        // A zero-amount order ranks nobody.
        let zero = distributor(&app, shop, "ZERO", "丁");
        sale(&app, shop, zero, "T-0", 0, "2026-05-10 05:00:00");
        let path = "/api/v1/leaderboards?metric=sales&period=day&date=2026-05-10";
        for _ in 0..3 {
            let board = app.bearer(&owner).get::<Value>(path).await;
            assert_eq!(
                ranked(&board),
                pairs(&[
                    ("FIRST", "20.00/1"),
                    ("SECOND", "20.00/1"),
                    ("THIRD", "20.00/1")
                ])
            );
            assert_eq!(ranks(&board), [1, 2, 3]);
        }
    }
);

db_test!(
    new_customers_and_recruits_by_period,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let shop = owner.merchant_id;
        let token = owner.access_token.as_str();
        let p = distributor(&app, shop, "P", "彭");
        let q = distributor(&app, shop, "Q", "秦");
        let m1 = insert_member(&app, shop, "13900000001", None);
        let m2 = insert_member(&app, shop, "13900000002", None);
        let m3 = insert_member(&app, shop, "13900000003", None);
        let m4 = insert_member(&app, shop, "13900000004", None);
        let m5 = insert_member(&app, shop, "13900000005", None);
        // Day 2026-04-10 in Shanghai: [04-09 16:00 UTC, 04-10 16:00 UTC).
        bind(&app, shop, m1, p, "2026-04-09 16:00:00", None); // first instant: in
        bind(&app, shop, m2, p, "2026-04-09 15:59:59", None); // the day before: out
                                                              // m3 bound to P, moved to Q, and back to P the same day: one new customer for P.
        bind(
            &app,
            shop,
            m3,
            p,
            "2026-04-10 01:00:00",
            Some("2026-04-10 02:00:00"),
        );
        bind(
            &app,
            shop,
            m3,
            q,
            "2026-04-10 02:00:00",
            Some("2026-04-10 03:00:00"),
        );
        bind(&app, shop, m3, p, "2026-04-10 03:00:00", None);
        bind(&app, shop, m4, q, "2026-04-10 15:59:59", None); // last second: in
        bind(&app, shop, m5, q, "2026-04-10 16:00:00", None); // the day after: out
                                                              // Another merchant's bindings on the same day.
        let other = app.owner("other@example.com").await.merchant_id;
        let theirs = distributor(&app, other, "THEIRS", "赵");
        for i in 0..3 {
            let m = insert_member(&app, other, &format!("1360000000{i}"), None);
            bind(&app, other, m, theirs, "2026-04-10 05:00:00", None);
        }

        let customers = app
            .bearer(token)
            .get::<Value>("/api/v1/leaderboards?metric=new_customers&period=day&date=2026-04-10")
            .await;
        // P: m1 and m3 (reached 03:00); Q: m3 (02:00) and m4 (15:59:59) → tie at 2, P first.
        assert_eq!(ranked(&customers), pairs(&[("P", "2"), ("Q", "2")]));
        assert!(customers["items"][0]["amount"].is_null());
        assert_eq!(customers["items"][0]["reached_at"], "2026-04-10T03:00:00Z");

        // Recruits: distributors who joined under P or Q that day.
        let recruit = |code: &str, parent: i64, joined: &str| {
            let m = insert_member(
                &app,
                shop,
                &format!("1380000{:04}", code.len() * 97 + parent as usize),
                None,
            );
            insert_distributor(&app, shop, m, code, Some(parent), utc(joined))
        };
        recruit("R1", p, "2026-04-09 16:00:00"); // in
        recruit("R22", p, "2026-04-09 15:59:59"); // out
        recruit("R333", q, "2026-04-10 08:00:00"); // in
        recruit("R4444", q, "2026-04-10 09:00:00"); // in
                                                    // A root distributor joining that day is nobody's recruit.
        let lone = insert_member(&app, shop, "13811112222", None);
        insert_distributor(&app, shop, lone, "LONE", None, utc("2026-04-10 08:00:00"));
        let m = insert_member(&app, other, "13622223333", None);
        insert_distributor(
            &app,
            other,
            m,
            "THEIR-R",
            Some(theirs),
            utc("2026-04-10 08:00:00"),
        );

        let recruits = app
            .bearer(token)
            .get::<Value>("/api/v1/leaderboards?metric=recruits&period=day&date=2026-04-10")
            .await;
        assert_eq!(ranked(&recruits), pairs(&[("Q", "2"), ("P", "1")]));
        assert_eq!(recruits["participants"], 2);
    }
);

db_test!(
    recruits_count_the_recruiter_at_join_whatever_moves_follow,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let shop = owner.merchant_id;
        let token = owner.access_token.as_str();
        // Joined through the tree's one writer, as applications and registrations do.
        let join = |phone: &str, sponsor: Option<DistributorId>, at: &str| {
            let member = insert_member(&app, shop, phone, None);
            fenxiao::network::join(&mut app.conn(), shop, MemberId(member), sponsor, utc(at))
                .unwrap()
        };
        let p = join("13900000001", None, "2025-06-01 00:00:00");
        let q = join("13900000002", None, "2025-06-01 00:00:00");
        let code = |id: DistributorId| -> String {
            distributors::table
                .find(id)
                .select(distributors::code)
                .first(&mut *app.conn())
                .unwrap()
        };
        // Day 2026-04-10 in Shanghai: P recruits two, Q one.
        let r1 = join("13900000011", Some(p), "2026-04-10 01:00:00");
        join("13900000012", Some(p), "2026-04-10 02:00:00");
        join("13900000013", Some(q), "2026-04-10 03:00:00");
        // Placed under the default sponsor (Q): nobody's recruit.
        let res = app
            .bearer(token)
            .put_raw(
                "/api/v1/distribution/settings",
                &json!({
                    "entry_mode": "application",
                    "commission_depth": 2,
                    "self_purchase_commission": false,
                    "binding_mode": "first_touch",
                    "protection_days": 0,
                    "default_sponsor_id": q,
                }),
            )
            .await;
        assert_eq!(res.status(), 200);
        let placed = join("13900000014", None, "2026-04-10 04:00:00");
        let parent: Option<DistributorId> = distributors::table
            .find(placed)
            .select(distributors::parent_id)
            .first(&mut *app.conn())
            .unwrap();
        assert_eq!(parent, Some(q), "the default sponsor applied");
        let path = "/api/v1/leaderboards?metric=recruits&period=day&date=2026-04-10";
        let expected = pairs(&[(&code(p), "2"), (&code(q), "1")]);
        assert_eq!(
            ranked(&app.bearer(token).get::<Value>(path).await),
            expected
        );

        // Staff move P's recruit under Q: the tree changes, the past period does not.
        let res = app
            .bearer(token)
            .post_raw(
                &format!("/api/v1/distributors/{r1}/move"),
                &json!({ "parent_id": q, "reason": "调整团队" }),
            )
            .await;
        assert_eq!(res.status(), 200);
        let parent: Option<DistributorId> = distributors::table
            .find(r1)
            .select(distributors::parent_id)
            .first(&mut *app.conn())
            .unwrap();
        assert_eq!(parent, Some(q));
        assert_eq!(
            ranked(&app.bearer(token).get::<Value>(path).await),
            expected
        );

        // Staff making a member a distributor under P: placed, not recruited.
        let member = insert_member(&app, shop, "13900000015", None);
        let res = app
            .bearer(token)
            .post_raw(
                "/api/v1/distributors",
                &json!({ "member_id": member, "sponsor_id": p }),
            )
            .await;
        assert_eq!(res.status(), 201);
        let today = app
            .bearer(token)
            .get::<Value>("/api/v1/leaderboards?metric=recruits&period=day")
            .await;
        assert!(today["items"].as_array().unwrap().is_empty(), "{today}");
    }
);

db_test!(
    sale_facts_are_recorded_once_per_order,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let shop = owner.merchant_id;
        let d = distributor(&app, shop, "D", "丁");
        let e = distributor(&app, shop, "E", "鄂");
        let other = app.owner("other@example.com").await.merchant_id;
        let theirs = distributor(&app, other, "THEIRS", "赵");
        let at = utc("2026-03-02 04:00:00");
        let record = |merchant, distributor, order: &str, fen| {
            facts::record_sale(&mut app.conn(), merchant, distributor, order, fen, at)
        };
        assert_eq!(
            record(shop, DistributorId(d), "SO-1", 1_000).unwrap(),
            Recorded::New
        );
        assert_eq!(
            record(shop, DistributorId(d), "SO-1", 1_000).unwrap(),
            Recorded::AlreadyRecorded
        );
        // The same reference in another merchant is another order.
        assert_eq!(
            record(other, DistributorId(theirs), "SO-1", 7_000).unwrap(),
            Recorded::New
        );
        assert!(matches!(
            record(shop, DistributorId(e), "SO-1", 1_000),
            Err(AppError::Conflict(m)) if m.code() == "sale_already_recorded"
        ));
        assert!(matches!(
            record(shop, DistributorId(d), "SO-1", 1_001),
            Err(AppError::Conflict(m)) if m.code() == "sale_already_recorded"
        ));
        // Another merchant's distributor, bad amounts, bad references: refused, nothing written.
        assert!(matches!(
            record(shop, DistributorId(theirs), "SO-2", 1_000),
            Err(AppError::NotFound)
        ));
        for (order, fen) in [
            ("SO-3", -1),
            ("SO-4", fenxiao::money::MAX_FEN + 1),
            ("", 5),
            ("   ", 5),
        ] {
            assert!(matches!(
                record(shop, DistributorId(d), order, fen),
                Err(AppError::Unprocessable(m)) if m.code() == "invalid_sale_fact"
            ));
        }
        assert!(matches!(
            record(shop, DistributorId(d), &"x".repeat(65), 5),
            Err(AppError::Unprocessable(_))
        ));
        assert_eq!(app.count("distributor_sales"), 2);

        // Inside the caller's transaction a repeat leaves the transaction usable (PostgreSQL aborts
        // a transaction on a failed statement; ON CONFLICT never fails).
        let outcome = write_transaction(&mut app.conn(), |conn| {
            let first = facts::record_sale(conn, shop, DistributorId(d), "SO-5", 500, at)?;
            let again = facts::record_sale(conn, shop, DistributorId(d), "SO-5", 500, at)?;
            let third = facts::record_sale(conn, shop, DistributorId(e), "SO-6", 600, at)?;
            Ok::<_, AppError>((first, again, third))
        })
        .unwrap();
        assert_eq!(
            outcome,
            (Recorded::New, Recorded::AlreadyRecorded, Recorded::New)
        );
        assert_eq!(app.count("distributor_sales"), 4);

        // Many threads recording the same order: one row.
        let pool = app.pool.clone();
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let pool = pool.clone();
                std::thread::spawn(move || {
                    let mut conn = pool.get().unwrap();
                    facts::record_sale(&mut conn, shop, DistributorId(d), "SO-RACE", 900, at)
                })
            })
            .collect();
        let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        assert_eq!(
            results
                .iter()
                .filter(|r| matches!(r, Ok(Recorded::New)))
                .count(),
            1
        );
        assert!(results.iter().all(|r| r.is_ok()), "{results:?}");
        assert_eq!(app.count("distributor_sales"), 5);
    }
);

// ---- Contests -------------------------------------------------------------------------------

/// Today in Shanghai (the merchants' default zone).
fn today() -> NaiveDate {
    (chrono::Utc::now() + Duration::hours(8)).date_naive()
}

fn contest_body(name: &str, metric: &str, start: NaiveDate, end: NaiveDate) -> Value {
    json!({
        "name": name,
        "description": "前三名有奖",
        "metric": metric,
        "start_date": start.to_string(),
        "end_date": end.to_string(),
        "prizes": [
            { "rank_from": 1, "rank_to": 1, "description": "冠军：iPad", "amount": "3999.00" },
            { "rank_from": 2, "rank_to": 3, "description": "茶礼盒" }
        ]
    })
}

async fn create(app: &TestApp, token: &str, body: Value) -> Value {
    let res = app
        .bearer(token)
        .send_raw(reqwest::Method::POST, "/api/v1/contests", Some(&body))
        .await;
    expect_json(res, 201).await
}

async fn act(app: &TestApp, token: &str, id: i64, action: &str) -> reqwest::Response {
    let body = (action == "cancel").then(|| json!({ "reason": "活动调整" }));
    app.bearer(token)
        .send_raw(
            reqwest::Method::POST,
            &format!("/api/v1/contests/{id}/{action}"),
            body.as_ref(),
        )
        .await
}

async fn expect_transition_refused(res: reqwest::Response, from: &str) {
    assert_eq!(res.status(), 409);
    let body = problem(res).await;
    assert_eq!(body["code"], "invalid_transition");
    assert!(body["detail"].as_str().unwrap().contains(from), "{body}");
}

db_test!(
    contest_lifecycle_and_refused_transitions,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let token = owner.access_token.as_str();
        let today = today();

        // A draft running from yesterday for a week.
        let draft = create(
            &app,
            token,
            contest_body(
                "周冠军",
                "sales",
                today - Duration::days(1),
                today + Duration::days(6),
            ),
        )
        .await;
        let id = draft["id"].as_i64().unwrap();
        assert_eq!(draft["status"], "draft");
        assert_eq!(draft["timezone"], "Asia/Shanghai");
        assert_eq!(draft["prizes"][0]["amount"], "3999.00");
        assert!(draft["prizes"][1]["amount"].is_null());
        let start = today - Duration::days(1);
        assert_eq!(
            draft["starts_at"],
            format!("{}T16:00:00Z", start - Duration::days(1))
        );

        // Changed while a draft: prizes replaced.
        let mut changed = contest_body(
            "周销售冠军",
            "sales",
            today - Duration::days(1),
            today + Duration::days(6),
        );
        changed["prizes"] = json!([{ "rank_from": 1, "rank_to": 5, "description": "优胜奖" }]);
        let res = app
            .bearer(token)
            .send_raw(
                reqwest::Method::PUT,
                &format!("/api/v1/contests/{id}"),
                Some(&changed),
            )
            .await;
        let after: Value = expect_json(res, 200).await;
        assert_eq!(after["name"], "周销售冠军");
        assert_eq!(after["prizes"].as_array().unwrap().len(), 1);

        // Published: running at once (its period has begun).
        let res = act(&app, token, id, "publish").await;
        let running: Value = expect_json(res, 200).await;
        assert_eq!(running["status"], "running");
        assert!(running["published_at"].is_string());
        expect_transition_refused(act(&app, token, id, "publish").await, "running").await;
        let res = app
            .bearer(token)
            .send_raw(
                reqwest::Method::PUT,
                &format!("/api/v1/contests/{id}"),
                Some(&changed),
            )
            .await;
        expect_transition_refused(res, "running").await;
        let res = app
            .bearer(token)
            .send_raw(
                reqwest::Method::DELETE,
                &format!("/api/v1/contests/{id}"),
                None,
            )
            .await;
        expect_transition_refused(res, "running").await;
        let standings = app
            .bearer(token)
            .get::<Value>(&format!("/api/v1/contests/{id}/standings"))
            .await;
        assert_eq!(standings["ranking"], "live");

        // Cancelled with a reason; nothing more can happen to it.
        let res = act(&app, token, id, "cancel").await;
        let cancelled: Value = expect_json(res, 200).await;
        assert_eq!(cancelled["status"], "cancelled");
        assert_eq!(cancelled["cancel_reason"], "活动调整");
        expect_transition_refused(act(&app, token, id, "cancel").await, "cancelled").await;
        expect_transition_refused(act(&app, token, id, "publish").await, "cancelled").await;
        let standings = app
            .bearer(token)
            .get::<Value>(&format!("/api/v1/contests/{id}/standings"))
            .await;
        assert_eq!(standings["ranking"], "none");

        // A future contest is scheduled when published, can still change, and can be cancelled.
        let later = create(
            &app,
            token,
            contest_body(
                "下月拉新赛",
                "new_customers",
                today + Duration::days(10),
                today + Duration::days(20),
            ),
        )
        .await;
        let later_id = later["id"].as_i64().unwrap();
        // A draft cannot be cancelled (it is deleted instead).
        expect_transition_refused(act(&app, token, later_id, "cancel").await, "draft").await;
        let scheduled: Value = act(&app, token, later_id, "publish")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(scheduled["status"], "scheduled");
        let body = contest_body(
            "下月拉新赛",
            "recruits",
            today + Duration::days(11),
            today + Duration::days(20),
        );
        let res = app
            .bearer(token)
            .send_raw(
                reqwest::Method::PUT,
                &format!("/api/v1/contests/{later_id}"),
                Some(&body),
            )
            .await;
        let moved: Value = expect_json(res, 200).await;
        assert_eq!(moved["metric"], "recruits");
        assert_eq!(moved["status"], "scheduled");
        // …but not into the past.
        let body = contest_body(
            "下月拉新赛",
            "recruits",
            today - Duration::days(30),
            today - Duration::days(20),
        );
        let res = app
            .bearer(token)
            .send_raw(
                reqwest::Method::PUT,
                &format!("/api/v1/contests/{later_id}"),
                Some(&body),
            )
            .await;
        assert_eq!(res.status(), 422);
        assert_eq!(problem(res).await["errors"][0]["code"], "period_over");
        assert_eq!(act(&app, token, later_id, "cancel").await.status(), 200);

        // A past period published: ended at once; its result stands.
        let past = create(
            &app,
            token,
            contest_body(
                "上月冠军",
                "sales",
                today - Duration::days(40),
                today - Duration::days(31),
            ),
        )
        .await;
        let past_id = past["id"].as_i64().unwrap();
        let ended: Value = act(&app, token, past_id, "publish")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(ended["status"], "ended");
        expect_transition_refused(act(&app, token, past_id, "cancel").await, "ended").await;

        // A draft can be deleted; then it is gone.
        let gone = create(&app, token, contest_body("草稿", "sales", today, today)).await;
        let gone_id = gone["id"].as_i64().unwrap();
        let res = app
            .bearer(token)
            .send_raw(
                reqwest::Method::DELETE,
                &format!("/api/v1/contests/{gone_id}"),
                None,
            )
            .await;
        assert_eq!(res.status(), 204);
        assert_eq!(
            app.bearer(token)
                .get_raw(&format!("/api/v1/contests/{gone_id}"))
                .await
                .status(),
            404
        );

        // The list, newest first, and by status.
        let all = app.bearer(token).get::<Value>("/api/v1/contests").await;
        let names: Vec<&str> = all["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["上月冠军", "下月拉新赛", "周销售冠军"]);
        let cancelled = app
            .bearer(token)
            .get::<Value>("/api/v1/contests?status=cancelled")
            .await;
        assert_eq!(cancelled["items"].as_array().unwrap().len(), 2);
        let ended = app
            .bearer(token)
            .get::<Value>("/api/v1/contests?status=ended")
            .await;
        assert_eq!(ended["items"][0]["id"], past_id);
        let page = app
            .bearer(token)
            .get::<Value>("/api/v1/contests?limit=2")
            .await;
        assert_eq!(page["items"].as_array().unwrap().len(), 2);
        let next = page["next_cursor"].as_i64().unwrap();
        let rest = app
            .bearer(token)
            .get::<Value>(&format!("/api/v1/contests?limit=2&cursor={next}"))
            .await;
        assert_eq!(rest["items"][0]["name"], "周销售冠军");
        assert!(rest["next_cursor"].is_null());

        // Every change is in the audit log.
        let log: AuditPage = app
            .bearer(token)
            .get("/api/v1/audit-events?limit=100")
            .await;
        let actions: Vec<&str> = log.items.iter().map(|e| e.action.as_str()).collect();
        for action in [
            "contest.created",
            "contest.updated",
            "contest.published",
            "contest.cancelled",
            "contest.deleted",
        ] {
            assert!(actions.contains(&action), "{action} in {actions:?}");
        }
    }
);

db_test!(
    the_final_ranking_is_frozen_once_and_never_recomputed,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let shop = owner.merchant_id;
        let token = owner.access_token.as_str();
        let a = distributor(&app, shop, "A", "安");
        let b = distributor(&app, shop, "B", "白");
        let c = distributor(&app, shop, "C", "陈");
        let d = distributor(&app, shop, "D", "邓");
        // A contest over 2026-02-01 … 2026-02-07 (Shanghai): [01-31 16:00, 02-07 16:00) UTC.
        sale(&app, shop, a, "F-1", 30_000, "2026-02-01 02:00:00");
        sale(&app, shop, b, "F-2", 50_000, "2026-02-03 02:00:00");
        sale(&app, shop, c, "F-3", 30_000, "2026-02-05 02:00:00"); // ties A, later
        sale(&app, shop, d, "F-4", 90_000, "2026-02-07 16:00:00"); // first instant after: out
        sale(&app, shop, d, "F-5", 1_000, "2026-01-31 15:59:59"); // before: out

        let contest = create(
            &app,
            token,
            contest_body(
                "二月冠军",
                "sales",
                NaiveDate::from_ymd_opt(2026, 2, 1).unwrap(),
                NaiveDate::from_ymd_opt(2026, 2, 7).unwrap(),
            ),
        )
        .await;
        let id = contest["id"].as_i64().unwrap();
        assert_eq!(act(&app, token, id, "publish").await.status(), 200);
        let path = format!("/api/v1/contests/{id}/standings");
        let live = app.bearer(token).get::<Value>(&path).await;
        assert_eq!(live["status"], "ended");
        assert_eq!(live["ranking"], "live", "not frozen until the job runs");
        let expected = pairs(&[("B", "500.00/1"), ("A", "300.00/1"), ("C", "300.00/1")]);
        assert_eq!(ranked(&live), expected);

        // The job waits a few minutes after the end for the last sales to commit.
        let end = utc("2026-02-07 16:00:00");
        let closed = standings::close_due(&mut app.conn(), end + Duration::minutes(4)).unwrap();
        assert!(closed.is_empty());
        let closed = standings::close_due(&mut app.conn(), end + Duration::minutes(5)).unwrap();
        assert_eq!(closed, [id]);

        let frozen = app.bearer(token).get::<Value>(&path).await;
        assert_eq!(frozen["ranking"], "final");
        assert!(frozen["frozen_at"].is_string());
        assert_eq!(frozen["participants"], 3);
        assert_eq!(ranked(&frozen), expected);
        // Winners: rank 1 the iPad, ranks 2–3 the tea.
        let prizes: Vec<(String, Value)> = frozen["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["code"].as_str().unwrap().to_owned(),
                    s["prize"]["description"].clone(),
                )
            })
            .collect();
        assert_eq!(
            prizes,
            [
                ("B".to_owned(), json!("冠军：iPad")),
                ("A".to_owned(), json!("茶礼盒")),
                ("C".to_owned(), json!("茶礼盒")),
            ]
        );
        let contest = app
            .bearer(token)
            .get::<Value>(&format!("/api/v1/contests/{id}"))
            .await;
        assert_eq!(contest["participants"], 3);
        assert!(contest["frozen_at"].is_string());

        // A late fact inside the period (a sale recorded after the freeze) changes nothing.
        sale(&app, shop, d, "F-LATE", 1_000_000, "2026-02-04 02:00:00");
        assert!(
            standings::close_due(&mut app.conn(), end + Duration::days(1))
                .unwrap()
                .is_empty()
        );
        assert!(!standings::freeze(&mut app.conn(), id, end + Duration::days(1)).unwrap());
        let again = app.bearer(token).get::<Value>(&path).await;
        assert_eq!(ranked(&again), expected);
        assert_eq!(again["frozen_at"], frozen["frozen_at"]);
        // The free leaderboard over the same days does see it.
        let board = app
            .bearer(token)
            .get::<Value>(
                "/api/v1/leaderboards?metric=sales&period=custom&from=2026-02-01&to=2026-02-07",
            )
            .await;
        assert_eq!(board["items"][0]["code"], "D");
        // An ended contest cannot be cancelled or changed.
        expect_transition_refused(act(&app, token, id, "cancel").await, "ended").await;
        let log: AuditPage = app
            .bearer(token)
            .get("/api/v1/audit-events?action=contest.frozen")
            .await;
        assert_eq!(log.items[0].actor_kind, "system");
    }
);

db_test!(
    concurrent_closers_freeze_a_contest_once,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let shop = owner.merchant_id;
        let token = owner.access_token.as_str();
        for i in 0..5 {
            let d = distributor(&app, shop, &format!("C{i}"), "甲");
            sale(
                &app,
                shop,
                d,
                &format!("R-{i}"),
                1_000 * (i + 1),
                "2026-01-10 02:00:00",
            );
        }
        let day = NaiveDate::from_ymd_opt(2026, 1, 10).unwrap();
        let contest = create(&app, token, contest_body("一日赛", "sales", day, day)).await;
        let id = contest["id"].as_i64().unwrap();
        assert_eq!(act(&app, token, id, "publish").await.status(), 200);
        let now = utc("2026-01-11 00:00:00");
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let pool = app.pool.clone();
                std::thread::spawn(move || {
                    let mut conn = pool.get().unwrap();
                    standings::close_due(&mut conn, now).unwrap()
                })
            })
            .collect();
        let closed: Vec<i64> = handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect();
        assert_eq!(closed, [id], "exactly one closer froze it");
        let rows: i64 = contest_standings::table
            .filter(contest_standings::contest_id.eq(id))
            .count()
            .get_result(&mut *app.conn())
            .unwrap();
        assert_eq!(rows, 5);
        let participants: Option<i64> = contests::table
            .find(id)
            .select(contests::participants)
            .first(&mut *app.conn())
            .unwrap();
        assert_eq!(participants, Some(5));
    }
);

// ---- Distributors' view ---------------------------------------------------------------------

db_test!(
    distributors_see_masked_standings_and_their_own_place,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let shop = owner.merchant_id;
        let token = owner.access_token.as_str();
        let today = today();
        let me = app.member(shop.get(), "13912345678", json!({})).await;
        let Member {
            id: me_member,
            token: me_token,
            ..
        } = me.clone();
        let mine = insert_distributor(
            &app,
            shop,
            me_member,
            "MINE",
            None,
            utc("2025-01-01 00:00:00"),
        );
        let shopper_token = app.member(shop.get(), "13987654321", json!({})).await.token;
        let rivals: Vec<i64> = (0..3)
            .map(|i| distributor(&app, shop, &format!("RIVAL{i}"), &format!("欧阳{i}")))
            .collect();
        let now = chrono::Utc::now().naive_utc();
        for (i, r) in rivals.iter().enumerate() {
            let at = (now - Duration::minutes(10 + i as i64))
                .format("%Y-%m-%d %H:%M:%S")
                .to_string();
            sale(
                &app,
                shop,
                *r,
                &format!("M-{i}"),
                10_000 * (3 - i as i64),
                &at,
            );
        }
        let at = (now - Duration::minutes(5))
            .format("%Y-%m-%d %H:%M:%S")
            .to_string();
        sale(&app, shop, mine, "M-MINE", 500, &at);

        let contest = create(
            &app,
            token,
            contest_body("本周赛", "sales", today, today + Duration::days(6)),
        )
        .await;
        let id = contest["id"].as_i64().unwrap();
        let path = me.me(&format!("/contests/{id}"));
        // Not published yet: not there for distributors.
        assert_eq!(app.bearer(&me_token).get_raw(&path).await.status(), 404);
        assert_eq!(act(&app, token, id, "publish").await.status(), 200);

        let list = app
            .bearer(&me_token)
            .get::<Value>(&me.me("/contests"))
            .await;
        assert_eq!(list[0]["id"], id);
        assert_eq!(list[0]["status"], "running");

        let view = app
            .bearer(&me_token)
            .get::<Value>(&format!("{path}?limit=2"))
            .await;
        assert_eq!(view["ranking"], "live");
        assert_eq!(view["participants"], 4);
        let items = view["items"].as_array().unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0]["name"], "欧**");
        assert_eq!(items[0]["amount"], "300.00");
        assert_eq!(items[0]["prize"]["description"], "冠军：iPad");
        assert_eq!(items[0]["me"], false);
        assert!(items[0].get("distributor_id").is_none() && items[0].get("code").is_none());
        // The caller is fourth: outside the page, but their own place is there.
        assert_eq!(view["me"]["rank"], 4);
        assert_eq!(view["me"]["name"], "139****5678");
        assert_eq!(view["me"]["amount"], "5.00");
        assert_eq!(view["me"]["me"], true);
        assert!(view["me"]["prize"].is_null());

        // A shopper who does not distribute is refused; staff are the wrong kind of caller.
        let res = app.bearer(&shopper_token).get_raw(&path).await;
        assert_problem(res, 403, "not_a_distributor").await;
        assert_eq!(
            app.bearer(&shopper_token)
                .get_raw(&me.me("/contests"))
                .await
                .status(),
            403
        );
        assert_eq!(app.bearer(token).get_raw(&path).await.status(), 403);
        // A cancelled contest is gone for them.
        assert_eq!(act(&app, token, id, "cancel").await.status(), 200);
        assert_eq!(app.bearer(&me_token).get_raw(&path).await.status(), 404);
        let list = app
            .bearer(&me_token)
            .get::<Value>(&me.me("/contests"))
            .await;
        assert!(list.as_array().unwrap().is_empty());
    }
);

// ---- Bad input and other tenants -------------------------------------------------------------

db_test!(
    bad_input_is_refused_and_changes_nothing,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let token = owner.access_token.as_str();
        let day = NaiveDate::from_ymd_opt(2026, 6, 1).unwrap();
        let post = |body: Value| {
            app.bearer(token)
                .send_raw(reqwest::Method::POST, "/api/v1/contests", Some(&body))
        };
        let fields = |body: &Value| -> Vec<String> {
            body["errors"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| {
                    format!(
                        "{}:{}",
                        e["field"].as_str().unwrap(),
                        e["code"].as_str().unwrap()
                    )
                })
                .collect()
        };

        let mut cases: Vec<(Value, &str)> = Vec::new();
        cases.push((
            contest_body("倒序", "sales", day, day - Duration::days(1)),
            "end_date:range_reversed",
        ));
        cases.push((
            contest_body("太长", "sales", day, day + Duration::days(366)),
            "end_date:range_too_long",
        ));
        cases.push((contest_body("", "sales", day, day), "name:length"));
        let mut overlap = contest_body("重叠", "sales", day, day);
        overlap["prizes"] = json!([
            { "rank_from": 1, "rank_to": 3, "description": "一" },
            { "rank_from": 3, "rank_to": 5, "description": "二" }
        ]);
        cases.push((overlap, "prizes[1]:prize_overlap"));
        let mut reversed = contest_body("倒序奖", "sales", day, day);
        reversed["prizes"] = json!([{ "rank_from": 5, "rank_to": 2, "description": "一" }]);
        cases.push((reversed, "prizes[0].rank_to:range_reversed"));
        let mut precise = contest_body("精度", "sales", day, day);
        precise["prizes"][0]["amount"] = json!("1.001");
        cases.push((precise, "prizes[0].amount:money_precision"));
        let mut negative = contest_body("负数", "sales", day, day);
        negative["prizes"][0]["amount"] = json!("-1");
        cases.push((negative, "prizes[0].amount:money_negative"));
        let mut rank_zero = contest_body("零名", "sales", day, day);
        rank_zero["prizes"][0]["rank_from"] = json!(0);
        cases.push((rank_zero, "prizes[0].rank_from:range"));
        cases.push((
            contest_body("指标", "profit", day, day),
            "metric:invalid_value",
        ));
        let mut bad_date = contest_body("日期", "sales", day, day);
        bad_date["start_date"] = json!("2026-02-30");
        cases.push((bad_date, "start_date:invalid_value"));
        cases.push((
            contest_body(
                "远古",
                "sales",
                NaiveDate::from_ymd_opt(1999, 1, 1).unwrap(),
                day,
            ),
            "start_date:date_out_of_range",
        ));
        let mut unknown = contest_body("多余", "sales", day, day);
        unknown["winner"] = json!("me");
        cases.push((unknown, "winner:unknown_field"));
        for (body, expected) in cases {
            let res = post(body.clone()).await;
            assert_eq!(res.status(), 422, "{body}");
            let problem = problem(res).await;
            let got = fields(&problem);
            assert!(got.iter().any(|f| f == expected), "{expected} in {got:?}");
        }
        let res = app
            .bearer(token)
            .post_bytes_raw("/api/v1/contests", "application/json", "{not json")
            .await;
        assert_eq!(res.status(), 400);
        let res = act(&app, token, 1, "cancel").await;
        assert_eq!(res.status(), 404);
        assert_eq!(app.count("contests"), 0);
        assert_eq!(app.count("contest_prizes"), 0);

        // Leaderboard queries.
        for (query, expected) in [
            ("metric=profit&period=day", 422),
            ("metric=sales", 422),
            ("metric=sales&period=custom&from=2026-01-01", 422),
            (
                "metric=sales&period=custom&from=2026-02-01&to=2026-01-01",
                422,
            ),
            ("metric=sales&period=day&from=2026-01-01", 422),
            ("metric=sales&period=day&date=2026-02-30", 422),
            ("metric=sales&period=day&limit=0", 422),
            ("metric=sales&period=day&limit=101", 422),
            ("metric=sales&period=day&colour=red", 422),
            ("metric=sales&period=day&date=2026-02-28", 200),
        ] {
            let res = app
                .bearer(token)
                .get_raw(&format!("/api/v1/leaderboards?{query}"))
                .await;
            assert_eq!(res.status(), expected, "{query}");
            if expected == 422 {
                problem(res).await;
            }
        }
        let res = app
            .bearer(token)
            .get_raw(
                "/api/v1/leaderboards?metric=sales&period=custom&from=2026-02-01&to=2026-01-01",
            )
            .await;
        assert_eq!(fields(&problem(res).await), ["to:range_reversed"]);

        // Another merchant's contest answers exactly like a missing one.
        let contest = create(&app, token, contest_body("甲的比赛", "sales", day, day)).await;
        let id = contest["id"].as_i64().unwrap();
        let stranger = app.owner("other@example.com").await;
        let theirs = stranger.access_token.as_str();
        let body = contest_body("改名", "sales", day, day);
        for (method, path, body) in [
            (reqwest::Method::GET, format!("/api/v1/contests/{id}"), None),
            (
                reqwest::Method::GET,
                format!("/api/v1/contests/{id}/standings"),
                None,
            ),
            (
                reqwest::Method::PUT,
                format!("/api/v1/contests/{id}"),
                Some(body.clone()),
            ),
            (
                reqwest::Method::DELETE,
                format!("/api/v1/contests/{id}"),
                None,
            ),
            (
                reqwest::Method::POST,
                format!("/api/v1/contests/{id}/publish"),
                None,
            ),
            (
                reqwest::Method::POST,
                format!("/api/v1/contests/{id}/cancel"),
                Some(json!({ "reason": "x" })),
            ),
        ] {
            let res = app
                .bearer(theirs)
                .send_raw(method.clone(), &path, body.clone().as_ref())
                .await;
            assert_eq!(res.status(), 404, "{method} {path}");
            assert_eq!(problem(res).await["code"], "not_found");
        }
        let list = app.bearer(theirs).get::<Value>("/api/v1/contests").await;
        assert!(list["items"].as_array().unwrap().is_empty());
        let mine = app
            .bearer(token)
            .get::<Value>(&format!("/api/v1/contests/{id}"))
            .await;
        assert_eq!(mine["name"], "甲的比赛");
        assert_eq!(mine["status"], "draft");
    }
);
