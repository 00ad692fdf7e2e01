//! Customer binding (锁客): modes, validity and protection days driven through time, the binding
//! in force at any moment of the history, concurrent visits, registration through a link, staff
//! re-assignment and the customers of a distributor.

use fenxiao::db::ids::{DistributorId, MemberId, MerchantId};
use std::collections::HashMap;

use crate::harness::{assert_problem, expect_json, problem, AuditPage, NewDistributor, TestApp};
use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use fenxiao::binding::service::{self, BindingOutcome, VisitRequest};
use fenxiao::binding::{self, EndReason, Source};
use fenxiao::db::schema::distributors;
use fenxiao::db::schema::{customer_bindings as cb, distribution_settings as ds};
use fenxiao::db::write_transaction;
use fenxiao::AppError;
use serde_json::{json, Value};

fn t0() -> NaiveDateTime {
    NaiveDate::from_ymd_opt(2026, 3, 1)
        .unwrap()
        .and_hms_opt(9, 30, 0)
        .unwrap()
}

fn day(n: i64) -> NaiveDateTime {
    t0() + Duration::days(n)
}

fn micro() -> Duration {
    Duration::microseconds(1)
}

fn insert_member(app: &TestApp, merchant_id: MerchantId, phone: &str) -> i64 {
    (app.insert_member(merchant_id, phone, None, t0())).get()
}

/// A member who is a distributor with this code.
fn distributor(app: &TestApp, merchant_id: MerchantId, code: &str, status: &str) -> (i64, i64) {
    let phone = format!(
        "139{:08}",
        code.bytes().map(u64::from).sum::<u64>() * 7919 % 100_000_000
    );
    let member = insert_member(app, merchant_id, &phone);
    let distributor = NewDistributor {
        status,
        ..NewDistributor::root(merchant_id, MemberId(member), code, t0())
    };
    (app.insert_distributor(distributor).get(), member)
}

fn set_policy(
    app: &TestApp,
    merchant_id: MerchantId,
    mode: &str,
    days: Option<i32>,
    protection: i32,
) {
    let conn = &mut *app.conn();
    diesel::delete(ds::table.find(merchant_id))
        .execute(conn)
        .unwrap();
    diesel::insert_into(ds::table)
        .values((
            ds::merchant_id.eq(merchant_id),
            ds::binding_mode.eq(mode),
            ds::binding_days.eq(days),
            ds::protection_days.eq(protection),
            ds::updated_at.eq(t0()),
        ))
        .execute(conn)
        .unwrap();
}

fn visit(
    app: &TestApp,
    merchant_id: MerchantId,
    member_id: i64,
    code: &str,
    now: NaiveDateTime,
) -> Result<service::VisitResult, AppError> {
    service::record_visit(
        &mut app.conn(),
        merchant_id,
        MemberId(member_id),
        &VisitRequest {
            distributor_code: code.to_owned(),
        },
        now,
    )
}

fn register_through(
    app: &TestApp,
    merchant_id: MerchantId,
    member_id: i64,
    code: &str,
    now: NaiveDateTime,
) -> service::Applied {
    write_transaction(&mut app.conn(), |conn| {
        let referrer = service::referrer_by_code(conn, merchant_id, code, "distributor_code")?;
        service::bind_at_registration(conn, merchant_id, MemberId(member_id), &referrer, now)
    })
    .unwrap()
}

fn in_force(
    app: &TestApp,
    merchant_id: MerchantId,
    member_id: i64,
    at: NaiveDateTime,
) -> Option<binding::Binding> {
    binding::in_force(&mut app.conn(), merchant_id, MemberId(member_id), at).unwrap()
}

fn open_bindings(app: &TestApp, member_id: i64) -> i64 {
    cb::table
        .filter(cb::member_id.eq(MemberId(member_id)))
        .filter(cb::ended_at.is_null())
        .count()
        .get_result(&mut *app.conn())
        .unwrap()
}

