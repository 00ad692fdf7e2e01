//! `fenxiao seed`: fills a merchant with a large, realistic distributor tree quickly, for demos
//! and for the benchmark at a million distributors.
//!
//! The shape: one head distributor at the top; most newcomers join under a sponsor picked in
//! proportion to how many recruits the sponsor already has (the few who recruit well keep
//! recruiting: wide fans), the rest under anyone; two hubs with fans of 1 % of everyone each;
//! and three long chains (up to 500 levels) hanging at random places. The parent pointers, the
//! closure rows, depths and every counter are computed in memory and written with multi-row
//! INSERTs in one transaction, so a seed either lands whole or not at all.
//!
//! Seeded members cannot sign in (their password hash is not a hash) and get phone numbers in
//! the unassigned `100` range, derived from their ids so that they never collide.

use std::fmt::Write as _;
use std::io::Write as _;
use std::time::{Duration, Instant};

use chrono::NaiveDateTime;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::BigInt;

use crate::auth::account::AccountStatus;
use crate::db::ids::MerchantId;
use crate::db::schema::merchants;
use crate::db::{write_transaction, DbConnection};
use crate::error::{AppError, AppResult};
use crate::network::DistributorStatus;
use crate::tenancy::models::{MerchantInsertForm, MerchantStatus};

#[derive(Debug, Clone)]
pub struct SeedOptions {
    pub distributors: usize,
    /// Add to this merchant; `None`: create a new merchant.
    pub merchant_id: Option<MerchantId>,
    /// The same seed gives the same tree shape and figures.
    pub shape_seed: u64,
    /// Draw a progress bar on stderr.
    pub progress: bool,
}

#[derive(Debug, Clone)]
pub struct SeedReport {
    pub merchant_id: MerchantId,
    /// The head distributor at the top of the seeded tree.
    pub root_id: i64,
    pub distributors: usize,
    pub paths: usize,
    pub max_depth: u32,
    pub elapsed: Duration,
}

/// splitmix64: small, fast and good enough for shaping test data (no dependency needed).
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }
}

/// One seeded distributor, by position: parents come before their children.
#[derive(Debug, Clone, Default)]
pub struct SeedNode {
    pub parent: Option<usize>,
    pub depth: u32,
    pub personal_sales: i64,
    pub order_count: i64,
    pub direct_recruits: i64,
    pub team_size: i64,
    pub team_sales: i64,
}

/// The tree shape and all figures for `n` distributors (see the module comment).
pub fn shape(n: usize, seed: u64) -> Vec<SeedNode> {
    let mut rng = Rng::new(seed);
    let mut nodes: Vec<SeedNode> = Vec::with_capacity(n);
    if n == 0 {
        return nodes;
    }
    nodes.push(SeedNode::default());
    // Each distributor holds one ticket, plus one per recruit: drawing a ticket picks a sponsor
    // in proportion to (recruits + 1).
    let mut tickets: Vec<u32> = Vec::with_capacity(2 * n);
    tickets.push(0);
    let chain_len = (n / 1000).min(500);
    let chain_starts: Vec<usize> = if chain_len >= 2 {
        (1..=3).map(|k| n * k / 4).collect()
    } else {
        Vec::new()
    };
    let hubs = [n / 10, n / 3];
    for i in 1..n {
        let in_chain = chain_starts
            .iter()
            .find(|&&s| i >= s && i < s + chain_len)
            .copied();
        let parent = match in_chain {
            Some(start) if i > start => i - 1,
            _ => {
                let roll = rng.below(1000);
                if roll < 10 && i > hubs[0] && hubs[0] > 0 {
                    hubs[0]
                } else if roll < 20 && i > hubs[1] && hubs[1] > 0 {
                    hubs[1]
                } else if roll < 720 {
                    tickets[rng.below(tickets.len())] as usize
                } else {
                    rng.below(i)
                }
            }
        };
        let depth = nodes[parent].depth + 1;
        tickets.push(i as u32);
        tickets.push(parent as u32);
        // Four in ten have sold: 1–20 orders of 19.90–899.00 yuan.
        let (orders, sales) = if rng.below(10) < 4 {
            let orders = 1 + rng.below(20) as i64;
            let mut sales = 0i64;
            for _ in 0..orders {
                sales += 1990 + rng.below(87_911) as i64;
            }
            (orders, sales)
        } else {
            (0, 0)
        };
        nodes.push(SeedNode {
            parent: Some(parent),
            depth,
            personal_sales: sales,
            order_count: orders,
            ..SeedNode::default()
        });
    }
    // Children come after parents, so one backward pass sums every team.
    for i in (1..n).rev() {
        let (size, sales) = (
            nodes[i].team_size + 1,
            nodes[i].team_sales + nodes[i].personal_sales,
        );
        if let Some(p) = nodes[i].parent {
            nodes[p].team_size += size;
            nodes[p].team_sales += sales;
            nodes[p].direct_recruits += 1;
        }
    }
    nodes
}

