//! The recording and the dispatcher against real databases: a temporary SQLite file always, and
//! a fresh PostgreSQL database when `FENXIAO_TEST_POSTGRES_URL` is set (required when
//! `FENXIAO_REQUIRE_POSTGRES=1`), each test body running on every one of them.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use chrono::{Duration, NaiveDateTime};
use diesel::connection::{SimpleConnection, TransactionManager};
use diesel::prelude::*;

use super::dispatch::{self, claim, hold, GRACE, LEASE};
use super::*;
use crate::db::ids::{DistributorId, MerchantId};
use crate::db::schema::{event_consumers as ec, event_receipts as er, merchants};
use crate::db::{self as database, Backend, DbPool};

/// A migrated database of its own with one merchant; a PostgreSQL one is dropped afterwards.
struct TestDb {
    pool: DbPool,
    merchant_id: MerchantId,
    _dir: Option<tempfile::TempDir>,
    postgres: Option<(String, String)>,
}

impl TestDb {
    fn open(url: &str) -> (DbPool, MerchantId) {
        let pool = database::build_pool(&database::DatabaseUrl::parse(url).unwrap(), 8).unwrap();
        let mut conn = pool.get().unwrap();
        database::run_migrations(&mut conn).unwrap();
        let now = clock::now();
        let merchant_id = diesel::insert_into(merchants::table)
            .values((
                merchants::name.eq("茶园"),
                merchants::contact_name.eq("王丽"),
                merchants::contact_phone.eq("13812345678"),
                merchants::contact_email.eq("boss@example.com"),
                merchants::status.eq(crate::tenancy::models::MerchantStatus::Active),
                merchants::created_at.eq(now),
                merchants::updated_at.eq(now),
            ))
            .returning(merchants::id)
            .get_result(&mut conn)
            .unwrap();
        drop(conn);
        (pool, merchant_id)
    }

    fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().unwrap();
        let (pool, merchant_id) = Self::open(&format!(
            "sqlite://{}",
            dir.path().join("events.db").display()
        ));
        TestDb {
            pool,
            merchant_id,
            _dir: Some(dir),
            postgres: None,
        }
    }

    fn postgres() -> Option<TestDb> {
        let admin = std::env::var("FENXIAO_TEST_POSTGRES_URL")
            .ok()
            .filter(|u| !u.is_empty());
        let Some(admin) = admin else {
            let required = std::env::var("FENXIAO_REQUIRE_POSTGRES").is_ok_and(|v| v == "1");
            assert!(
                !required,
                "FENXIAO_REQUIRE_POSTGRES=1 but FENXIAO_TEST_POSTGRES_URL is not set"
            );
            return None;
        };
        let name = format!("fenxiao_unit_{}", uuid::Uuid::new_v4().simple());
        PgConnection::establish(&admin)
            .unwrap()
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap();
        // The admin URL with the new database's name in place of its own.
        let (base, query) = admin.split_once('?').unwrap_or((&admin, ""));
        let server = base.rsplit_once('/').map_or(base, |(server, _)| server);
        let query = if query.is_empty() {
            String::new()
        } else {
            format!("?{query}")
        };
        let (pool, merchant_id) = Self::open(&format!("{server}/{name}{query}"));
        Some(TestDb {
            pool,
            merchant_id,
            _dir: None,
            postgres: Some((admin, name)),
        })
    }

    /// Every backend configured.
    fn all() -> Vec<TestDb> {
        std::iter::once(Self::sqlite())
            .chain(Self::postgres())
            .collect()
    }

    fn conn(&self) -> database::PooledConnection {
        self.pool.get().unwrap()
    }

    /// Records `n` events of the merchant, each in its own transaction; their ids.
    fn record_moves(&self, n: usize) -> Vec<i64> {
        (0..n)
            .map(|i| {
                database::write_transaction(&mut self.conn(), |conn| {
                    record(conn, self.merchant_id, &moved(i), clock::now())
                })
                .unwrap()
            })
            .collect()
    }

    fn count(&self, consumer: &str) -> i64 {
        er::table
            .filter(er::consumer.eq(consumer))
            .count()
            .get_result(&mut self.conn())
            .unwrap()
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.postgres.take() {
            // The pool's connections go first, or the database is still in use.
            let pool = std::mem::replace(
                &mut self.pool,
                database::build_pool(&database::DatabaseUrl::parse(&admin).unwrap(), 1).unwrap(),
            );
            drop(pool);
            if let Ok(mut conn) = PgConnection::establish(&admin) {
                let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

/// An event whose synchronous subscriber finds nothing to do (no such distributor).
fn moved(i: usize) -> DomainEvent {
    DomainEvent::DistributorMoved(DistributorMoved {
        distributor_id: DistributorId(1_000_000 + i64::try_from(i).unwrap()),
        from_parent_id: None,
        to_parent_id: Some(DistributorId(1)),
    })
}

/// A consumer that remembers what it was handed, can be told to fail on an event, and checks
/// that it is never handling two events at once.
struct Probe {
    name: &'static str,
    kinds: Vec<EventKind>,
    seen: Mutex<Vec<i64>>,
    fail_on: Mutex<Option<i64>>,
    busy: AtomicBool,
    pause: std::time::Duration,
}

impl Probe {
    fn new(name: &'static str, kinds: &[EventKind]) -> Probe {
        Probe {
            name,
            kinds: kinds.to_vec(),
            seen: Mutex::new(Vec::new()),
            fail_on: Mutex::new(None),
            busy: AtomicBool::new(false),
            pause: std::time::Duration::ZERO,
        }
    }

    fn seen(&self) -> Vec<i64> {
        self.seen.lock().unwrap().clone()
    }
}

impl Consumer for Probe {
    fn name(&self) -> &str {
        self.name
    }

    fn events(&self) -> &[EventKind] {
        &self.kinds
    }

    fn handle(&self, _conn: &mut DbConnection, event: &StoredEvent) -> AppResult<()> {
        assert!(
            !self.busy.swap(true, Ordering::SeqCst),
            "two dispatchers handled the consumer at once"
        );
        std::thread::sleep(self.pause);
        let failing = *self.fail_on.lock().unwrap() == Some(event.id);
        if !failing {
            self.seen.lock().unwrap().push(event.id);
        }
        self.busy.store(false, Ordering::SeqCst);
        if failing {
            return Err(AppError::internal("the probe was told to fail"));
        }
        Ok(())
    }
}

fn after_grace() -> NaiveDateTime {
    clock::now() + GRACE + Duration::seconds(1)
}

#[test]
fn an_event_commits_and_rolls_back_with_its_transaction() {
    for db in TestDb::all() {
        let m = db.merchant_id;
        let mut conn = db.conn();
        let refused = database::write_transaction(&mut conn, |conn| {
            record(conn, m, &moved(0), clock::now())?;
            Err::<(), _>(AppError::conflict(crate::error::ErrorCode::TreeCycle))
        });
        assert!(refused.is_err());
        let count =
            |conn: &mut DbConnection| -> i64 { de::table.count().get_result(conn).unwrap() };
        assert_eq!(count(&mut conn), 0, "rolled back with its cause");
        let outside = record(&mut conn, m, &moved(0), clock::now());
        assert!(outside.is_err(), "refused outside a transaction");
        assert_eq!(count(&mut conn), 0);

        let sale =
            DomainEvent::SaleRecorded(SaleRecorded::new(DistributorId(1), "SO-1", 500).unwrap());
        let id = database::write_transaction(&mut conn, |conn| {
            assert_eq!(previous(conn, m, &sale)?, None);
            // No distributor 1: the sales fact subscriber refuses, and all of it rolls back.
            record(conn, m, &sale, clock::now())
        });
        assert!(matches!(id, Err(AppError::NotFound)), "{id:?}");
        assert_eq!(count(&mut conn), 0);

        let id =
            database::write_transaction(&mut conn, |conn| record(conn, m, &moved(1), clock::now()))
                .unwrap();
        let (name, key): (String, Option<String>) = de::table
            .find(id)
            .select((de::name, de::event_key))
            .first(&mut conn)
            .unwrap();
        assert_eq!((name.as_str(), key), ("distributor.moved", None));
        assert_eq!(
            previous(&mut conn, m, &moved(1)).unwrap(),
            None,
            "events without a key are never repeats"
        );
    }
}

#[test]
fn the_position_moves_over_settled_events_only_and_nothing_is_handed_over_twice() {
    for db in TestDb::all() {
        let probe = Probe::new("test.probe", &[EventKind::DistributorMoved]);
        let ids = db.record_moves(3);
        let mut conn = db.conn();
        let first = dispatch(&mut conn, &probe, 10, clock::now()).unwrap();
        assert!(first.claimed);
        assert_eq!(first.handled, 3);
        assert_eq!(first.position, 0, "too recent to be settled");
        assert_eq!(probe.seen(), ids, "in id order");
        assert_eq!(db.count("test.probe"), 3, "remembered by receipts");

        let again = dispatch(&mut conn, &probe, 10, clock::now()).unwrap();
        assert_eq!(
            (again.handled, again.position),
            (0, 0),
            "idempotent by event id"
        );

        let settled = dispatch(&mut conn, &probe, 10, after_grace()).unwrap();
        assert_eq!((settled.handled, settled.position), (0, ids[2]));
        assert_eq!(
            db.count("test.probe"),
            0,
            "receipts behind the position are dropped"
        );
        assert_eq!(probe.seen(), ids, "handed over once");
        let idle = dispatch(&mut conn, &probe, 10, after_grace()).unwrap();
        assert!(
            idle.idle && !idle.claimed,
            "nothing after the position: not even claimed"
        );
        let holder: Option<String> = ec::table
            .find("test.probe")
            .select(ec::locked_by)
            .first(&mut conn)
            .unwrap();
        assert_eq!(holder, None, "released after each round");

        // Events the consumer does not take are passed over; small batches go on where the
        // last one stopped.
        let more = db.record_moves(3);
        let sales_only = Probe::new("test.sales", &[EventKind::SaleRecorded]);
        let report = dispatch(&mut conn, &sales_only, 10, after_grace()).unwrap();
        assert_eq!((report.handled, report.position), (0, more[2]));
        let one = dispatch(&mut conn, &probe, 1, clock::now()).unwrap();
        assert_eq!((one.handled, one.position), (1, ids[2]));
        let rest = dispatch(&mut conn, &probe, 10, after_grace()).unwrap();
        assert_eq!((rest.handled, rest.position), (2, more[2]));
        assert_eq!(probe.seen(), [ids, more].concat());
    }
}

#[test]
fn a_failing_event_is_retried_after_a_pause_and_holds_the_position_before_it() {
    for db in TestDb::all() {
        let probe = Probe::new("test.probe", &[EventKind::DistributorMoved]);
        let ids = db.record_moves(3);
        *probe.fail_on.lock().unwrap() = Some(ids[1]);
        let mut conn = db.conn();
        let now = after_grace();
        let report = dispatch(&mut conn, &probe, 10, now).unwrap();
        assert_eq!(report.handled, 1);
        assert_eq!(report.failed, Some(ids[1]));
        assert_eq!(report.position, ids[0], "not past the failed event");
        assert_eq!(probe.seen(), [ids[0]], "later events wait");
        let (failures, error): (i32, Option<String>) = ec::table
            .find("test.probe")
            .select((ec::failures, ec::last_error))
            .first(&mut conn)
            .unwrap();
        assert_eq!(failures, 1);
        assert!(error.unwrap().contains("told to fail"));

        let waiting = dispatch(&mut conn, &probe, 10, now).unwrap();
        assert!(!waiting.claimed, "backing off");
        let again = dispatch(&mut conn, &probe, 10, now + Duration::seconds(1)).unwrap();
        assert_eq!(again.failed, Some(ids[1]), "retried, failing again");
        let failures: i32 = ec::table
            .find("test.probe")
            .select(ec::failures)
            .first(&mut conn)
            .unwrap();
        assert_eq!(failures, 2);

        *probe.fail_on.lock().unwrap() = None;
        let later = now + Duration::seconds(3);
        let recovered = dispatch(&mut conn, &probe, 10, later).unwrap();
        assert_eq!((recovered.handled, recovered.failed), (2, None));
        assert_eq!(recovered.position, ids[2]);
        assert_eq!(probe.seen(), ids);
        let (failures, error): (i32, Option<String>) = ec::table
            .find("test.probe")
            .select((ec::failures, ec::last_error))
            .first(&mut conn)
            .unwrap();
        assert_eq!(
            (failures, error),
            (0, None),
            "a clean round clears the failure"
        );
    }
}

#[test]
fn a_consumer_is_held_by_one_dispatcher_at_a_time() {
    for db in TestDb::all() {
        let probe = Probe::new("test.probe", &[EventKind::DistributorMoved]);
        let ids = db.record_moves(2);
        let mut conn = db.conn();
        let now = clock::now();
        // Another instance holds the lease.
        assert_eq!(
            claim(&mut conn, "test.probe", "elsewhere", now).unwrap(),
            Some(0)
        );
        assert_eq!(claim(&mut conn, "test.probe", "third", now).unwrap(), None);
        let refused = dispatch(&mut conn, &probe, 10, now).unwrap();
        assert!(!refused.claimed);
        assert!(probe.seen().is_empty());
        // Its lease runs out: taken over, and the stalled holder can no longer write.
        let later = now + LEASE + Duration::seconds(1);
        let taken = dispatch(&mut conn, &probe, 10, later).unwrap();
        assert!(taken.claimed);
        assert_eq!(probe.seen(), ids);
        assert!(!database::write_transaction(&mut conn, |conn| hold(
            conn,
            "test.probe",
            "elsewhere",
            later
        ))
        .unwrap());

        // Dispatchers racing from several threads: every event handled once, never two at once.
        let more = db.record_moves(12);
        // A new consumer name is a new position: the racing consumer starts at the beginning.
        let probe = std::sync::Arc::new(Probe {
            pause: std::time::Duration::from_millis(5),
            ..Probe::new("test.racing", &[EventKind::DistributorMoved])
        });
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let pool = db.pool.clone();
                let consumer = probe.clone();
                std::thread::spawn(move || {
                    let mut conn = pool.get().unwrap();
                    let mut claimed = 0;
                    for _ in 0..20 {
                        let report = dispatch(&mut conn, &*consumer, 2, clock::now()).unwrap();
                        claimed += u32::from(report.claimed);
                    }
                    claimed
                })
            })
            .collect();
        let claimed: u32 = threads.into_iter().map(|t| t.join().unwrap()).sum();
        assert!(claimed > 0);
        let mut seen = probe.seen();
        seen.sort_unstable();
        assert_eq!(seen, [ids, more].concat(), "each event exactly once");
    }
}

#[test]
fn an_event_committed_late_below_a_handled_one_is_not_lost() {
    for db in TestDb::all() {
        if db.pool.get().unwrap().backend() == Backend::Sqlite {
            // One writer at a time: ids become visible in the order they were given, so there
            // is no gap to provoke (a second writer waits for the first to commit).
            continue;
        }
        type Manager = <DbConnection as Connection>::TransactionManager;
        let probe = Probe::new("test.probe", &[EventKind::DistributorMoved]);
        let m = db.merchant_id;
        // A takes the lower id and keeps its transaction open; B takes the next and commits.
        let mut a = db.conn();
        Manager::begin_transaction(&mut *a).unwrap();
        let low = record(&mut a, m, &moved(0), clock::now()).unwrap();
        let high = db.record_moves(1)[0];
        assert!(low < high);
        let mut conn = db.conn();
        let early = dispatch(&mut conn, &probe, 10, clock::now()).unwrap();
        assert_eq!(probe.seen(), [high], "the lower id is not visible yet");
        assert_eq!(early.position, 0, "nor passed over");

        Manager::commit_transaction(&mut *a).unwrap();
        let late = dispatch(&mut conn, &probe, 10, clock::now()).unwrap();
        assert_eq!(late.handled, 1);
        assert_eq!(probe.seen(), [high, low], "handled once it committed");
        let settled = dispatch(&mut conn, &probe, 10, after_grace()).unwrap();
        assert_eq!((settled.handled, settled.position), (0, high));
    }
}

#[test]
fn consumer_names_are_distinct() {
    let mut names: Vec<&str> = consumers::ALL.iter().map(|c| c.name()).collect();
    let count = names.len();
    names.sort_unstable();
    names.dedup();
    assert_eq!(names.len(), count);
    // The retry pause never exceeds what operators are promised.
    assert_eq!(dispatch::retry_delay(1000), Duration::seconds(300));
}
