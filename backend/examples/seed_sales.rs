//! Seeds a merchant with distributors and sales facts, so that leaderboards and contests can be
//! tried before orders exist (the browser tests use it the same way).
//!
//! ```text
//! cargo run --example seed_sales -- sqlite://data/fenxiao.db 1        # 5 distributors
//! cargo run --example seed_sales -- postgres://u@h/fenxiao 1 20       # 20 distributors
//! ```
//!
//! Distributor `n` (1 = first) is a new member named from a short list, with phone
//! `1770000{n:04}`, joined to the tree without a recruiter, and sells `(count − n + 1) × 100.00` as one
//! order completed `n` minutes ago. Running it again adds nothing new for the same merchant
//! (members are found by phone, orders are unique).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Duration;
use diesel::prelude::*;
use fenxiao::auth::account::AccountStatus;
use fenxiao::contests::facts;
use fenxiao::db::ids::{DistributorId, MemberId, MerchantId};
use fenxiao::db::schema::{distributors, members};
use fenxiao::db::{self, DatabaseUrl};
use fenxiao::members::models::MemberInsertForm;
use fenxiao::network::tree;

const NAMES: &[&str] = &[
    "王丽", "李娜", "张伟", "刘洋", "陈静", "杨帆", "赵敏", "黄磊",
];

fn main() {
    let mut args = std::env::args().skip(1);
    let usage = "usage: seed_sales <database-url> <merchant-id> [distributors]";
    let url = args.next().expect(usage);
    let merchant_id = MerchantId(args.next().expect(usage).parse().expect(usage));
    let count: i64 = args.next().map_or(5, |n| n.parse().expect(usage));
    let mut conn = db::connect(&DatabaseUrl::parse(&url).expect("database URL")).expect("connect");
    let now = fenxiao::clock::now();
    for n in 1..=count {
        let phone = format!("1770000{n:04}");
        let existing: Option<MemberId> = members::table
            .filter(members::merchant_id.eq(merchant_id))
            .filter(members::phone.eq(&phone))
            .select(members::id)
            .first(&mut conn)
            .optional()
            .expect("look up member");
        let member = existing.unwrap_or_else(|| {
            diesel::insert_into(members::table)
                .values(MemberInsertForm {
                    merchant_id,
                    phone: Some(&phone),
                    email: None,
                    name: Some(NAMES[usize::try_from(n - 1).unwrap() % NAMES.len()]),
                    // Not a usable password hash: seeded members cannot sign in.
                    password_hash: "seeded",
                    status: AccountStatus::Active,
                    phone_verified_at: None,
                    email_verified_at: None,
                    created_at: now,
                    updated_at: now,
                })
                .returning(members::id)
                .get_result(&mut conn)
                .expect("insert member")
        });
        let distributor: Option<DistributorId> = distributors::table
            .filter(distributors::merchant_id.eq(merchant_id))
            .filter(distributors::member_id.eq(member))
            .select(distributors::id)
            .first(&mut conn)
            .optional()
            .expect("look up distributor");
        let id = match distributor {
            Some(id) => id,
            None => tree::join(&mut conn, merchant_id, member, None, now).expect("join the tree"),
        };
        facts::record_sale(
            &mut conn,
            merchant_id,
            id,
            &format!("SEED-ORDER-{n}"),
            (count - n + 1) * 10_000,
            now - Duration::minutes(n),
        )
        .expect("record sale");
    }
    println!("{count} distributor(s) with sales for merchant {merchant_id}");
}
