//! Recomputes a merchant's whole tree from the parent pointers alone and compares it with what
//! is stored: closure rows, depths and counters. The property tests use it after every step;
//! operators can run it after a seed or a restore. It reads everything, so it is for checks,
//! not for requests.

use std::collections::{BTreeMap, BTreeSet};

use diesel::prelude::*;

use super::models::{DistributorRow, FiguresRow, PathRow};
use crate::db::ids::{DistributorId, MerchantId};
use crate::db::schema::{distributor_paths as paths, distributors};
use crate::db::DbConnection;
use crate::error::AppResult;

/// One distributor as stored.
#[derive(Debug, Clone)]
struct Stored {
    parent: Option<DistributorId>,
    depth: i32,
    figures: FiguresRow,
}

impl From<DistributorRow> for Stored {
    fn from(row: DistributorRow) -> Stored {
        Stored {
            parent: row.parent_id,
            depth: row.depth,
            figures: row.figures,
        }
    }
}

/// Everything that disagrees with a recomputation from parent pointers; empty when the tree is
/// sound. At most `limit` findings are listed.
pub fn check(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    limit: usize,
) -> AppResult<Vec<String>> {
    let nodes: BTreeMap<DistributorId, Stored> = distributors::table
        .filter(distributors::merchant_id.eq(merchant_id))
        .select(DistributorRow::as_select())
        .load(conn)?
        .into_iter()
        .map(|r| (r.id, Stored::from(r)))
        .collect();
    let stored_paths: BTreeSet<(DistributorId, DistributorId, i32)> = paths::table
        .filter(paths::merchant_id.eq(merchant_id))
        .select(PathRow::as_select())
        .load(conn)?
        .into_iter()
        .map(|p: PathRow| (p.ancestor_id, p.descendant_id, p.depth))
        .collect();
    Ok(compare(&nodes, &stored_paths, limit))
}

fn compare(
    nodes: &BTreeMap<DistributorId, Stored>,
    stored_paths: &BTreeSet<(DistributorId, DistributorId, i32)>,
    limit: usize,
) -> Vec<String> {
    let mut findings = Vec::new();
    let mut expected_paths = BTreeSet::new();
    let mut direct: BTreeMap<DistributorId, i64> = BTreeMap::new();
    let mut team: BTreeMap<DistributorId, (i64, i64)> = BTreeMap::new();
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
                let (size, sales) = team.entry(current).or_default();
                *size += 1;
                *sales += node.figures.personal_sales;
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
    for (ancestor, descendant, depth) in expected_paths.difference(stored_paths) {
        findings.push(format!(
            "missing path ({ancestor}, {descendant}, {depth}) (ancestor, descendant, depth)"
        ));
    }
    for (ancestor, descendant, depth) in stored_paths.difference(&expected_paths) {
        findings.push(format!(
            "extra path ({ancestor}, {descendant}, {depth}) (ancestor, descendant, depth)"
        ));
    }
    for (&id, node) in nodes {
        let d = direct.get(&id).copied().unwrap_or(0);
        let (size, sales) = team.get(&id).copied().unwrap_or((0, 0));
        if node.figures.direct_recruits != d {
            findings.push(format!(
                "{id}: direct_recruits {} stored, {d} counted",
                node.figures.direct_recruits
            ));
        }
        if node.figures.team_size != size {
            findings.push(format!(
                "{id}: team_size {} stored, {size} counted",
                node.figures.team_size
            ));
        }
        if node.figures.team_sales != sales {
            findings.push(format!(
                "{id}: team_sales {} stored, {sales} summed",
                node.figures.team_sales
            ));
        }
        if node.figures.order_count < 0 || node.figures.personal_sales < 0 {
            findings.push(format!("{id}: negative personal figures"));
        }
    }
    findings.truncate(limit);
    findings
}
