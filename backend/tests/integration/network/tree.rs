//! The distributor tree's invariants, on both databases: whatever sequence of joins, moves,
//! sales, status changes and customer re-binds happens, the tree has no cycle and no
//! self-parent, no visit binds a distributor's member to someone in their own team, and the
//! closure rows, depths and counters equal a brute-force recomputation from the parent pointers.
//! Also:
//! concurrent joins and sales keep the counters exact, and the seeded tree is sound.

use fenxiao::db::ids::{DistributorId, MemberId, MerchantId};
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::harness::TestApp;
use diesel::prelude::*;
use fenxiao::binding::{
    self,
    service::{BindingOutcome, VisitRequest},
};
use fenxiao::db::schema::{distribution_settings, distributors, members};
use fenxiao::db::DbConnection;
use fenxiao::error::AppError;
use fenxiao::network::{self, seed, verify};
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, TestCaseError, TestRunner};

/// Phone numbers of members made by the property test, unique across its cases.
static NEXT_MEMBER: AtomicUsize = AtomicUsize::new(0);

fn new_merchant(conn: &mut DbConnection) -> MerchantId {
    seed::create_merchant(conn, "树形测试店", fenxiao::clock::now()).unwrap()
}

fn new_member(conn: &mut DbConnection, merchant_id: MerchantId, n: usize) -> MemberId {
    let now = fenxiao::clock::now();
    diesel::insert_into(members::table)
        .values((
            members::merchant_id.eq(merchant_id),
            members::phone.eq(format!("139{n:08}")),
            members::name.eq(format!("会员{n}")),
            members::password_hash.eq("!"),
            members::status.eq("active"),
            members::created_at.eq(now),
            members::updated_at.eq(now),
        ))
        .returning(members::id)
        .get_result(conn)
        .unwrap()
}

fn assert_sound(conn: &mut DbConnection, merchant_id: MerchantId) {
    let findings = verify::check(conn, merchant_id, 20).unwrap();
    assert!(findings.is_empty(), "{findings:#?}");
}

#[derive(Debug, Clone)]
enum Op {
    /// Sponsor: an index into the distributors so far (modulo), or a root.
    Join(Option<usize>),
    /// Staff move of one distributor under another, or to the top.
    Move(usize, Option<usize>),
    Sale(usize, i64),
    Refund(usize, i64),
    Freeze(usize),
    Unfreeze(usize),
    End(usize),
    /// The member behind one distributor visits another's share link (last touch: re-binds).
    Rebind(usize, usize),
}