/// A progress bar on stderr, redrawn at most ten times a second.
pub struct Progress {
    label: &'static str,
    total: usize,
    started: Instant,
    last_draw: Option<Instant>,
    drawn: Option<usize>,
    enabled: bool,
}

impl Progress {
    pub fn new(label: &'static str, total: usize, enabled: bool) -> Self {
        Progress {
            label,
            total,
            started: Instant::now(),
            last_draw: None,
            drawn: None,
            enabled,
        }
    }

    pub fn set(&mut self, done: usize) {
        if !self.enabled || self.drawn == Some(done) {
            return;
        }
        let now = Instant::now();
        if done < self.total
            && self
                .last_draw
                .is_some_and(|t| now.duration_since(t) < Duration::from_millis(100))
        {
            return;
        }
        self.last_draw = Some(now);
        self.drawn = Some(done);
        const WIDTH: usize = 30;
        let filled = (done * WIDTH).checked_div(self.total).unwrap_or(WIDTH);
        let percent = (done * 100).checked_div(self.total).unwrap_or(100);
        let mut err = std::io::stderr().lock();
        let _ = write!(
            err,
            "\r{:<13} [{}{}] {:>3}% {}/{} {:.1}s ",
            self.label,
            "#".repeat(filled.min(WIDTH)),
            " ".repeat(WIDTH - filled.min(WIDTH)),
            percent,
            done,
            self.total,
            self.started.elapsed().as_secs_f64()
        );
        let _ = err.flush();
    }

    pub fn finish(&mut self) {
        self.set(self.total);
        if self.enabled {
            eprintln!();
        }
    }
}

/// A merchant for seeded data: active, with no staff (sign up a real one to use the console).
pub fn create_merchant(
    conn: &mut DbConnection,
    name: &str,
    now: NaiveDateTime,
) -> AppResult<MerchantId> {
    // The tenancy module's insert form: seeding skips sign-up (no owner, no verification), but
    // not the shop's default address.
    let id: MerchantId = diesel::insert_into(merchants::table)
        .values(MerchantInsertForm {
            name,
            contact_name: "Seed",
            contact_phone: "10000000000",
            contact_email: "seed@example.com",
            status: MerchantStatus::Active,
            created_at: now,
            updated_at: now,
        })
        .returning(merchants::id)
        .get_result(conn)?;
    crate::tenancy::merchant::assign_default_slug(conn, id)?;
    Ok(id)
}

const SURNAMES: [&str; 20] = [
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "林", "罗", "高",
];
const GIVEN: [&str; 20] = [
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀英", "霞", "平",
];

/// Rows per multi-row INSERT (SQLite) or per COPY (PostgreSQL): large enough that round trips
/// do not matter, small enough for SQLite's statement limits and a lively progress bar.
const SQLITE_BATCH: usize = 5_000;
const COPY_BATCH: usize = 100_000;

fn next_id(conn: &mut DbConnection, table: &str) -> AppResult<i64> {
    #[derive(QueryableByName)]
    struct Max {
        #[diesel(sql_type = diesel::sql_types::Nullable<BigInt>)]
        id: Option<i64>,
    }
    let max: Max = diesel::sql_query(format!("SELECT CAST(MAX(id) AS BIGINT) AS id FROM {table}"))
        .get_result(conn)?;
    Ok(max.id.unwrap_or(0) + 1)
}

