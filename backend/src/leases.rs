//! Leases on periodic jobs (`job_leases`): the instance that holds a job's lease runs its round,
//! the others skip it. A lease is taken by a conditional update (free, expired, or already ours)
//! and lapses by itself, so an instance that dies lets another take over after `ttl`.
//!
//! A lease saves duplicated work; it is not what keeps a job correct. Each job still changes each
//! row by a conditional update, so two rounds overlapping (a lease that lapsed mid-round) change
//! every row once.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};

use crate::db::schema::job_leases as jl;
use crate::db::{write_transaction, DbConnection};
use crate::error::AppResult;

#[derive(Debug, Insertable)]
#[diesel(table_name = jl)]
struct LeaseInsertForm<'a> {
    name: &'a str,
    holder: &'a str,
    locked_until: NaiveDateTime,
}

/// This process's name as a lease holder: random, so two instances never share one.
pub fn holder() -> &'static str {
    static HOLDER: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HOLDER.get_or_init(|| {
        let mut bytes = [0u8; 8];
        // Without randomness the process id alone still tells instances on one host apart.
        let _ = getrandom::fill(&mut bytes);
        format!("{}-{:016x}", std::process::id(), u64::from_le_bytes(bytes))
    })
}

/// Takes or renews the lease of `job` for `holder` until `now + ttl`; false when another holder
/// has it.
pub fn acquire(
    conn: &mut DbConnection,
    job: &str,
    holder: &str,
    ttl: Duration,
    now: NaiveDateTime,
) -> AppResult<bool> {
    let until = now + ttl;
    write_transaction(conn, |conn| {
        let taken = diesel::update(
            jl::table
                .filter(jl::name.eq(job))
                .filter(jl::holder.eq(holder).or(jl::locked_until.lt(now))),
        )
        .set((jl::holder.eq(holder), jl::locked_until.eq(until)))
        .execute(conn)?;
        if taken == 1 {
            return Ok(true);
        }
        let inserted = diesel::insert_into(jl::table)
            .values(LeaseInsertForm {
                name: job,
                holder,
                locked_until: until,
            })
            .execute(conn);
        match inserted {
            Ok(_) => Ok(true),
            // The row exists and another holder has it (or took it a moment ago).
            Err(DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => Ok(false),
            Err(e) => Err(e.into()),
        }
    })
}

/// Gives the lease of `job` up, if `holder` has it.
pub fn release(conn: &mut DbConnection, job: &str, holder: &str) -> AppResult<()> {
    diesel::delete(
        jl::table
            .filter(jl::name.eq(job))
            .filter(jl::holder.eq(holder)),
    )
    .execute(conn)?;
    Ok(())
}
