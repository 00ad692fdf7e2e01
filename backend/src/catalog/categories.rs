//! The category tree of a merchant. A category's parent is another category of the same merchant;
//! moves that would make a category its own ancestor are refused.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error as DieselError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::models::CategoryInsertForm;
use crate::audit::{self, AuditEntry};
use crate::auth::principal::Principal;
use crate::db::ids::MerchantId;
use crate::db::schema::{categories, products};
use crate::db::{write_transaction, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::validate;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, Queryable, Selectable)]
#[diesel(table_name = categories)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
pub struct Category {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub name: String,
    pub sort_order: i32,
}

#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryRequest {
    #[serde(deserialize_with = "validate::trimmed")]
    #[validate(length(min = 1, max = 50))]
    pub name: String,
    pub parent_id: Option<i64>,
    #[serde(default)]
    #[validate(range(min = -10000, max = 10000))]
    pub sort_order: i32,
}

fn name_taken() -> AppError {
    AppError::conflict(ErrorCode::CategoryNameTaken)
}

fn map_unique(e: DieselError) -> AppError {
    match e {
        DieselError::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => name_taken(),
        other => other.into(),
    }
}

/// The category `root` and every category below it, at any depth: what a filter by `root`
/// means (a product in 绿茶 is a product in 茶叶). Empty when `root` is not among `all`.
pub fn subtree(all: &[Category], root: i64) -> Vec<i64> {
    if !all.iter().any(|c| c.id == root) {
        return Vec::new();
    }
    let mut found = vec![root];
    let mut next = 0;
    // Breadth first over the parent links; a category tree is small and acyclic
    // (`check_parent`), and each id is taken once.
    while next < found.len() {
        let parent = found[next];
        found.extend(
            all.iter()
                .filter(|c| c.parent_id == Some(parent))
                .map(|c| c.id),
        );
        next += 1;
    }
    found
}

pub fn list(conn: &mut DbConnection, merchant_id: MerchantId) -> AppResult<Vec<Category>> {
    Ok(categories::table
        .filter(categories::merchant_id.eq(merchant_id))
        .order((categories::sort_order.asc(), categories::id.asc()))
        .select(Category::as_select())
        .load(conn)?)
}

fn find(conn: &mut DbConnection, merchant_id: MerchantId, id: i64) -> AppResult<Category> {
    list(conn, merchant_id)?
        .into_iter()
        .find(|c| c.id == id)
        .ok_or(AppError::NotFound)
}

/// A parent must be the merchant's own, and never the category itself or one of its descendants.
fn check_parent(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    category_id: Option<i64>,
    parent_id: Option<i64>,
) -> AppResult<()> {
    let Some(parent_id) = parent_id else {
        return Ok(());
    };
    let all = list(conn, merchant_id)?;
    let unknown = || AppError::field("parent_id", ErrorCode::UnknownCategory);
    let mut cursor = Some(parent_id);
    let mut steps = 0;
    while let Some(id) = cursor {
        if Some(id) == category_id {
            return Err(AppError::field("parent_id", ErrorCode::CategoryCycle));
        }
        let node = all.iter().find(|c| c.id == id).ok_or_else(unknown)?;
        cursor = node.parent_id;
        steps += 1;
        if steps > all.len() {
            return Err(AppError::internal("category tree has a cycle"));
        }
    }
    Ok(())
}

pub fn create(
    conn: &mut DbConnection,
    caller: &Principal,
    request: &CategoryRequest,
    now: NaiveDateTime,
) -> AppResult<Category> {
    let merchant_id = caller.tenant()?;
    write_transaction(conn, |conn| {
        check_parent(conn, merchant_id, None, request.parent_id)?;
        let id: i64 = diesel::insert_into(categories::table)
            .values(CategoryInsertForm {
                merchant_id,
                parent_id: request.parent_id,
                name: &request.name,
                sort_order: request.sort_order,
                created_at: now,
                updated_at: now,
            })
            .returning(categories::id)
            .get_result(conn)
            .map_err(map_unique)?;
        audit::record(
            conn,
            &caller.audit_actor(),
            &caller.client,
            AuditEntry::new("category.created")
                .target("category", id)
                .changes(serde_json::json!({ "name": { "before": null, "after": request.name } })),
            now,
        )?;
        find(conn, merchant_id, id)
    })
}