/// One value of a seeded row. Texts are generated here (digits, letters, Chinese names), never
/// taken from input, so quoting them for SQL or COPY needs no more than the doubling below.
#[derive(Debug, Clone, Copy)]
enum Field<'a> {
    Int(i64),
    Null,
    Text(&'a str),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Target {
    Members,
    Distributors,
    Paths,
}

impl Target {
    fn insert_head(self) -> &'static str {
        match self {
            Target::Members => "INSERT INTO members (id, merchant_id, phone, name, password_hash, status, created_at, updated_at) VALUES ",
            Target::Distributors => "INSERT INTO distributors (id, merchant_id, member_id, parent_id, code, status, depth, personal_sales, order_count, direct_recruits, team_size, team_sales, joined_at, updated_at) VALUES ",
            Target::Paths => "INSERT INTO distributor_paths (merchant_id, ancestor_id, descendant_id, depth) VALUES ",
        }
    }
}

/// Collects rows and writes them in batches: multi-row INSERTs on SQLite, COPY (text format) on
/// PostgreSQL, which parses several times faster than INSERT statements.
struct RowWriter {
    target: Target,
    copy: bool,
    buf: String,
    rows: usize,
}

impl RowWriter {
    fn new(conn: &DbConnection, target: Target) -> Self {
        RowWriter {
            target,
            copy: matches!(conn, DbConnection::Postgresql(_)),
            buf: String::new(),
            rows: 0,
        }
    }

    fn push(&mut self, conn: &mut DbConnection, fields: &[Field<'_>]) -> AppResult<bool> {
        if self.copy {
            for (k, f) in fields.iter().enumerate() {
                if k > 0 {
                    self.buf.push('\t');
                }
                match f {
                    Field::Int(v) => {
                        let _ = write!(self.buf, "{v}");
                    }
                    Field::Null => self.buf.push_str("\\N"),
                    Field::Text(t) => self.buf.push_str(t),
                }
            }
            self.buf.push('\n');
        } else {
            self.buf.push_str(if self.rows == 0 {
                self.target.insert_head()
            } else {
                ","
            });
            self.buf.push('(');
            for (k, f) in fields.iter().enumerate() {
                if k > 0 {
                    self.buf.push(',');
                }
                match f {
                    Field::Int(v) => {
                        let _ = write!(self.buf, "{v}");
                    }
                    Field::Null => self.buf.push_str("NULL"),
                    Field::Text(t) => {
                        self.buf.push('\'');
                        self.buf.push_str(&t.replace('\'', "''"));
                        self.buf.push('\'');
                    }
                }
            }
            self.buf.push(')');
        }
        self.rows += 1;
        let full = self.rows >= if self.copy { COPY_BATCH } else { SQLITE_BATCH };
        if full {
            self.flush(conn)?;
        }
        Ok(full)
    }

    fn flush(&mut self, conn: &mut DbConnection) -> AppResult<()> {
        if self.rows == 0 {
            return Ok(());
        }
        match conn {
            DbConnection::Sqlite(_) => conn.batch_execute(&self.buf)?,
            DbConnection::Postgresql(pg) => {
                use diesel::pg::CopyFormat;
                let data = self.buf.as_bytes();
                let write = |w: &mut dyn std::io::Write| -> Result<(), diesel::result::Error> {
                    w.write_all(data)
                        .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))
                };
                match self.target {
                    Target::Members => {
                        use crate::db::schema::members as t;
                        diesel::copy_from(t::table)
                            .from_raw_data(
                                (
                                    t::id,
                                    t::merchant_id,
                                    t::phone,
                                    t::name,
                                    t::password_hash,
                                    t::status,
                                    t::created_at,
                                    t::updated_at,
                                ),
                                write,
                            )
                            .with_format(CopyFormat::Text)
                            .execute(pg)?;
                    }
                    Target::Distributors => {
                        use crate::db::schema::distributors as t;
                        diesel::copy_from(t::table)
                            .from_raw_data(
                                (
                                    t::id,
                                    t::merchant_id,
                                    t::member_id,
                                    t::parent_id,
                                    t::code,
                                    t::status,
                                    t::depth,
                                    t::personal_sales,
                                    t::order_count,
                                    t::direct_recruits,
                                    t::team_size,
                                    t::team_sales,
                                    t::joined_at,
                                    t::updated_at,
                                ),
                                write,
                            )
                            .with_format(CopyFormat::Text)
                            .execute(pg)?;
                    }
                    Target::Paths => {
                        use crate::db::schema::distributor_paths as t;
                        diesel::copy_from(t::table)
                            .from_raw_data(
                                (t::merchant_id, t::ancestor_id, t::descendant_id, t::depth),
                                write,
                            )
                            .with_format(CopyFormat::Text)
                            .execute(pg)?;
                    }
                }
            }
        }
        self.buf.clear();
        self.rows = 0;
        Ok(())
    }
}

