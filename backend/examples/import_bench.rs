//! Benchmark of the catalog import: generates a 10,000-row file (2,500 products × 4 sizes) as CSV
//! and as xlsx, and times a dry run, a real run (all rows new) and a re-import (all rows updates)
//! on a fresh SQLite database, and on PostgreSQL when a URL is given.
//!
//! ```text
//! cargo run --release --example import_bench                      # SQLite only
//! cargo run --release --example import_bench -- postgres://u@h/fenxiao_bench  # and PostgreSQL
//! ```
//!
//! Give PostgreSQL a scratch database (`createdb fenxiao_bench`): it is migrated and gets new
//! merchants on every run; the server's own `postgres` database is refused. Set `IMPORT_BENCH_ROWS` for another size.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::time::Instant;

use diesel::prelude::*;
use fenxiao::auth::permissions::Permission;
use fenxiao::auth::principal::{Caller, Principal};
use fenxiao::catalog::import;
use fenxiao::catalog::sheet::{self, Format};
use fenxiao::db::schema::merchants;
use fenxiao::db::{self, DatabaseUrl, DbConnection};
use fenxiao::tenancy::models::StaffRole;

fn rows(n: usize) -> Vec<[String; sheet::COLUMN_COUNT]> {
    (0..n)
        .map(|i| {
            [
                format!("基准商品 {}", i / 4),
                String::new(),
                format!("尺码:{}", ["S", "M", "L", "XL"][i % 4]),
                format!("BENCH-{i:06}"),
                format!("69{i:011}"),
                "250".to_owned(),
                format!("{}.{:02}", 10 + i % 90, i % 100),
                (i % 1000).to_string(),
                String::new(),
                String::new(),
            ]
        })
        .collect()
}

fn merchant(conn: &mut DbConnection, label: &str) -> Principal {
    let now = fenxiao::clock::now();
    let id: fenxiao::db::ids::MerchantId = diesel::insert_into(merchants::table)
        .values((
            merchants::name.eq(format!("bench {label}")),
            merchants::contact_name.eq("bench"),
            merchants::contact_phone.eq("13800000000"),
            merchants::contact_email.eq("bench@example.com"),
            merchants::status.eq("active"),
            merchants::created_at.eq(now),
            merchants::updated_at.eq(now),
        ))
        .returning(merchants::id)
        .get_result(conn)
        .expect("create merchant");
    Principal {
        caller: Caller::Staff {
            role: StaffRole::Owner,
        },
        id: 0,
        merchant_id: Some(id),
        shop: None,
        session_id: None,
        label: "bench".into(),
        permissions: Permission::ALL.iter().copied().collect::<BTreeSet<_>>(),
        mfa_enrolment_required: false,
        client: Default::default(),
    }
}

fn time(label: &str, f: impl FnOnce() -> import::ImportJob) {
    let start = Instant::now();
    let job = f();
    let ms = start.elapsed().as_millis();
    println!(
        "  {label:<28} {ms:>6} ms   status={:?} created={} updated={}",
        job.status, job.skus_created, job.skus_updated
    );
}

fn bench(conn: &mut DbConnection, name: &str, n: usize) {
    db::run_migrations(conn).expect("migrate");
    let data = rows(n);
    for format in [Format::Csv, Format::Xlsx] {
        let start = Instant::now();
        let file = sheet::write(format, &data).expect("write file");
        println!(
            "{name}, {} rows, {} ({} KiB, generated in {} ms):",
            n,
            format.as_str(),
            file.len() / 1024,
            start.elapsed().as_millis()
        );
        let owner = merchant(conn, &format!("{name} {}", format.as_str()));
        time("dry run", || {
            import::run(conn, &owner, format, &file, true).expect("dry run")
        });
        time("real run (all new)", || {
            import::run(conn, &owner, format, &file, false).expect("real run")
        });
        time("re-import (all updates)", || {
            import::run(conn, &owner, format, &file, false).expect("re-import")
        });
    }
}

fn main() {
    let n: usize = std::env::var("IMPORT_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("bench.db");
    let url = DatabaseUrl::parse(&format!("sqlite://{}", path.display())).expect("url");
    let mut conn = db::connect(&url).expect("open SQLite");
    bench(&mut conn, "SQLite", n);
    if let Some(pg) = std::env::args().nth(1) {
        let database = pg.split('?').next().unwrap_or("").rsplit('/').next();
        if matches!(database, Some("" | "postgres" | "template0" | "template1")) {
            eprintln!(
                "give a scratch database (e.g. createdb fenxiao_bench), not the server's own"
            );
            std::process::exit(2);
        }
        let url = DatabaseUrl::parse(&pg).expect("PostgreSQL URL");
        let mut conn = db::connect(&url).expect("connect to PostgreSQL");
        bench(&mut conn, "PostgreSQL", n);
    }
}
