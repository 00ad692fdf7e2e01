//! Recomputes a merchant's whole tree from the parent pointers alone and compares it with what
//! is stored: closure rows, depths and counters. The property tests use it after every step;
//! operators can run it after a seed or a restore. It reads everything, so it is for checks,
//! not for requests.

use std::collections::{BTreeMap, BTreeSet};

use diesel::prelude::*;

use crate::db::schema::{distributor_paths as paths, distributors};
use crate::db::DbConnection;
use crate::error::AppResult;

/// One distributor as stored.
#[derive(Debug, Clone)]
struct Stored {
    parent: Option<i64>,
    depth: i32,
    personal_sales: i64,
    order_count: i64,
    direct_recruits: i64,
    team_size: i64,
    team_sales: i64,
}

/// Everything that disagrees with a recomputation from parent pointers; empty when the tree is
/// sound. At most `limit` findings are listed.
pub fn check(conn: &mut DbConnection, merchant_id: i64, limit: usize) -> AppResult<Vec<String>> {
    type Row = (i64, Option<i64>, i32, i64, i64, i64, i64, i64);
    let rows: Vec<Row> = distributors::table
        .filter(distributors::merchant_id.eq(merchant_id))
        .select((
            distributors::id,
            distributors::parent_id,
            distributors::depth,
            distributors::personal_sales,
            distributors::order_count,
            distributors::direct_recruits,
            distributors::team_size,
            distributors::team_sales,
        ))
        .load(conn)?;
    let nodes: BTreeMap<i64, Stored> = rows
        .into_iter()
        .map(|r| {
            (
                r.0,
                Stored {
                    parent: r.1,
                    depth: r.2,
                    personal_sales: r.3,
                    order_count: r.4,
                    direct_recruits: r.5,
                    team_size: r.6,
                    team_sales: r.7,
                },
            )
        })
        .collect();
    let stored_paths: BTreeSet<(i64, i64, i32)> = paths::table
        .filter(paths::merchant_id.eq(merchant_id))
        .select((paths::ancestor_id, paths::descendant_id, paths::depth))
        .load::<(i64, i64, i32)>(conn)?
        .into_iter()
        .collect();
    Ok(compare(&nodes, &stored_paths, limit))
}

fn compare(
    nodes: &BTreeMap<i64, Stored>,
    stored_paths: &BTreeSet<(i64, i64, i32)>,
    limit: usize,
) -> Vec<String> {
    let mut findings = Vec::new();
    let mut expected_paths = BTreeSet::new();
    let mut direct: BTreeMap<i64, i64> = BTreeMap::new();
    let mut team: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    for (&id, node) in nodes {
        if node.parent == Some(id) {
            findings.push(format!("{id} is its own parent"));
            continue;
        }
        if let Some(parent) = node.parent {
            if !nodes.contains_key(&parent) {
                findings.push(format!("{id} has a parent {parent} of another merchant"));
            }
            *direct.entry(parent).or_default() += 1;
        }
        // Walk up; a walk longer than the number of distributors has met a cycle.
        let mut current = id;
        let mut distance = 0i32;
        let mut seen = BTreeSet::new();
        loop {
            if !seen.insert(current) {
                findings.push(format!("{id} is in a cycle"));
                break;
            }
            expected_paths.insert((current, id, distance));
            if current != id {
                let t = team.entry(current).or_default();
                t.0 += 1;
                t.1 += node.personal_sales;
            }
            match nodes.get(&current).and_then(|n| n.parent) {
                Some(parent) if nodes.contains_key(&parent) => {
                    current = parent;
                    distance += 1;
                }
                _ => break,
            }
        }
        if node.depth != distance {
            findings.push(format!(
                "{id}: depth {} stored, {distance} from the parents",
                node.depth
            ));
        }
    }
    for missing in expected_paths.difference(stored_paths) {
        findings.push(format!(
            "missing path {missing:?} (ancestor, descendant, depth)"
        ));
    }
    for extra in stored_paths.difference(&expected_paths) {
        findings.push(format!(
            "extra path {extra:?} (ancestor, descendant, depth)"
        ));
    }
    for (&id, node) in nodes {
        let d = direct.get(&id).copied().unwrap_or(0);
        let (size, sales) = team.get(&id).copied().unwrap_or((0, 0));
        if node.direct_recruits != d {
            findings.push(format!(
                "{id}: direct_recruits {} stored, {d} counted",
                node.direct_recruits
            ));
        }
        if node.team_size != size {
            findings.push(format!(
                "{id}: team_size {} stored, {size} counted",
                node.team_size
            ));
        }
        if node.team_sales != sales {
            findings.push(format!(
                "{id}: team_sales {} stored, {sales} summed",
                node.team_sales
            ));
        }
        if node.order_count < 0 || node.personal_sales < 0 {
            findings.push(format!("{id}: negative personal figures"));
        }
    }
    findings.truncate(limit);
    findings
}