pub fn update(
    conn: &mut DbConnection,
    caller: &Principal,
    id: i64,
    request: &CategoryRequest,
    now: NaiveDateTime,
) -> AppResult<Category> {
    let merchant_id = caller.tenant()?;
    write_transaction(conn, |conn| {
        let before = find(conn, merchant_id, id)?;
        check_parent(conn, merchant_id, Some(id), request.parent_id)?;
        diesel::update(
            categories::table
                .filter(categories::id.eq(id))
                .filter(categories::merchant_id.eq(merchant_id)),
        )
        .set((
            categories::parent_id.eq(request.parent_id),
            categories::name.eq(&request.name),
            categories::sort_order.eq(request.sort_order),
            categories::updated_at.eq(now),
        ))
        .execute(conn)
        .map_err(map_unique)?;
        let after = find(conn, merchant_id, id)?;
        audit::record(
            conn,
            &caller.audit_actor(),
            &caller.client,
            AuditEntry::new("category.updated")
                .target("category", id)
                .changes(audit::diff(
                    &serde_json::to_value(&before).unwrap_or_default(),
                    &serde_json::to_value(&after).unwrap_or_default(),
                )),
            now,
        )?;
        Ok(after)
    })
}

/// Deletes an empty category: one with subcategories or products is kept (409).
pub fn delete(
    conn: &mut DbConnection,
    caller: &Principal,
    id: i64,
    now: NaiveDateTime,
) -> AppResult<()> {
    let merchant_id = caller.tenant()?;
    write_transaction(conn, |conn| {
        let category = find(conn, merchant_id, id)?;
        let children: i64 = categories::table
            .filter(categories::merchant_id.eq(merchant_id))
            .filter(categories::parent_id.eq(id))
            .count()
            .get_result(conn)?;
        let used: i64 = products::table
            .filter(products::merchant_id.eq(merchant_id))
            .filter(products::category_id.eq(id))
            .count()
            .get_result(conn)?;
        if children > 0 || used > 0 {
            return Err(AppError::conflict(ErrorCode::CategoryNotEmpty));
        }
        diesel::delete(
            categories::table
                .filter(categories::id.eq(id))
                .filter(categories::merchant_id.eq(merchant_id)),
        )
        .execute(conn)?;
        audit::record(
            conn,
            &caller.audit_actor(),
            &caller.client,
            AuditEntry::new("category.deleted")
                .target("category", id)
                .changes(serde_json::json!({ "name": { "before": category.name, "after": null } })),
            now,
        )
    })
}

#[cfg(test)]
mod subtree_tests {
    use super::*;

    fn category(id: i64, parent_id: Option<i64>) -> Category {
        Category {
            id,
            parent_id,
            name: format!("c{id}"),
            sort_order: 0,
        }
    }

    #[test]
    fn a_category_stands_for_itself_and_everything_below() {
        // 1 → 2 → 4, 1 → 3; 5 elsewhere.
        let all = [
            category(4, Some(2)),
            category(1, None),
            category(2, Some(1)),
            category(3, Some(1)),
            category(5, None),
        ];
        let mut below_one = subtree(&all, 1);
        below_one.sort();
        assert_eq!(below_one, vec![1, 2, 3, 4]);
        assert_eq!(subtree(&all, 2), vec![2, 4]);
        assert_eq!(subtree(&all, 5), vec![5]);
        assert!(
            subtree(&all, 99).is_empty(),
            "an unknown category has no products"
        );
    }
}