fn op() -> impl Strategy<Value = Op> {
    let pick = 0usize..1000;
    prop_oneof![
        5 => proptest::option::weighted(0.9, pick.clone()).prop_map(Op::Join),
        4 => (pick.clone(), proptest::option::weighted(0.85, pick.clone()))
            .prop_map(|(a, b)| Op::Move(a, b)),
        2 => (pick.clone(), 1i64..100_000).prop_map(|(a, v)| Op::Sale(a, v)),
        1 => (pick.clone(), 1i64..1_000).prop_map(|(a, v)| Op::Refund(a, v)),
        1 => pick.clone().prop_map(Op::Freeze),
        1 => pick.clone().prop_map(Op::Unfreeze),
        1 => pick.clone().prop_map(Op::End),
        3 => (pick.clone(), pick).prop_map(|(a, b)| Op::Rebind(a, b)),
    ]
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum St {
    Active,
    Frozen,
    Ended,
}

/// What the test expects of the tree, kept beside the database.
#[derive(Default)]
struct Model {
    ids: Vec<DistributorId>,
    /// The member account behind each distributor.
    members: Vec<MemberId>,
    parent: Vec<Option<usize>>,
    status: Vec<Option<St>>,
    sales: Vec<i64>,
    /// The distributor each distributor's member is bound to as a customer, if any.
    bound: Vec<Option<usize>>,
    /// Orders recorded so far; each sale needs its own order reference.
    orders: u64,
}

impl Model {
    fn is_below(&self, node: usize, ancestor: usize) -> bool {
        let mut current = Some(node);
        while let Some(c) = current {
            if c == ancestor {
                return true;
            }
            current = self.parent[c];
        }
        false
    }

    /// Whether moving `a` under `b` would put some member's bound distributor below that
    /// member's own profile.
    fn move_binds_own_team(&self, a: usize, b: usize) -> bool {
        self.bound.iter().enumerate().any(|(owner, bound)| {
            bound.is_some_and(|d| self.is_below(d, a) && self.is_below(b, owner))
        })
    }
}

fn code_of(err: &AppError) -> String {
    err.problem().code.to_string()
}

fn apply(
    conn: &mut DbConnection,
    m: MerchantId,
    model: &mut Model,
    op: &Op,
) -> Result<(), TestCaseError> {
    let now = fenxiao::clock::now();
    let n = model.ids.len();
    match *op {
        Op::Join(sponsor) => {
            let sponsor = if n == 0 { None } else { sponsor.map(|s| s % n) };
            let member = new_member(
                conn,
                m,
                10_000 + NEXT_MEMBER.fetch_add(1, Ordering::Relaxed),
            );
            let result = network::join(conn, m, member, sponsor.map(|s| model.ids[s]), now);
            match sponsor.map(|s| model.status[s]) {
                Some(Some(St::Active)) | None => {
                    let id = result.map_err(|e| TestCaseError::fail(format!("join: {e}")))?;
                    model.ids.push(id);
                    model.members.push(member);
                    model.parent.push(sponsor);
                    model.status.push(Some(St::Active));
                    model.sales.push(0);
                    model.bound.push(None);
                }
                Some(_) => {
                    let err = result
                        .err()
                        .ok_or_else(|| TestCaseError::fail("joined under an inactive sponsor"))?;
                    prop_assert_eq!(code_of(&err), "sponsor_not_active");
                }
            }
        }
        Op::Move(a, b) if n > 0 => {
            let a = a % n;
            let b = b.map(|b| b % n);
            let result =
                network::move_distributor(conn, m, model.ids[a], b.map(|b| model.ids[b]), now);
            match b {
                Some(b) if b == a => {
                    prop_assert_eq!(code_of(&result.err().unwrap()), "self_parent");
                }
                Some(b) if model.is_below(b, a) => {
                    prop_assert_eq!(code_of(&result.err().unwrap()), "tree_cycle");
                }
                Some(b) if model.status[b] == Some(St::Ended) => {
                    prop_assert_eq!(code_of(&result.err().unwrap()), "parent_ended");
                }
                Some(b) if model.parent[a] != Some(b) && model.move_binds_own_team(a, b) => {
                    prop_assert_eq!(code_of(&result.err().unwrap()), "move_binds_own_team");
                }
                _ => {
                    let changed = result.map_err(|e| TestCaseError::fail(format!("move: {e}")))?;
                    prop_assert_eq!(changed, model.parent[a] != b);
                    model.parent[a] = b;
                }
            }
        }
        Op::Sale(a, amount) if n > 0 => {
            let a = a % n;
            model.orders += 1;
            network::record_sale(
                conn,
                m,
                model.ids[a],
                &format!("SO-{}", model.orders),
                amount,
                now,
            )
            .map_err(|e| TestCaseError::fail(format!("sale: {e}")))?;
            model.sales[a] += amount;
        }
        Op::Refund(a, amount) if n > 0 => {
            let a = a % n;
            let amount = amount.min(model.sales[a]);
            network::adjust_sales(conn, m, model.ids[a], -amount, 0, now)
                .map_err(|e| TestCaseError::fail(format!("refund: {e}")))?;
            model.sales[a] -= amount;
        }
        Op::Freeze(a) | Op::Unfreeze(a) | Op::End(a) if n > 0 => {
            let a = a % n;
            let current = model.status[a].unwrap();
            let (result, next) = match *op {
                Op::Freeze(_) => (
                    network::freeze(conn, m, model.ids[a], "测试", now),
                    (current == St::Active).then_some(St::Frozen),
                ),
                Op::Unfreeze(_) => (
                    network::unfreeze(conn, m, model.ids[a], None, now),
                    (current == St::Frozen).then_some(St::Active),
                ),
                _ => (
                    network::end(conn, m, model.ids[a], "测试", now),
                    (current != St::Ended).then_some(St::Ended),
                ),
            };
            match next {
                Some(next) => {
                    result.map_err(|e| TestCaseError::fail(format!("status: {e}")))?;
                    model.status[a] = Some(next);
                }
                None => prop_assert_eq!(code_of(&result.err().unwrap()), "invalid_transition"),
            }
        }
        Op::Rebind(a, b) if n > 0 => {
            let (a, b) = (a % n, b % n);
            let code: String = distributors::table
                .find(model.ids[b])
                .select(distributors::code)
                .first(conn)
                .unwrap();
            let result = binding::service::record_visit(
                conn,
                m,
                model.members[a],
                &VisitRequest {
                    distributor_code: code,
                },
                now,
            )
            .map_err(|e| TestCaseError::fail(format!("visit: {e}")))?;
            // A distributor in the visitor's own team (below them as the tree is now) never
            // binds them: their purchases would pay commission through that team back to them.
            if a == b {
                prop_assert_eq!(result.outcome, BindingOutcome::OwnLink);
            } else if model.is_below(b, a) {
                prop_assert_eq!(result.outcome, BindingOutcome::OwnTeam);
                prop_assert!(!result.changed);
            } else if model.status[b] != Some(St::Active) {
                prop_assert_eq!(result.outcome, BindingOutcome::DistributorInactive);
            } else {
                prop_assert!(
                    matches!(
                        result.outcome,
                        BindingOutcome::Bound
                            | BindingOutcome::Rebound
                            | BindingOutcome::AlreadyBound
                    ),
                    "{:?}",
                    result.outcome
                );
                let bound = binding::in_force(conn, m, model.members[a], now)
                    .unwrap()
                    .map(|b| b.distributor_id);
                prop_assert_eq!(bound, Some(model.ids[b]));
                model.bound[a] = Some(b);
            }
        }
        _ => {}
    }
    Ok(())
}

fn property_run(app: &TestApp, cases: u32) {
    let mut runner = TestRunner::new(ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    });
    let pool = app.pool.clone();
    runner
        .run(&proptest::collection::vec(op(), 1..40), |ops| {
            let mut conn = pool.get().unwrap();
            let m = new_merchant(&mut conn);
            // Last touch without protection, so that every visit may re-bind.
            diesel::insert_into(distribution_settings::table)
                .values((
                    distribution_settings::merchant_id.eq(m),
                    distribution_settings::binding_mode.eq("last_touch"),
                    distribution_settings::protection_days.eq(0),
                    distribution_settings::updated_at.eq(fenxiao::clock::now()),
                ))
                .execute(&mut conn)
                .unwrap();
            let mut model = Model::default();
            for op in &ops {
                apply(&mut conn, m, &mut model, op)?;
                let findings = verify::check(&mut conn, m, 10).unwrap();
                prop_assert!(findings.is_empty(), "after {:?}: {:#?}", op, findings);
                // Nobody is ever the customer of someone in their own team.
                for (owner, bound) in model.bound.iter().enumerate() {
                    if let Some(d) = *bound {
                        prop_assert!(
                            !model.is_below(d, owner),
                            "after {:?}: {} bound below",
                            op,
                            owner
                        );
                    }
                }
            }
            // The stored parents are the model's.
            for (i, id) in model.ids.iter().enumerate() {
                let parent: Option<DistributorId> = distributors::table
                    .find(id)
                    .select(distributors::parent_id)
                    .first(&mut conn)
                    .unwrap();
                prop_assert_eq!(parent, model.parent[i].map(|p| model.ids[p]));
            }
            Ok(())
        })
        .unwrap();
}