/// Seeds the tree. Ids are taken after the current maximum under the write lock (on PostgreSQL
/// with the tables locked against other writers, and the id sequences moved past them after).
pub fn run(conn: &mut DbConnection, options: &SeedOptions) -> AppResult<SeedReport> {
    let started = Instant::now();
    let n = options.distributors;
    if n == 0 {
        return Err(AppError::internal("nothing to seed: --distributors 0"));
    }
    let now = crate::clock::now();
    let stamp = now.format("%Y-%m-%d %H:%M:%S%.6f").to_string();
    let nodes = shape(n, options.shape_seed);
    let path_total: usize = nodes.iter().map(|x| x.depth as usize + 1).sum();
    let max_depth = nodes.iter().map(|x| x.depth).max().unwrap_or(0);
    if let DbConnection::Sqlite(_) = conn {
        // A large page cache keeps the closure table's second index in memory while it grows.
        conn.batch_execute("PRAGMA cache_size = -1048576")?;
    }
    let (merchant_id, root_id) = write_transaction(conn, |conn| {
        let merchant_id = match options.merchant_id {
            Some(id) => merchants::table
                .find(id)
                .select(merchants::id)
                .first::<MerchantId>(conn)
                .optional()?
                .ok_or_else(|| {
                    AppError::field(
                        "merchant",
                        crate::error::ErrorCode::UnknownMerchant
                            .form("seed")
                            .arg("id", id),
                    )
                })?,
            None => create_merchant(conn, &format!("分销演示店 {n}"), now)?,
        };
        if let DbConnection::Postgresql(_) = conn {
            conn.batch_execute(
                "LOCK TABLE members, distributors, distributor_paths IN EXCLUSIVE MODE",
            )?;
        }
        let member_base = next_id(conn, "members")?;
        let base = next_id(conn, "distributors")?;
        let id = |i: usize| base + i as i64;

        let mut bar = Progress::new("members", n, options.progress);
        let mut writer = RowWriter::new(conn, Target::Members);
        for i in 0..n {
            let mid = member_base + i as i64;
            let phone = format!("100{:08}", mid % 100_000_000);
            let name = format!(
                "{}{}",
                SURNAMES[(mid as usize / 7) % SURNAMES.len()],
                GIVEN[(mid as usize * 13) % GIVEN.len()]
            );
            let fields = [
                Field::Int(mid),
                Field::Int(merchant_id.get()),
                Field::Text(&phone),
                Field::Text(&name),
                Field::Text("!seeded"),
                Field::Text(AccountStatus::Active.as_str()),
                Field::Text(&stamp),
                Field::Text(&stamp),
            ];
            if writer.push(conn, &fields)? {
                bar.set(i + 1);
            }
        }
        writer.flush(conn)?;
        bar.finish();

        let mut bar = Progress::new("distributors", n, options.progress);
        let mut writer = RowWriter::new(conn, Target::Distributors);
        for (i, node) in nodes.iter().enumerate() {
            // Nine characters: never equal to an eight-character code from `join`.
            let code = format!("S{:08X}", id(i));
            let fields = [
                Field::Int(id(i)),
                Field::Int(merchant_id.get()),
                Field::Int(member_base + i as i64),
                node.parent.map_or(Field::Null, |p| Field::Int(id(p))),
                Field::Text(&code),
                Field::Text(DistributorStatus::Active.as_str()),
                Field::Int(i64::from(node.depth)),
                Field::Int(node.personal_sales),
                Field::Int(node.order_count),
                Field::Int(node.direct_recruits),
                Field::Int(node.team_size),
                Field::Int(node.team_sales),
                Field::Text(&stamp),
                Field::Text(&stamp),
            ];
            if writer.push(conn, &fields)? {
                bar.set(i + 1);
            }
        }
        writer.flush(conn)?;
        bar.finish();

        // Closure rows, in the order of the primary key (descendant, depth).
        let mut bar = Progress::new("paths", path_total, options.progress);
        let mut writer = RowWriter::new(conn, Target::Paths);
        let mut done = 0usize;
        for i in 0..n {
            let mut current = Some(i);
            let mut distance = 0i64;
            while let Some(a) = current {
                let fields = [
                    Field::Int(merchant_id.get()),
                    Field::Int(id(a)),
                    Field::Int(id(i)),
                    Field::Int(distance),
                ];
                done += 1;
                if writer.push(conn, &fields)? {
                    bar.set(done);
                }
                current = nodes[a].parent;
                distance += 1;
            }
        }
        writer.flush(conn)?;
        bar.finish();

        if let DbConnection::Postgresql(_) = conn {
            // Explicit ids do not advance identity sequences; later inserts must start past them.
            conn.batch_execute(
                "SELECT setval(pg_get_serial_sequence('members', 'id'), (SELECT MAX(id) FROM members));
                 SELECT setval(pg_get_serial_sequence('distributors', 'id'), (SELECT MAX(id) FROM distributors));",
            )?;
        }
        Ok::<_, AppError>((merchant_id, id(0)))
    })?;
    if options.progress {
        eprint!("analyze ...");
    }
    // Fresh statistics, so the planners pick the closure table's indexes at this size.
    // On PostgreSQL, VACUUM also marks the new pages all-visible, without which index-only
    // scans over the closure table would visit the heap for every row. One statement each:
    // VACUUM cannot run inside the implicit transaction of a multi-statement string.
    match conn {
        DbConnection::Postgresql(_) => {
            for table in ["members", "distributors", "distributor_paths"] {
                conn.batch_execute(&format!("VACUUM (ANALYZE) {table}"))?;
            }
        }
        DbConnection::Sqlite(_) => conn.batch_execute("ANALYZE")?,
    }
    if options.progress {
        eprintln!(" done");
    }
    Ok(SeedReport {
        merchant_id,
        root_id,
        distributors: n,
        paths: path_total,
        max_depth,
        elapsed: started.elapsed(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shape_is_a_tree_with_consistent_figures() {
        let nodes = shape(20_000, 7);
        assert_eq!(nodes.len(), 20_000);
        assert!(nodes[0].parent.is_none());
        for (i, node) in nodes.iter().enumerate().skip(1) {
            let p = node.parent.unwrap_or(usize::MAX);
            assert!(p < i, "parents come first");
            assert_eq!(node.depth, nodes[p].depth + 1);
        }
        assert_eq!(nodes[0].team_size, 19_999);
        let sales: i64 = nodes.iter().skip(1).map(|x| x.personal_sales).sum();
        assert_eq!(nodes[0].team_sales, sales);
        // Deep chains and wide fans are there.
        assert!(nodes.iter().map(|x| x.depth).max().unwrap_or(0) >= 20);
        assert!(nodes.iter().map(|x| x.direct_recruits).max().unwrap_or(0) >= 150);
        // Same seed, same tree.
        let again = shape(20_000, 7);
        assert!(nodes
            .iter()
            .zip(&again)
            .all(|(a, b)| a.parent == b.parent && a.personal_sales == b.personal_sales));
    }
}
