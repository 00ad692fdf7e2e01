//! `fenxiao bench-network`: times the tree's queries and writes on a seeded merchant, through the
//! same service functions the API calls, and prints a Markdown table of medians and 95th
//! percentiles (docs/performance.md records the figures).
//!
//! The write section adds a few hundred distributors, sales and leaf moves to the merchant: run
//! it on a database made for benchmarking.

use std::time::{Duration, Instant};

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};

use super::queries::{self, DistributorQuery, DistributorSort};
use super::seed::Rng;
use super::tree;
use crate::auth::account::AccountStatus;
use crate::clock;
use crate::db::ids::{DistributorId, MemberId, MerchantId};
use crate::db::schema::{distributor_paths as paths, distributors, members};
use crate::db::DbConnection;
use crate::error::{AppError, AppResult};
use crate::members::models::MemberInsertForm;

#[derive(Debug, Clone)]
pub struct BenchOptions {
    pub merchant_id: MerchantId,
    /// Repetitions of each fast read; slower operations run a tenth as often (at least 10).
    pub repetitions: usize,
    /// Also time joins, sales and moves (they change the data).
    pub writes: bool,
}

#[derive(Debug, Clone)]
pub struct Timing {
    pub name: String,
    pub runs: usize,
    pub median: Duration,
    pub p95: Duration,
    pub max: Duration,
}

fn summarise(name: &str, mut samples: Vec<Duration>) -> Timing {
    samples.sort_unstable();
    let at = |q: f64| {
        let idx = ((samples.len() as f64 - 1.0) * q).round() as usize;
        samples.get(idx).copied().unwrap_or_default()
    };
    Timing {
        name: name.to_owned(),
        runs: samples.len(),
        median: at(0.5),
        p95: at(0.95),
        max: samples.last().copied().unwrap_or_default(),
    }
}

fn time<T>(name: &str, runs: usize, mut f: impl FnMut(usize) -> AppResult<T>) -> AppResult<Timing> {
    // One untimed run (with the index after the timed ones) warms the statement cache.
    f(runs)?;
    let mut samples = Vec::with_capacity(runs);
    for i in 0..runs {
        let started = Instant::now();
        f(i)?;
        samples.push(started.elapsed());
    }
    Ok(summarise(name, samples))
}

fn ms(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64() * 1000.0)
}

pub fn render(timings: &[Timing]) -> String {
    let mut out = String::from(
        "| operation | runs | median ms | p95 ms | max ms |\n|---|---:|---:|---:|---:|\n",
    );
    for t in timings {
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            t.name,
            t.runs,
            ms(t.median),
            ms(t.p95),
            ms(t.max)
        ));
    }
    out
}

/// The database's own description of itself, for the report.
pub fn server_version(conn: &mut DbConnection) -> AppResult<String> {
    #[derive(QueryableByName)]
    struct Version {
        #[diesel(sql_type = Text)]
        v: String,
    }
    let sql = match conn {
        DbConnection::Postgresql(_) => "SELECT version() AS v",
        DbConnection::Sqlite(_) => "SELECT 'SQLite ' || sqlite_version() AS v",
    };
    Ok(diesel::sql_query(sql).get_result::<Version>(conn)?.v)
}

