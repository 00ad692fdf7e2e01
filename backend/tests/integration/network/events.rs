//! Domain events end to end: the network's joins and sales record their events, the
//! synchronous subscribers (the sales fact, promotion of the nearest upline) run in the same
//! transaction and take it down with them when they refuse, and the asynchronous consumer
//! promotes the upline beyond, once dispatched.

use crate::harness::TestApp;
use diesel::prelude::*;
use fenxiao::contests::facts;
use fenxiao::db::ids::{DistributorId, MemberId, MerchantId};
use fenxiao::db::schema::{
    distributor_sales, distributor_tier_changes, distributor_tiers, distributors, domain_events,
    members,
};
use fenxiao::db::DbConnection;
use fenxiao::events::{
    consumers, DistributorJoined, DistributorTierChanged, DomainEvent, SaleRecorded,
};
use fenxiao::network::TierCause;
use fenxiao::{network, AppError};

fn member(conn: &mut DbConnection, merchant_id: MerchantId, n: u32) -> MemberId {
    let now = fenxiao::clock::now();
    diesel::insert_into(members::table)
        .values((
            members::merchant_id.eq(merchant_id),
            members::phone.eq(format!("1380000{n:04}")),
            members::name.eq(format!("会员{n}")),
            members::password_hash.eq("not-for-signing-in"),
            members::status.eq(fenxiao::auth::account::AccountStatus::Active),
            members::created_at.eq(now),
            members::updated_at.eq(now),
        ))
        .returning(members::id)
        .get_result(conn)
        .unwrap()
}

/// A tier of the merchant; `team_sales_fen` makes it earned by that much team sales.
fn tier(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    rank: i32,
    team_sales_fen: Option<i64>,
) -> i64 {
    let now = fenxiao::clock::now();
    diesel::insert_into(distributor_tiers::table)
        .values((
            distributor_tiers::merchant_id.eq(merchant_id),
            distributor_tiers::name.eq(format!("T{rank}")),
            distributor_tiers::rank.eq(rank),
            distributor_tiers::commission_kind.eq("percent"),
            distributor_tiers::level1_value.eq(100_000i64),
            distributor_tiers::level2_value.eq(0i64),
            distributor_tiers::level3_value.eq(0i64),
            distributor_tiers::condition_mode.eq("all"),
            distributor_tiers::min_team_sales.eq(team_sales_fen),
            distributor_tiers::created_at.eq(now),
            distributor_tiers::updated_at.eq(now),
        ))
        .returning(distributor_tiers::id)
        .get_result(conn)
        .unwrap()
}

/// The merchant's events of one name, oldest first.
fn events_named(conn: &mut DbConnection, merchant_id: MerchantId, name: &str) -> Vec<DomainEvent> {
    domain_events::table
        .filter(domain_events::merchant_id.eq(merchant_id))
        .filter(domain_events::name.eq(name))
        .order(domain_events::id.asc())
        .select(domain_events::payload)
        .load::<String>(conn)
        .unwrap()
        .iter()
        .map(|p| DomainEvent::decode(name, p).unwrap())
        .collect()
}

fn personal_sales(conn: &mut DbConnection, id: DistributorId) -> i64 {
    distributors::table
        .find(id)
        .select(distributors::personal_sales)
        .first(conn)
        .unwrap()
}

fn tier_of(conn: &mut DbConnection, id: DistributorId) -> Option<i64> {
    distributors::table
        .find(id)
        .select(distributors::tier_id)
        .first(conn)
        .unwrap()
}

fn conflict_code(result: Result<bool, AppError>) -> String {
    match result {
        Err(AppError::Conflict(m)) => m.code().to_string(),
        other => panic!("expected a conflict, got {other:?}"),
    }
}

db_test!(
    a_sale_is_one_event_and_its_subscribers_share_its_transaction,
    |app: TestApp| async move {
        let m = app.owner("boss@example.com").await.merchant_id;
        let conn = &mut *app.conn();
        let now = fenxiao::clock::now();
        let (ma, mb, mc) = (member(conn, m, 1), member(conn, m, 2), member(conn, m, 3));
        let a = network::join(conn, m, ma, None, now).unwrap();
        let b = network::join(conn, m, mb, Some(a), now).unwrap();
        let c = network::tree::join_placed(conn, m, mc, Some(a), now).unwrap();
        assert_eq!(
            events_named(conn, m, "distributor.joined"),
            vec![
                DomainEvent::DistributorJoined(DistributorJoined {
                    distributor_id: a,
                    member_id: ma,
                    parent_id: None,
                    sponsor_id: None,
                    placed_by_staff: false,
                }),
                DomainEvent::DistributorJoined(DistributorJoined {
                    distributor_id: b,
                    member_id: mb,
                    parent_id: Some(a),
                    sponsor_id: Some(a),
                    placed_by_staff: false,
                }),
                DomainEvent::DistributorJoined(DistributorJoined {
                    distributor_id: c,
                    member_id: mc,
                    parent_id: Some(a),
                    sponsor_id: None,
                    placed_by_staff: true,
                }),
            ]
        );

        // A sale: the counters, the event, and its subscriber's sales fact.
        assert!(network::record_sale(conn, m, b, "SO-1", 5_000, now).unwrap());
        let sale = |d: i64, order: &str, fen: i64| {
            DomainEvent::SaleRecorded(SaleRecorded::new(DistributorId(d), order, fen).unwrap())
        };
        assert_eq!(
            events_named(conn, m, "distributor.sale_recorded"),
            vec![sale(b.get(), "SO-1", 5_000)]
        );
        let facts: Vec<(DistributorId, String, i64)> = distributor_sales::table
            .filter(distributor_sales::merchant_id.eq(m))
            .select((
                distributor_sales::distributor_id,
                distributor_sales::order_ref,
                distributor_sales::amount_fen,
            ))
            .load(conn)
            .unwrap();
        assert_eq!(facts, vec![(b, "SO-1".to_owned(), 5_000)]);

        // The same order again: nothing new; with other figures: refused.
        assert!(!network::record_sale(conn, m, b, "SO-1", 5_000, now).unwrap());
        assert_eq!(
            conflict_code(network::record_sale(conn, m, a, "SO-1", 5_000, now)),
            "sale_already_recorded"
        );
        assert_eq!(
            conflict_code(network::record_sale(conn, m, b, "SO-1", 4_000, now)),
            "sale_already_recorded"
        );
        assert_eq!(events_named(conn, m, "distributor.sale_recorded").len(), 1);
        assert_eq!(personal_sales(conn, b), 5_000);

        // A fact written without the event (before events existed, or by a seeding tool): the
        // subscriber refuses other figures, and the sale's own writes roll back with it.
        facts::record_sale(conn, m, a, "SO-2", 700, now).unwrap();
        assert_eq!(
            conflict_code(network::record_sale(conn, m, b, "SO-2", 900, now)),
            "sale_already_recorded"
        );
        assert_eq!(personal_sales(conn, b), 5_000, "the counters rolled back");
        assert_eq!(events_named(conn, m, "distributor.sale_recorded").len(), 1);
        // The same figures: the fact is kept and the sale counts once.
        facts::record_sale(conn, m, b, "SO-3", 300, now).unwrap();
        assert!(network::record_sale(conn, m, b, "SO-3", 300, now).unwrap());
        assert_eq!(personal_sales(conn, b), 5_300);
        assert_eq!(app.count("distributor_sales"), 3);
        assert_eq!(
            network::verify::check(conn, m, 10).unwrap(),
            Vec::<String>::new()
        );
    }
);

