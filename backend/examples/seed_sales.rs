//! Seeds a merchant with distributors and sales facts, so that leaderboards and contests can be
//! tried before orders exist (the browser tests use it the same way).
//!
//! ```text
//! cargo run --example seed_sales -- sqlite://data/fenxiao.db 1        # 5 distributors
//! cargo run --example seed_sales -- postgres://u@h/fenxiao 1 20       # 20 distributors
//! ```
//!
//! Distributor `n` (1 = first) is a new member named from a short list, with code
//! `SEED-{merchant}-{n}`, and sells `(count − n + 1) × 100.00` as one order completed `n` minutes
//! ago. Running it again adds nothing new for the same merchant (codes and orders are unique).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use chrono::Duration;
use diesel::prelude::*;
use fenxiao::contests::facts;
use fenxiao::db::schema::{distributor_paths, distributors, members};
use fenxiao::db::{self, DatabaseUrl};

const NAMES: &[&str] = &[
    "王丽", "李娜", "张伟", "刘洋", "陈静", "杨帆", "赵敏", "黄磊",
];

fn main() {
    let mut args = std::env::args().skip(1);
    let usage = "usage: seed_sales <database-url> <merchant-id> [distributors]";
    let url = args.next().expect(usage);
    let merchant_id = fenxiao::db::ids::MerchantId(args.next().expect(usage).parse().expect(usage));
    let count: i64 = args.next().map_or(5, |n| n.parse().expect(usage));
    let mut conn = db::connect(&DatabaseUrl::parse(&url).expect("database URL")).expect("connect");
    let now = fenxiao::clock::now();
    for n in 1..=count {
        let code = format!("SEED-{merchant_id}-{n}");
        let existing: Option<i64> = distributors::table
            .filter(distributors::merchant_id.eq(merchant_id))
            .filter(distributors::code.eq(&code))
            .select(distributors::id)
            .first(&mut conn)
            .optional()
            .expect("look up distributor");
        let id = match existing {
            Some(id) => id,
            None => {
                let name = NAMES[usize::try_from(n - 1).unwrap() % NAMES.len()];
                let member: i64 = diesel::insert_into(members::table)
                    .values((
                        members::merchant_id.eq(merchant_id),
                        members::phone.eq(format!("1770000{n:04}")),
                        members::name.eq(name),
                        // Not a usable password hash: seeded members cannot sign in.
                        members::password_hash.eq("seeded"),
                        members::status.eq("active"),
                        members::created_at.eq(now),
                        members::updated_at.eq(now),
                    ))
                    .returning(members::id)
                    .get_result(&mut conn)
                    .expect("insert member");
                let id: i64 = diesel::insert_into(distributors::table)
                    .values((
                        distributors::merchant_id.eq(merchant_id),
                        distributors::member_id.eq(member),
                        distributors::code.eq(&code),
                        distributors::status.eq("active"),
                        distributors::joined_at.eq(now),
                        distributors::updated_at.eq(now),
                    ))
                    .returning(distributors::id)
                    .get_result(&mut conn)
                    .expect("insert distributor");
                diesel::insert_into(distributor_paths::table)
                    .values((
                        distributor_paths::merchant_id.eq(merchant_id),
                        distributor_paths::ancestor_id.eq(id),
                        distributor_paths::descendant_id.eq(id),
                        distributor_paths::depth.eq(0),
                    ))
                    .execute(&mut conn)
                    .expect("insert path");
                id
            }
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