db_test!(
    no_sequence_of_changes_breaks_the_tree,
    |app: TestApp| async move {
        let cases = if app.backend == fenxiao::db::Backend::Sqlite {
            96
        } else {
            40
        };
        property_run(&app, cases);
    }
);

db_test!(
    concurrent_joins_and_sales_keep_counters_exact,
    |app: TestApp| async move {
        let mut conn = app.conn();
        let m = new_merchant(&mut conn);
        let head_member = new_member(&mut conn, m, 0);
        let head = network::join(&mut conn, m, head_member, None, fenxiao::clock::now()).unwrap();
        let sponsor_member = new_member(&mut conn, m, 1);
        let sponsor = network::join(
            &mut conn,
            m,
            sponsor_member,
            Some(head),
            fenxiao::clock::now(),
        )
        .unwrap();
        let members: Vec<Vec<MemberId>> = (0..6)
            .map(|t| {
                (0..8)
                    .map(|k| new_member(&mut conn, m, 100 + t * 10 + k))
                    .collect()
            })
            .collect();
        drop(conn);
        let threads: Vec<_> = members
            .into_iter()
            .enumerate()
            .map(|(t, batch)| {
                let pool = app.pool.clone();
                std::thread::spawn(move || {
                    let mut conn = pool.get().unwrap();
                    let mut mine = Vec::new();
                    for member in batch {
                        // Half join under the shared sponsor, half under the previous newcomer
                        // of this thread, while sales run up the same chains.
                        let under = if t % 2 == 0 {
                            sponsor
                        } else {
                            *mine.last().unwrap_or(&sponsor)
                        };
                        let id =
                            network::join(&mut conn, m, member, Some(under), fenxiao::clock::now())
                                .unwrap();
                        network::record_sale(
                            &mut conn,
                            m,
                            id,
                            &format!("SO-{id}"),
                            1_000,
                            fenxiao::clock::now(),
                        )
                        .unwrap();
                        network::record_sale(
                            &mut conn,
                            m,
                            under,
                            &format!("SO-{id}-up"),
                            10,
                            fenxiao::clock::now(),
                        )
                        .unwrap();
                        mine.push(id);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let mut conn = app.conn();
        assert_sound(&mut conn, m);
        let sponsor_figures = network::team(&mut conn, m, sponsor).unwrap();
        assert_eq!(sponsor_figures.team_size, 48);
        assert_eq!(sponsor_figures.direct_recruits, 3 * 8 + 3);
        let head_figures = network::team(&mut conn, m, head).unwrap();
        assert_eq!(head_figures.team_size, 49);
        assert_eq!(head_figures.team_sales.fen(), 48 * 1_010);
    }
);

db_test!(
    concurrent_moves_and_joins_never_corrupt_the_tree,
    |app: TestApp| async move {
        let mut conn = app.conn();
        let m = new_merchant(&mut conn);
        let mut ids = Vec::new();
        for k in 0..12 {
            let member = new_member(&mut conn, m, k);
            let sponsor = if k == 0 { None } else { Some(ids[(k - 1) / 2]) };
            ids.push(network::join(&mut conn, m, member, sponsor, fenxiao::clock::now()).unwrap());
        }
        let newcomers: Vec<MemberId> = (0..16).map(|k| new_member(&mut conn, m, 100 + k)).collect();
        drop(conn);
        let mover = {
            let pool = app.pool.clone();
            let ids = ids.clone();
            std::thread::spawn(move || {
                let mut conn = pool.get().unwrap();
                for round in 0..16 {
                    // Swing a subtree between two branches, and a leaf to the top and back.
                    let target = if round % 2 == 0 { ids[2] } else { ids[1] };
                    let _ = network::move_distributor(
                        &mut conn,
                        m,
                        ids[3],
                        Some(target),
                        fenxiao::clock::now(),
                    );
                    let _ = network::move_distributor(
                        &mut conn,
                        m,
                        ids[11],
                        None,
                        fenxiao::clock::now(),
                    );
                    let _ = network::move_distributor(
                        &mut conn,
                        m,
                        ids[11],
                        Some(ids[5]),
                        fenxiao::clock::now(),
                    );
                }
            })
        };
        let joiner = {
            let pool = app.pool.clone();
            let ids = ids.clone();
            std::thread::spawn(move || {
                let mut conn = pool.get().unwrap();
                for (k, member) in newcomers.into_iter().enumerate() {
                    // Under the moving subtree: ids[3] and its children 7 and 8.
                    let sponsor = [ids[3], ids[7], ids[8]][k % 3];
                    let id =
                        network::join(&mut conn, m, member, Some(sponsor), fenxiao::clock::now())
                            .unwrap();
                    network::record_sale(
                        &mut conn,
                        m,
                        id,
                        &format!("SO-{id}"),
                        500,
                        fenxiao::clock::now(),
                    )
                    .unwrap();
                }
            })
        };
        mover.join().unwrap();
        joiner.join().unwrap();
        let mut conn = app.conn();
        assert_sound(&mut conn, m);
        assert_eq!(network::team(&mut conn, m, ids[0]).unwrap().team_size, 27);
    }
);

db_test!(
    the_default_sponsor_takes_newcomers_while_it_is_active,
    |app: TestApp| async move {
        let mut conn = app.conn();
        let m = new_merchant(&mut conn);
        let now = fenxiao::clock::now();
        let member = new_member(&mut conn, m, 1);
        let first = network::join(&mut conn, m, member, None, now).unwrap();
        diesel::insert_into(distribution_settings::table)
            .values((
                distribution_settings::merchant_id.eq(m),
                distribution_settings::default_sponsor_id.eq(first),
                distribution_settings::updated_at.eq(now),
            ))
            .execute(&mut *conn)
            .unwrap();
        let member = new_member(&mut conn, m, 2);
        let second = network::join(&mut conn, m, member, None, now).unwrap();
        assert_eq!(
            network::upline(&mut conn, m, second, 3).unwrap()[0].id,
            first
        );
        network::freeze(&mut conn, m, first, "核查中", now).unwrap();
        let member = new_member(&mut conn, m, 3);
        let third = network::join(&mut conn, m, member, None, now).unwrap();
        assert!(
            network::upline(&mut conn, m, third, 3).unwrap().is_empty(),
            "a root"
        );
        assert_sound(&mut conn, m);
    }
);

db_test!(seeded_trees_are_sound, |app: TestApp| async move {
    let mut conn = app.conn();
    // A merchant with distributors already: the seed adds after them and later joins still work.
    let m = new_merchant(&mut conn);
    let member = new_member(&mut conn, m, 1);
    let existing = network::join(&mut conn, m, member, None, fenxiao::clock::now()).unwrap();
    let report = seed::run(
        &mut conn,
        &seed::SeedOptions {
            distributors: 3_000,
            merchant_id: Some(m),
            shape_seed: 11,
            progress: false,
        },
    )
    .unwrap();
    assert_eq!(report.merchant_id, m);
    assert!(report.root_id > existing.get());
    assert_sound(&mut conn, m);
    let figures = network::team(&mut conn, m, DistributorId(report.root_id)).unwrap();
    assert_eq!(figures.team_size, 2_999);
    let member = new_member(&mut conn, m, 2);
    let later = network::join(
        &mut conn,
        m,
        member,
        Some(DistributorId(report.root_id)),
        fenxiao::clock::now(),
    )
    .unwrap();
    assert!(
        later > DistributorId(report.root_id + 2_999),
        "ids continue after the seeded ones"
    );
    network::move_distributor(
        &mut conn,
        m,
        DistributorId(report.root_id + 5),
        Some(existing),
        fenxiao::clock::now(),
    )
    .unwrap();
    assert_sound(&mut conn, m);
    // A new merchant for a second seed.
    let report = seed::run(
        &mut conn,
        &seed::SeedOptions {
            distributors: 500,
            merchant_id: None,
            shape_seed: 12,
            progress: false,
        },
    )
    .unwrap();
    assert_ne!(report.merchant_id, m);
    assert_sound(&mut conn, report.merchant_id);
});