db_test!(
    the_upline_beyond_three_levels_is_promoted_once_the_events_are_dispatched,
    |app: TestApp| async move {
        let m = app.owner("boss@example.com").await.merchant_id;
        let conn = &mut *app.conn();
        let now = fenxiao::clock::now();
        let entry = tier(conn, m, 1, None);
        let gold = tier(conn, m, 2, Some(10_000));
        // top ← l1 ← l2 ← l3 ← seller: top is four levels above the seller.
        let mut chain = Vec::new();
        for n in 0..5 {
            let sponsor = chain.last().copied();
            let joining = member(conn, m, n);
            chain.push(network::join(conn, m, joining, sponsor, now).unwrap());
        }
        let (top, seller) = (chain[0], chain[4]);
        let deep_upline = |conn: &mut DbConnection| {
            consumers::drain_all(conn, fenxiao::clock::now())
                .into_iter()
                .map(Result::unwrap)
                .find(|d| d.consumer == "distribution.deep_upline_promotion")
                .expect("the consumer ran")
        };
        assert_eq!(deep_upline(conn).handled, 5, "the joins");
        assert_eq!(tier_of(conn, top), Some(entry), "nothing earned yet");

        assert!(network::record_sale(conn, m, seller, "SO-1", 10_000, now).unwrap());
        for &near in &chain[1..4] {
            assert_eq!(tier_of(conn, near), Some(gold), "promoted with the sale");
        }
        assert_eq!(
            tier_of(conn, seller),
            Some(entry),
            "no team sales of its own"
        );
        assert_eq!(tier_of(conn, top), Some(entry), "four levels up: not yet");

        let upline = deep_upline(conn);
        assert_eq!((upline.handled, upline.last.failed), (1, None), "the sale");
        assert_eq!(tier_of(conn, top), Some(gold), "promoted by the consumer");
        let details: Vec<String> = distributor_tier_changes::table
            .filter(distributor_tier_changes::distributor_id.eq(top))
            .filter(distributor_tier_changes::cause.eq("promotion"))
            .select(distributor_tier_changes::detail)
            .load(conn)
            .unwrap();
        assert_eq!(details.len(), 1);
        assert!(
            details[0].contains("\"trigger\":\"order_completed\""),
            "{details:?}"
        );

        // Every tier change recorded its event with its row of history: the entry tier of the
        // five joins, then the promotions, nearest first and the top last.
        let changes: Vec<DistributorTierChanged> =
            events_named(conn, m, "distributor.tier_changed")
                .into_iter()
                .map(|e| match e {
                    DomainEvent::DistributorTierChanged(c) => c,
                    other => panic!("{other:?}"),
                })
                .collect();
        let summary: Vec<_> = changes
            .iter()
            .map(|c| (c.distributor_id, c.cause, c.from_tier_id, c.to_tier_id))
            .collect();
        let mut expected: Vec<_> = chain
            .iter()
            .map(|&d| (d, TierCause::Joined, None, Some(entry)))
            .collect();
        for d in [chain[3], chain[2], chain[1], top] {
            expected.push((d, TierCause::Promotion, Some(entry), Some(gold)));
        }
        assert_eq!(summary, expected);
        let history: Vec<i64> = distributor_tier_changes::table
            .filter(distributor_tier_changes::merchant_id.eq(m))
            .order(distributor_tier_changes::id.asc())
            .select(distributor_tier_changes::id)
            .load(conn)
            .unwrap();
        assert_eq!(
            changes.iter().map(|c| c.change_id).collect::<Vec<_>>(),
            history
        );

        // Dispatched again: nothing is handed over twice.
        let again = consumers::drain_all(conn, fenxiao::clock::now());
        assert!(again.into_iter().all(|d| d.unwrap().handled == 0));
    }
);