#[derive(Clone, Copy, Debug)]
enum Touch {
    Visit(&'static str),
    Register(&'static str),
}

use BindingOutcome as O;

type Step = (NaiveDateTime, Touch, BindingOutcome, Option<&'static str>);

/// (name, binding mode, validity days, protection days, steps)
type Scenario = (&'static str, &'static str, Option<i32>, i32, Vec<Step>);

db_test!(
    modes_validity_and_protection_through_time,
    |app: TestApp| async move {
        let merchant = app.owner("boss@example.com").await.merchant_id;
        let mut ids = HashMap::new();
        for (code, status) in [
            ("A", "active"),
            ("B", "active"),
            ("F", "frozen"),
            ("E", "ended"),
        ] {
            ids.insert(code, distributor(&app, merchant, code, status).0);
        }
        // (name, mode, validity days, protection days, steps: (when, touch, outcome, bound to after))
        #[rustfmt::skip]
        let scenarios: Vec<Scenario> = vec![
            ("first touch, permanent", "first_touch", None, 0, vec![
                (day(0), Touch::Visit("A"), O::Bound, Some("A")),
                (day(0) + micro(), Touch::Visit("A"), O::AlreadyBound, Some("A")),
                (day(1), Touch::Visit("B"), O::FirstTouch, Some("A")),
                (day(5000), Touch::Visit("B"), O::FirstTouch, Some("A")),
            ]),
            ("first touch, 30 days, expiry at the boundary", "first_touch", Some(30), 0, vec![
                (day(0), Touch::Visit("A"), O::Bound, Some("A")),
                (day(30) - micro(), Touch::Visit("B"), O::FirstTouch, Some("A")),
                (day(30), Touch::Visit("B"), O::Bound, Some("B")),
                (day(45), Touch::Visit("A"), O::FirstTouch, Some("B")),
                (day(60), Touch::Visit("A"), O::Bound, Some("A")),
            ]),
            ("first touch ignores protection days", "first_touch", Some(30), 10, vec![
                (day(0), Touch::Visit("A"), O::Bound, Some("A")),
                (day(20), Touch::Visit("B"), O::FirstTouch, Some("A")),
            ]),
            ("last touch, no protection", "last_touch", None, 0, vec![
                (day(0), Touch::Visit("A"), O::Bound, Some("A")),
                (day(0) + micro(), Touch::Visit("B"), O::Rebound, Some("B")),
                (day(1), Touch::Visit("B"), O::AlreadyBound, Some("B")),
                (day(2), Touch::Visit("A"), O::Rebound, Some("A")),
            ]),
            ("last touch, 7 protection days", "last_touch", None, 7, vec![
                (day(0), Touch::Visit("A"), O::Bound, Some("A")),
                (day(3), Touch::Visit("B"), O::Protected, Some("A")),
                (day(7) - micro(), Touch::Visit("B"), O::Protected, Some("A")),
                (day(7), Touch::Visit("B"), O::Rebound, Some("B")),
                (day(8), Touch::Visit("A"), O::Protected, Some("B")),
                (day(14), Touch::Visit("A"), O::Rebound, Some("A")),
            ]),
            ("last touch, 30 days and 7 protection days", "last_touch", Some(30), 7, vec![
                (day(0), Touch::Visit("A"), O::Bound, Some("A")),
                (day(29), Touch::Visit("B"), O::Rebound, Some("B")),
                (day(35), Touch::Visit("A"), O::Protected, Some("B")),
                (day(59) - micro(), Touch::Visit("A"), O::Rebound, Some("A")),
            ]),
            ("last touch, the binding expires", "last_touch", Some(10), 0, vec![
                (day(0), Touch::Visit("A"), O::Bound, Some("A")),
                (day(10) - micro(), Touch::Visit("A"), O::AlreadyBound, Some("A")),
                (day(10), Touch::Visit("A"), O::Bound, Some("A")),
            ]),
            ("registration only: visits never bind", "registration_only", None, 0, vec![
                (day(0), Touch::Visit("A"), O::RegistrationOnly, None),
                (day(1), Touch::Visit("B"), O::RegistrationOnly, None),
            ]),
            ("registration only: registration binds, visits never re-bind", "registration_only", Some(30), 0, vec![
                (day(0), Touch::Register("A"), O::Bound, Some("A")),
                (day(1), Touch::Visit("B"), O::RegistrationOnly, Some("A")),
                (day(31), Touch::Visit("B"), O::RegistrationOnly, None),
                (day(31), Touch::Visit("A"), O::RegistrationOnly, None),
            ]),
            ("registration binds under last touch too", "last_touch", None, 3, vec![
                (day(0), Touch::Register("A"), O::Bound, Some("A")),
                (day(1), Touch::Visit("B"), O::Protected, Some("A")),
                (day(3), Touch::Visit("B"), O::Rebound, Some("B")),
            ]),
            ("frozen and ended distributors' links do not bind", "last_touch", None, 0, vec![
                (day(0), Touch::Visit("F"), O::DistributorInactive, None),
                (day(0), Touch::Visit("E"), O::DistributorInactive, None),
                (day(0), Touch::Register("F"), O::DistributorInactive, None),
                (day(1), Touch::Visit("A"), O::Bound, Some("A")),
                (day(2), Touch::Visit("F"), O::DistributorInactive, Some("A")),
            ]),
        ];
        for (n, (name, mode, days, protection, steps)) in scenarios.into_iter().enumerate() {
            set_policy(&app, merchant, mode, days, protection);
            let member = insert_member(&app, merchant, &format!("1370000{n:04}"));
            for (i, (now, touch, outcome, after)) in steps.into_iter().enumerate() {
                let (got, changed) = match touch {
                    Touch::Visit(code) => {
                        let r = visit(&app, merchant, member, code, now).unwrap();
                        assert_eq!(
                            r.binding.as_ref().map(|b| b.distributor_code.as_str()),
                            after,
                            "{name}, step {i}: the answer names the binding in force"
                        );
                        (r.outcome, r.changed)
                    }
                    Touch::Register(code) => {
                        let r = register_through(&app, merchant, member, code, now);
                        (r.outcome, r.changed)
                    }
                };
                assert_eq!(got, outcome, "{name}, step {i} ({touch:?} at {now})");
                assert_eq!(
                    changed,
                    matches!(outcome, O::Bound | O::Rebound),
                    "{name}, step {i}: changed"
                );
                let bound = in_force(&app, merchant, member, now).map(|b| b.distributor_id);
                assert_eq!(
                    bound,
                    (after.map(|c| ids[c])).map(DistributorId),
                    "{name}, step {i}: in force"
                );
                assert!(open_bindings(&app, member) <= 1, "{name}: one open binding");
            }
        }
    }
);

db_test!(nobody_binds_to_themselves, |app: TestApp| async move {
    let merchant = app.owner("boss@example.com").await.merchant_id;
    let (_, own_member) = distributor(&app, merchant, "SELF", "active");
    distributor(&app, merchant, "A", "active");
    for mode in ["first_touch", "last_touch"] {
        set_policy(&app, merchant, mode, None, 0);
        let r = visit(&app, merchant, own_member, "SELF", day(0)).unwrap();
        assert_eq!(r.outcome, O::OwnLink);
        assert!(!r.changed);
        assert!(r.binding.is_none());
    }
    // A distributor may still be the customer of another distributor.
    let r = visit(&app, merchant, own_member, "A", day(1)).unwrap();
    assert_eq!(r.outcome, O::Bound);
    let r = visit(&app, merchant, own_member, "SELF", day(2)).unwrap();
    assert_eq!(r.outcome, O::OwnLink, "and their own link does not re-bind");
    assert_eq!(r.binding.unwrap().distributor_code, "A");
});

db_test!(
    the_binding_in_force_at_any_moment_of_the_history,
    |app: TestApp| async move {
        let merchant = app.owner("boss@example.com").await.merchant_id;
        let a = distributor(&app, merchant, "A", "active").0;
        let b = distributor(&app, merchant, "B", "active").0;
        let c = distributor(&app, merchant, "C", "active").0;
        let member = insert_member(&app, merchant, "13600000001");
        let other = insert_member(&app, merchant, "13600000002");
        set_policy(&app, merchant, "last_touch", Some(10), 0);
        assert_eq!(
            visit(&app, merchant, member, "A", day(0)).unwrap().outcome,
            O::Bound
        );
        assert_eq!(
            visit(&app, merchant, member, "B", day(2)).unwrap().outcome,
            O::Rebound
        );
        // B's validity ends on day 12; C binds on day 20 and closes B as expired.
        assert_eq!(
            visit(&app, merchant, member, "C", day(20)).unwrap().outcome,
            O::Bound
        );
        assert_eq!(
            visit(&app, merchant, other, "A", day(21)).unwrap().outcome,
            O::Bound
        );

        let expectations = [
            (day(0) - micro(), None),
            (day(0), Some(a)),
            (day(2) - micro(), Some(a)),
            (day(2), Some(b)),
            (day(12) - micro(), Some(b)),
            (day(12), None),
            (day(19), None),
            (day(20), Some(c)),
            (day(30) - micro(), Some(c)),
            (day(30), None),
        ];
        for (at, expected) in expectations {
            assert_eq!(
                in_force(&app, merchant, member, at).map(|b| b.distributor_id),
                expected.map(DistributorId),
                "at {at}"
            );
        }
        // Another merchant's question about the same member finds nothing.
        let elsewhere = app.owner("other@example.com").await.merchant_id;
        assert!(in_force(&app, elsewhere, member, day(1)).is_none());

        let history: Vec<(DistributorId, String, Option<String>, Option<NaiveDateTime>)> =
            cb::table
                .filter(cb::member_id.eq(MemberId(member)))
                .order(cb::id.asc())
                .select((cb::distributor_id, cb::source, cb::end_reason, cb::ended_at))
                .load(&mut *app.conn())
                .unwrap();
        assert_eq!(
            history,
            vec![
                (
                    DistributorId(a),
                    "visit".into(),
                    Some("superseded".into()),
                    Some(day(2))
                ),
                (
                    DistributorId(b),
                    "visit".into(),
                    Some("expired".into()),
                    Some(day(20))
                ),
                (DistributorId(c), "visit".into(), None, None),
            ]
        );
        let first = in_force(&app, merchant, member, day(1)).unwrap();
        assert_eq!(first.source, Source::Visit);
        assert_eq!(first.end_reason, Some(EndReason::Superseded));
        assert_eq!(first.effective_end(), Some(day(2)));
    }
);

db_test!(
    concurrent_visits_leave_exactly_one_open_binding,
    |app: TestApp| async move {
        let merchant = app.owner("boss@example.com").await.merchant_id;
        let codes: Vec<String> = (0..8).map(|i| format!("D{i}")).collect();
        for code in &codes {
            distributor(&app, merchant, code, "active");
        }
        for (mode, phone) in [
            ("first_touch", "13500000001"),
            ("last_touch", "13500000002"),
        ] {
            set_policy(&app, merchant, mode, None, 0);
            let member = insert_member(&app, merchant, phone);
            let now = fenxiao::clock::now();
            let handles: Vec<_> = (0..16)
                .map(|i| {
                    let pool = app.pool.clone();
                    let code = codes[i % codes.len()].clone();
                    std::thread::spawn(move || {
                        service::record_visit(
                            &mut pool.get().unwrap(),
                            merchant,
                            MemberId(member),
                            &VisitRequest {
                                distributor_code: code,
                            },
                            now,
                        )
                    })
                })
                .collect();
            let results: Vec<_> = handles
                .into_iter()
                .map(|h| h.join().unwrap().unwrap())
                .collect();
            assert_eq!(open_bindings(&app, member), 1, "{mode}");
            let rows: i64 = cb::table
                .filter(cb::member_id.eq(MemberId(member)))
                .count()
                .get_result(&mut *app.conn())
                .unwrap();
            let bound = results.iter().filter(|r| r.outcome == O::Bound).count();
            assert_eq!(bound, 1, "{mode}: exactly one visit bound the member");
            if mode == "first_touch" {
                assert_eq!(rows, 1, "first touch: one binding, never replaced");
                let first = in_force(&app, merchant, member, now)
                    .unwrap()
                    .distributor_id;
                let code: String = distributors::table
                    .find(first)
                    .select(distributors::code)
                    .first(&mut *app.conn())
                    .unwrap();
                assert!(results
                    .iter()
                    .all(|r| r.binding.as_ref().unwrap().distributor_code == code));
            } else {
                let changed = results.iter().filter(|r| r.changed).count() as i64;
                assert_eq!(rows, changed, "last touch: one row per change");
            }
        }
    }
);

// ---- Over HTTP ------------------------------------------------------------------------------

/// Registers a member, through a distributor's link when `via` names one; answers (member id,
/// access token).
async fn member(app: &TestApp, shop: i64, phone: &str, via: Option<&str>) -> (i64, String) {
    let member = app.member(shop, phone, through(via)).await;
    (member.id, member.token)
}

/// The registration fields for a distributor's link.
fn through(via: Option<&str>) -> Value {
    via.map_or_else(|| json!({}), |code| json!({ "distributor_code": code }))
}

async fn post_visit(app: &TestApp, shop: &str, token: &str, body: Value) -> reqwest::Response {
    app.bearer(token)
        .post_raw(&format!("/api/v1/shops/{shop}/me/visits"), &body)
        .await
}

db_test!(
    registration_and_visits_through_links,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let shop = owner.merchant_id;
        let slug = app.slug(shop);
        let visits = format!("/api/v1/shops/{slug}/me/visits");
        let a = distributor(&app, shop, "TEA-A", "active").0;
        distributor(&app, shop, "TEA-B", "active");
        distributor(&app, shop, "FROZEN", "frozen");
        let other_shop = app.owner("other@example.com").await.merchant_id;
        distributor(&app, other_shop, "THEIRS", "active");

        // Registration through A's link binds with source `registration`.
        let (m1, token) = member(&app, shop.get(), "13800000001", Some(" TEA-A ")).await;
        let history = app
            .bearer(&owner)
            .get::<Value>(&format!("/api/v1/members/{m1}/bindings"))
            .await;
        assert_eq!(history["items"].as_array().unwrap().len(), 1);
        assert_eq!(history["items"][0]["distributor_id"], a);
        assert_eq!(history["items"][0]["distributor_code"], "TEA-A");
        assert_eq!(history["items"][0]["source"], "registration");
        assert_eq!(history["items"][0]["in_force"], true);
        assert!(
            history["items"][0]["ends_at"].is_null(),
            "permanent by default"
        );

        // First touch by default: B's link changes nothing.
        let res = post_visit(&app, &slug, &token, json!({ "distributor_code": "TEA-B" })).await;
        let body: Value = expect_json(res, 200).await;
        assert_eq!(body["changed"], false);
        assert_eq!(body["outcome"], "first_touch");
        assert_eq!(body["binding"]["distributor_code"], "TEA-A");
        assert_eq!(body["binding"]["source"], "registration");

        // Registration without a link, then a visit binds.
        let (_, token2) = member(&app, shop.get(), "13800000002", None).await;
        let body: Value = post_visit(&app, &slug, &token2, json!({ "distributor_code": "TEA-B" }))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(body["changed"], true);
        assert_eq!(body["outcome"], "bound");
        assert_eq!(body["binding"]["distributor_code"], "TEA-B");

        // A frozen distributor's link registers the member unbound.
        let (m3, token3) = member(&app, shop.get(), "13800000003", Some("FROZEN")).await;
        let history = app
            .bearer(&owner)
            .get::<Value>(&format!("/api/v1/members/{m3}/bindings"))
            .await;
        assert_eq!(history["items"], json!([]));
        let body: Value = post_visit(
            &app,
            &slug,
            &token3,
            json!({ "distributor_code": "FROZEN" }),
        )
        .await
        .json()
        .await
        .unwrap();
        assert_eq!(body["outcome"], "distributor_inactive");
        assert!(body["binding"].is_null());

        // Bad inputs: refused, nothing written.
        let before = app.count("customer_bindings");
        let unknown = post_visit(&app, &slug, &token3, json!({ "distributor_code": "NOPE" })).await;
        assert_eq!(unknown.status(), 422);
        let unknown = problem(unknown).await;
        assert_eq!(unknown["errors"][0]["field"], "distributor_code");
        assert_eq!(unknown["errors"][0]["code"], "unknown_distributor_code");
        let theirs = post_visit(
            &app,
            &slug,
            &token3,
            json!({ "distributor_code": "THEIRS" }),
        )
        .await;
        assert_eq!(theirs.status(), 422);
        let theirs = problem(theirs).await;
        assert_eq!(
            theirs["errors"], unknown["errors"],
            "another shop's code is unknown here"
        );
        for body in [
            json!({}),
            json!({ "distributor_code": "" }),
            json!({ "distributor_code": "   " }),
            json!({ "distributor_code": 42 }),
            json!({ "distributor_code": "X".repeat(65) }),
            json!({ "distributor_code": "TEA-A", "extra": 1 }),
        ] {
            let res = post_visit(&app, &slug, &token3, body.clone()).await;
            assert_eq!(res.status(), 422, "{body}");
        }
        let res = app
            .bearer(&token3)
            .post_bytes_raw(&visits, "application/json", "{not json")
            .await;
        assert_eq!(res.status(), 400);
        let res = app
            .anonymous()
            .post_raw(&visits, &json!({ "distributor_code": "TEA-A" }))
            .await;
        assert_eq!(res.status(), 401);
        let res = post_visit(
            &app,
            &slug,
            &owner.access_token,
            json!({ "distributor_code": "TEA-A" }),
        )
        .await;
        assert_eq!(res.status(), 403, "staff are not members");
        assert_eq!(app.count("customer_bindings"), before);

        // Registration through an unknown or foreign code is refused and creates nobody.
        let members_before = app.count("members");
        for code in ["NOPE", "THEIRS"] {
            let res = app
                .register_member_raw(shop.get(), "13800000009", through(Some(code)))
                .await;
            assert_eq!(res.status(), 422, "{code}");
            let body = problem(res).await;
            assert_eq!(body["errors"][0]["field"], "distributor_code");
            assert_eq!(body["errors"][0]["code"], "unknown_distributor_code");
            // Codes are one a minute per recipient; let the next attempt have a fresh one.
            diesel::delete(fenxiao::db::schema::verification_codes::table)
                .execute(&mut *app.conn())
                .unwrap();
        }
        assert_eq!(app.count("members"), members_before);
        assert_eq!(app.count("customer_bindings"), before);
    }
);

async fn reassign(app: &TestApp, token: &str, member: i64, body: Value) -> reqwest::Response {
    app.bearer(token)
        .post_raw(&format!("/api/v1/members/{member}/binding"), &body)
        .await
}

db_test!(
    staff_reassign_release_and_list_customers,
    |app: TestApp| async move {
        let owner = app.owner("boss@example.com").await;
        let shop = owner.merchant_id;
        let stranger = app.owner("other@example.com").await;
        let (a, a_member) = distributor(&app, shop, "A", "active");
        let (b, _) = distributor(&app, shop, "B", "active");
        let (frozen, _) = distributor(&app, shop, "F", "frozen");
        let (theirs, their_member) = distributor(&app, stranger.merchant_id, "T", "active");
        // last touch with long protection: visits could not move these members, staff can.
        set_policy(&app, shop, "last_touch", Some(365), 300);
        let now = fenxiao::clock::now();
        let m: Vec<i64> = (0..3)
            .map(|i| {
                let id = insert_member(&app, shop, &format!("1330000000{i}"));
                visit(&app, shop, id, "A", now - Duration::hours(1)).unwrap();
                id
            })
            .collect();

        let customers = app
            .bearer(&owner)
            .get::<Value>(&format!("/api/v1/distributors/{a}/customers?limit=2"))
            .await;
        let first_page: Vec<i64> = customers["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["member_id"].as_i64().unwrap())
            .collect();
        assert_eq!(first_page, vec![m[2], m[1]], "most recently bound first");
        assert_eq!(customers["items"][0]["phone"], "13300000002");
        assert_eq!(customers["items"][0]["source"], "visit");
        let cursor = customers["next_cursor"].as_i64().unwrap();
        let rest = app
            .bearer(&owner)
            .get::<Value>(&format!(
                "/api/v1/distributors/{a}/customers?limit=2&cursor={cursor}"
            ))
            .await;
        assert_eq!(rest["items"][0]["member_id"], m[0]);
        assert!(rest["next_cursor"].is_null());

        // Re-assign m0 to B, despite the protection days.
        let res = reassign(
            &app,
            &owner.access_token,
            m[0],
            json!({ "distributor_id": b, "reason": "  客户要求更换专属顾问  " }),
        )
        .await;
        let body: Value = expect_json(res, 200).await;
        assert_eq!(body["changed"], true);
        assert_eq!(body["outcome"], "rebound");
        assert_eq!(body["binding"]["distributor_id"], b);
        assert_eq!(body["binding"]["distributor_code"], "B");
        assert_eq!(body["binding"]["source"], "staff");
        assert_eq!(body["binding"]["note"], "客户要求更换专属顾问");
        assert_eq!(body["binding"]["assigned_by"], owner.account_id);
        assert_eq!(body["binding"]["in_force"], true);
        let history = app
            .bearer(&owner)
            .get::<Value>(&format!("/api/v1/members/{}/bindings", m[0]))
            .await;
        let items = history["items"].as_array().unwrap();
        assert_eq!(items.len(), 2);
        assert_eq!(items[0]["distributor_id"], b);
        assert_eq!(items[1]["distributor_id"], a);
        assert_eq!(items[1]["end_reason"], "reassigned");
        assert_eq!(items[1]["end_note"], "客户要求更换专属顾问");
        assert_eq!(items[1]["ended_by"], owner.account_id);
        assert_eq!(items[1]["in_force"], false);
        let audit: AuditPage = app
            .bearer(&owner)
            .get("/api/v1/audit-events?action=binding.reassigned")
            .await;
        let event = &audit.items[0];
        assert_eq!(event.target_id, Some(m[0].to_string()));
        let changes = event.changes.as_ref().unwrap();
        assert_eq!(changes["distributor_id"]["before"], a);
        assert_eq!(changes["distributor_id"]["after"], b);
        let customers_of_b = app
            .bearer(&owner)
            .get::<Value>(&format!("/api/v1/distributors/{b}/customers"))
            .await;
        assert_eq!(customers_of_b["items"][0]["member_id"], m[0]);
        assert_eq!(customers_of_b["items"][0]["source"], "staff");

        // The same again changes nothing and records nothing.
        let body: Value = reassign(
            &app,
            &owner.access_token,
            m[0],
            json!({ "distributor_id": b, "reason": "再次确认" }),
        )
        .await
        .json()
        .await
        .unwrap();
        assert_eq!(body["changed"], false);
        assert_eq!(body["outcome"], "already_bound");

        // Release, then releasing again is a no-op.
        let body: Value = reassign(
            &app,
            &owner.access_token,
            m[1],
            json!({ "distributor_id": null, "reason": "违规引流" }),
        )
        .await
        .json()
        .await
        .unwrap();
        assert_eq!(body["outcome"], "released");
        assert!(body["binding"].is_null());
        assert!(in_force(&app, shop, m[1], fenxiao::clock::now()).is_none());
        let body: Value = reassign(
            &app,
            &owner.access_token,
            m[1],
            json!({ "distributor_id": null, "reason": "违规引流" }),
        )
        .await
        .json()
        .await
        .unwrap();
        assert_eq!(body["changed"], false);
        assert_eq!(body["outcome"], "not_bound");
        let audit: AuditPage = app
            .bearer(&owner)
            .get("/api/v1/audit-events?action=binding.")
            .await;
        assert_eq!(audit.items.len(), 2, "one per change");

        // Refusals change nothing.
        let before = app.count("customer_bindings");
        let audit_before = app.count("audit_events");
        let x = "x".repeat(201);
        #[rustfmt::skip]
        let cases = [
            (m[2], json!({ "distributor_id": frozen, "reason": "x" }), 409, "distributor_not_active"),
            (a_member, json!({ "distributor_id": a, "reason": "x" }), 422, "self_binding"),
            (m[2], json!({ "distributor_id": theirs, "reason": "x" }), 422, "validation_failed"),
            (m[2], json!({ "distributor_id": 987_654_321, "reason": "x" }), 422, "validation_failed"),
            (m[2], json!({ "distributor_id": b }), 422, "validation_failed"),
            (m[2], json!({ "distributor_id": b, "reason": "   " }), 422, "validation_failed"),
            (m[2], json!({ "distributor_id": "b", "reason": "x" }), 422, "validation_failed"),
            (m[2], json!({ "distributor_id": b, "reason": x }), 422, "validation_failed"),
            (their_member, json!({ "distributor_id": b, "reason": "x" }), 404, "not_found"),
            (987_654_321, json!({ "distributor_id": b, "reason": "x" }), 404, "not_found"),
        ];
        for (member, body, status, code) in cases {
            let res = reassign(&app, &owner.access_token, member, body.clone()).await;
            assert_eq!(res.status(), status, "{member} {body}");
            assert_eq!(problem(res).await["code"], code, "{member} {body}");
        }
        let res = reassign(
            &app,
            &owner.access_token,
            m[2],
            json!({ "distributor_id": theirs, "reason": "x" }),
        )
        .await;
        assert_eq!(
            problem(res).await["errors"][0]["code"],
            "unknown_distributor"
        );
        assert_eq!(app.count("customer_bindings"), before);
        assert_eq!(app.count("audit_events"), audit_before);

        // Another merchant sees none of it.
        for path in [
            format!("/api/v1/members/{}/bindings", m[0]),
            format!("/api/v1/distributors/{a}/customers"),
        ] {
            let res = app.bearer(&stranger).get_raw(&path).await;
            assert_eq!(res.status(), 404, "{path}");
        }
        let res = app
            .bearer(&owner)
            .get_raw(&format!("/api/v1/distributors/{a}/customers?limit=x"))
            .await;
        assert_eq!(res.status(), 422);
    }
);

db_test!(nobody_binds_to_their_own_team, |app: TestApp| async move {
    let owner = app.owner("boss@example.com").await;
    let shop = owner.merchant_id;
    let now = fenxiao::clock::now();
    // TOP ← MID ← LOW in the tree; X elsewhere. TOP's member shops too.
    let (top, top_member) = distributor(&app, shop, "TOP", "active");
    let code_of = |id: i64| -> String {
        distributors::table
            .find(DistributorId(id))
            .select(distributors::code)
            .first(&mut *app.conn())
            .unwrap()
    };
    let join = |phone: &str, sponsor: i64| {
        let member = insert_member(&app, shop, phone);
        let id = fenxiao::network::join(
            &mut app.conn(),
            shop,
            MemberId(member),
            Some(DistributorId(sponsor)),
            now,
        )
        .unwrap();
        (id, member, code_of(id.get()))
    };
    let (mid, mid_member, mid_code) = join("13500000001", top);
    let (_, _, low_code) = join("13500000002", mid.get());
    distributor(&app, shop, "X", "active");
    set_policy(&app, shop, "last_touch", None, 0);
    let rows = || app.count("customer_bindings");

    // Their own team's links bind them to nobody, and say so without an error.
    for code in [&mid_code, &low_code] {
        let r = visit(&app, shop, top_member, code, now).unwrap();
        assert_eq!(r.outcome, O::OwnTeam, "{code}");
        assert!(!r.changed);
        assert!(r.binding.is_none());
    }
    assert_eq!(rows(), 0, "nothing recorded");
    // Someone else's link binds as usual; the own team's link then re-binds nothing even
    // under last touch.
    assert_eq!(
        visit(&app, shop, top_member, "X", now).unwrap().outcome,
        O::Bound
    );
    let r = visit(&app, shop, top_member, &low_code, now).unwrap();
    assert_eq!(r.outcome, O::OwnTeam);
    assert_eq!(r.binding.unwrap().distributor_code, "X");
    assert_eq!(rows(), 1);
    // Upwards is fine: MID may be TOP's customer.
    assert_eq!(
        visit(&app, shop, mid_member, "TOP", now).unwrap().outcome,
        O::Bound
    );

    // Staff cannot do it either: 422, nothing changed.
    let res = reassign(
        &app,
        &owner.access_token,
        top_member,
        json!({ "distributor_id": mid, "reason": "测试" }),
    )
    .await;
    assert_problem(res, 422, "binding_own_team").await;
    assert_eq!(rows(), 2);
    assert_eq!(
        in_force(&app, shop, top_member, now)
            .unwrap()
            .distributor_id,
        distributors::table
            .filter(distributors::code.eq("X"))
            .select(distributors::id)
            .first::<DistributorId>(&mut *app.conn())
            .unwrap()
    );

    // Once staff move MID out of TOP's team, MID's link binds TOP's member again.
    fenxiao::network::move_distributor(&mut app.conn(), shop, mid, None, now).unwrap();
    let r = visit(&app, shop, top_member, &mid_code, now).unwrap();
    assert_eq!(r.outcome, O::Rebound);

    // Nor can a move put a member's distributor into that member's own team: TOP's member is
    // MID's customer now, so MID cannot go back under TOP; MID's member is TOP's customer, so
    // TOP cannot go under LOW (MID's team). Refused, and the tree is as it was.
    let parent_of = |id: DistributorId| -> Option<DistributorId> {
        distributors::table
            .find(id)
            .select(distributors::parent_id)
            .first(&mut *app.conn())
            .unwrap()
    };
    let low = distributors::table
        .filter(distributors::code.eq(&low_code))
        .select(distributors::id)
        .first::<DistributorId>(&mut *app.conn())
        .unwrap();
    for (moved, under) in [(mid, DistributorId(top)), (DistributorId(top), low)] {
        match fenxiao::network::move_distributor(&mut app.conn(), shop, moved, Some(under), now) {
            Err(fenxiao::AppError::Conflict(message)) => {
                assert_eq!(message.code(), "move_binds_own_team")
            }
            other => panic!("{moved} under {under}: {other:?}"),
        }
    }
    assert_eq!(parent_of(mid), None);
    assert_eq!(parent_of(DistributorId(top)), None);
    // Once TOP's member is released from MID, MID may go back under TOP.
    let res = reassign(
        &app,
        &owner.access_token,
        top_member,
        json!({ "distributor_id": null, "reason": "调整团队" }),
    )
    .await;
    assert_eq!(res.status(), 200);
    assert!(fenxiao::network::move_distributor(
        &mut app.conn(),
        shop,
        mid,
        Some(DistributorId(top)),
        now
    )
    .unwrap());
});