pub fn run(conn: &mut DbConnection, options: &BenchOptions) -> AppResult<(String, Vec<Timing>)> {
    let m = options.merchant_id;
    let reps = options.repetitions.max(10);
    let few = (reps / 10).max(10);
    let ids: Vec<DistributorId> = distributors::table
        .filter(distributors::merchant_id.eq(m))
        .select(distributors::id)
        .load(conn)?;
    if ids.is_empty() {
        return Err(AppError::internal(format!(
            "merchant {m} has no distributors: run `fenxiao seed` first"
        )));
    }
    // The root with the largest team.
    let root: DistributorId = distributors::table
        .filter(distributors::merchant_id.eq(m))
        .filter(distributors::parent_id.is_null())
        .order(distributors::team_size.desc())
        .select(distributors::id)
        .first(conn)?;
    let root_team: i64 = queries::team(conn, m, root)?.team_size;
    let max_depth: Option<i32> = distributors::table
        .filter(distributors::merchant_id.eq(m))
        .select(diesel::dsl::max(distributors::depth))
        .first(conn)?;
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let path_count = diesel::sql_query(format!(
        "SELECT CAST(COUNT(*) AS BIGINT) AS n FROM distributor_paths WHERE merchant_id = {m}"
    ))
    .get_result::<Count>(conn)?
    .n;
    let header = format!(
        "{}; merchant {m}: {} distributors, {path_count} closure rows, deepest level {}, root {root} with a team of {root_team}",
        server_version(conn)?,
        ids.len(),
        max_depth.unwrap_or(0),
    );
    let mut rng = Rng::new(0x5eed);
    let mut pick = move || ids[rng.below(ids.len())];
    let sample: Vec<DistributorId> = (0..reps + 1).map(|_| pick()).collect();
    let phones: Vec<String> = members::table
        .inner_join(distributors::table)
        .filter(distributors::id.eq_any(&sample[..few + 1]))
        .filter(members::phone.is_not_null())
        .select(members::phone.assume_not_null())
        .load(conn)?;

    let mut timings = vec![
        time("upline, 3 levels (random distributor)", reps, |i| {
            queries::upline(conn, m, sample[i], 3)
        })?,
        time("team figures of the root (counters)", reps, |_| {
            queries::team(conn, m, root)
        })?,
        time("team figures (random distributor)", reps, |i| {
            queries::team(conn, m, sample[i])
        })?,
        time("detail with upline (random distributor)", reps, |i| {
            queries::detail(conn, m, sample[i])
        })?,
        time("direct recruits, first page of 20 (root)", few, |_| {
            queries::children(conn, m, root, None, Some(20))
        })?,
        time("list, newest first, page of 20", few, |_| {
            queries::list(conn, m, &DistributorQuery::default())
        })?,
        time("list, search by exact phone", few, |i| {
            let q = phones.get(i % phones.len().max(1)).cloned();
            queries::list(
                conn,
                m,
                &DistributorQuery {
                    q,
                    ..DistributorQuery::default()
                },
            )
        })?,
        time(
            "list, search by part of a name (reads every member)",
            few,
            |_| {
                queries::list(
                    conn,
                    m,
                    &DistributorQuery {
                        q: Some("王伟".to_owned()),
                        ..DistributorQuery::default()
                    },
                )
            },
        )?,
        time("list, largest teams first, page of 20", few, |_| {
            queries::list(
                conn,
                m,
                &DistributorQuery {
                    sort: Some(DistributorSort::TeamSize),
                    ..DistributorQuery::default()
                },
            )
        })?,
        time(
            "team size of the root by COUNT over the closure table (for comparison)",
            (few / 10).max(10),
            |_| {
                paths::table
                    .filter(paths::merchant_id.eq(m))
                    .filter(paths::ancestor_id.eq(root))
                    .filter(paths::depth.ge(1))
                    .count()
                    .get_result::<i64>(conn)
                    .map_err(AppError::from)
            },
        )?,
    ];

    if options.writes {
        let now = clock::now();
        // Members to join, made before timing.
        let mut newcomers = Vec::with_capacity(few + 1);
        for _ in 0..=few {
            newcomers.push(
                diesel::insert_into(members::table)
                    .values(MemberInsertForm {
                        merchant_id: m,
                        phone: None,
                        email: Some(&format!("bench-{}@example.com", uuid::Uuid::new_v4())),
                        name: None,
                        password_hash: "!bench",
                        status: AccountStatus::Active,
                        phone_verified_at: None,
                        email_verified_at: None,
                        created_at: now,
                        updated_at: now,
                    })
                    .returning(members::id)
                    .get_result::<MemberId>(conn)?,
            );
        }
        let mut joined = Vec::new();
        timings.push(time("join under a random sponsor", few, |i| {
            let id = tree::join(conn, m, newcomers[i], Some(sample[i]), clock::now())?;
            joined.push(id);
            Ok(())
        })?);
        timings.push(time("record a sale (random distributor)", few, |i| {
            tree::record_sale(
                conn,
                m,
                sample[i],
                &format!("BENCH-{m}-{i}"),
                12_800,
                clock::now(),
            )?;
            Ok(())
        })?);
        // The newcomers are leaves: move each under another random distributor and back.
        timings.push(time("move a leaf under another sponsor", few, |i| {
            let leaf = joined[i % joined.len()];
            tree::move_distributor(
                conn,
                m,
                leaf,
                Some(sample[(i + 7) % sample.len()]),
                clock::now(),
            )
        })?);
    }
    Ok((header, timings))
}
