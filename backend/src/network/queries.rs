//! Reading the tree: upline, team figures, children, the filtered list, one distributor's detail
//! and a member's own profile.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::code;
use super::models::{DistributorRow, FiguresRow};
use super::status::DistributorStatus;
use super::tree::MAX_UPLINE_DEPTH;
use crate::clock;
use crate::db::ids::{DistributorId, MemberId, MerchantId};
use crate::db::schema::{distributor_paths as paths, distributor_tiers, distributors, members};
use crate::db::DbConnection;
use crate::error::{AppError, AppResult, ErrorCode};
use crate::members::models::MemberContactRow;
use crate::money::Money;

/// The member behind a distributor profile.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MemberBrief {
    #[schema(value_type = i64)]
    pub id: MemberId,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

/// A distributor's own and team figures, kept current on every change.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TeamFigures {
    /// Paid sales the distributor brought personally (yuan).
    pub personal_sales: Money,
    /// Paid orders the distributor brought personally.
    pub order_count: i64,
    /// Distributors whose parent this one is.
    pub direct_recruits: i64,
    /// Everyone below this distributor, at any depth (not counting itself).
    pub team_size: i64,
    /// The personal sales of the whole team (yuan).
    pub team_sales: Money,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Distributor {
    #[schema(value_type = i64)]
    pub id: DistributorId,
    /// Public code for recruit and share links.
    #[schema(example = "K7Q2M9XD")]
    pub code: String,
    pub member: MemberBrief,
    /// The sponsor (parent in the tree); absent for a root.
    #[schema(value_type = Option<i64>)]
    pub parent_id: Option<DistributorId>,
    pub tier_id: Option<i64>,
    pub tier_name: Option<String>,
    pub status: DistributorStatus,
    /// The reason given with the last status change.
    pub status_reason: Option<String>,
    /// Distance from the root of its tree (a root is 0).
    pub depth: i32,
    pub figures: TeamFigures,
    pub joined_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One ancestor: level 1 is the sponsor, 2 the sponsor's sponsor, …
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UplineEntry {
    pub level: i32,
    #[schema(value_type = i64)]
    pub id: DistributorId,
    pub code: String,
    pub name: Option<String>,
    pub status: DistributorStatus,
    pub tier_id: Option<i64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DistributorDetail {
    #[serde(flatten)]
    pub distributor: Distributor,
    /// The upline up to three levels (the most commission can reach), sponsor first.
    pub upline: Vec<UplineEntry>,
    /// Since when automatic promotion is held: set by a manual demotion, so that the next sale,
    /// recruit or periodic sweep does not promote the distributor straight back; ended by a
    /// manual raise or by releasing the hold. `null`: promotion is automatic.
    pub promotion_held_since: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DistributorPage {
    pub items: Vec<Distributor>,
    /// Pass as `cursor` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DistributorSort {
    /// Newest first (the default).
    #[default]
    Newest,
    Oldest,
    /// Largest team first.
    TeamSize,
    /// Highest team sales first.
    TeamSales,
    /// Highest personal sales first.
    PersonalSales,
}

#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DistributorQuery {
    pub status: Option<DistributorStatus>,
    pub tier_id: Option<i64>,
    /// Only the direct recruits of this distributor.
    #[param(value_type = Option<i64>)]
    pub parent_id: Option<DistributorId>,
    /// Only roots (distributors without a sponsor).
    pub roots: Option<bool>,
    /// A code or a member's phone or email (exact), or part of a member's name.
    pub q: Option<String>,
    #[param(inline)]
    pub sort: Option<DistributorSort>,
    /// The `next_cursor` of the previous page (with the same filters and sort).
    pub cursor: Option<String>,
    /// 1–100, default 20.
    pub limit: Option<i64>,
}

/// A member's view of their own distributor profile.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct MyDistributor {
    #[schema(value_type = i64)]
    pub id: DistributorId,
    pub code: String,
    pub status: DistributorStatus,
    pub tier_id: Option<i64>,
    pub tier_name: Option<String>,
    pub figures: TeamFigures,
    /// Who recruited them: code and name only.
    pub sponsor: Option<SponsorBrief>,
    pub joined_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SponsorBrief {
    pub code: String,
    pub name: Option<String>,
}

/// One ancestor of the upline query, in the order it selects the columns.
#[derive(Queryable)]
struct UplineRow {
    level: i32,
    id: DistributorId,
    code: String,
    status: DistributorStatus,
    tier_id: Option<i64>,
    name: Option<String>,
}

/// A distributor as listed: its row, its member and its tier's name.
type ListedRow = (DistributorRow, MemberContactRow, Option<String>);

/// The join every distributor listing reads, scoped to one merchant (a macro, so that callers
/// can add filters and box it).
macro_rules! listed {
    ($merchant_id:expr) => {
        distributors::table
            .inner_join(members::table)
            .left_join(distributor_tiers::table)
            .filter(distributors::merchant_id.eq($merchant_id))
            .select((
                DistributorRow::as_select(),
                MemberContactRow::as_select(),
                distributor_tiers::name.nullable(),
            ))
    };
}

fn money(fen: i64) -> Money {
    // Counters are sums of non-negative sales; a negative one would be a refund recorded
    // twice, which shows as zero rather than failing every read of the distributor.
    Money::from_fen(fen).unwrap_or(Money::ZERO)
}

fn figures(row: FiguresRow) -> TeamFigures {
    TeamFigures {
        personal_sales: money(row.personal_sales),
        order_count: row.order_count,
        direct_recruits: row.direct_recruits,
        team_size: row.team_size,
        team_sales: money(row.team_sales),
    }
}

fn assemble((row, member, tier_name): ListedRow) -> Distributor {
    Distributor {
        id: row.id,
        code: row.code,
        member: MemberBrief {
            id: member.id,
            name: member.name,
            phone: member.phone,
            email: member.email,
        },
        parent_id: row.parent_id,
        tier_id: row.tier_id,
        tier_name,
        status: row.status,
        status_reason: row.status_reason,
        depth: row.depth,
        figures: figures(row.figures),
        joined_at: clock::to_utc(row.joined_at),
        updated_at: clock::to_utc(row.updated_at),
    }
}

pub fn find(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    id: DistributorId,
) -> AppResult<Distributor> {
    let row: ListedRow = listed!(merchant_id)
        .filter(distributors::id.eq(id))
        .first(conn)?;
    Ok(assemble(row))
}

/// The distributor's ancestors from its sponsor (level 1) up to `depth` levels: one range read
/// of the closure table's primary key, joined to the ancestors' rows. Unknown distributor: 404.
pub fn upline(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    id: DistributorId,
    depth: i32,
) -> AppResult<Vec<UplineEntry>> {
    let depth = depth.clamp(1, MAX_UPLINE_DEPTH);
    // The self row (depth 0) comes along so that an unknown id is told from a root.
    let rows: Vec<UplineRow> = paths::table
        .inner_join(distributors::table.on(distributors::id.eq(paths::ancestor_id)))
        .inner_join(members::table.on(members::id.eq(distributors::member_id)))
        .filter(paths::merchant_id.eq(merchant_id))
        .filter(paths::descendant_id.eq(id))
        .filter(paths::depth.le(depth))
        .order(paths::depth.asc())
        .select((
            paths::depth,
            distributors::id,
            distributors::code,
            distributors::status,
            distributors::tier_id,
            members::name,
        ))
        .load(conn)?;
    if rows.is_empty() {
        return Err(AppError::NotFound);
    }
    Ok(rows
        .into_iter()
        .filter(|r| r.level > 0)
        .map(|r| UplineEntry {
            level: r.level,
            id: r.id,
            code: r.code,
            status: r.status,
            tier_id: r.tier_id,
            name: r.name,
        })
        .collect())
}

/// Team figures: one row read.
pub fn team(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    id: DistributorId,
) -> AppResult<TeamFigures> {
    let row: FiguresRow = distributors::table
        .filter(distributors::merchant_id.eq(merchant_id))
        .filter(distributors::id.eq(id))
        .select(FiguresRow::as_select())
        .first(conn)?;
    Ok(figures(row))
}

pub fn detail(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    id: DistributorId,
) -> AppResult<DistributorDetail> {
    let distributor = find(conn, merchant_id, id)?;
    let upline = upline(conn, merchant_id, id, 3)?;
    let held: Option<NaiveDateTime> = distributors::table
        .filter(distributors::merchant_id.eq(merchant_id))
        .filter(distributors::id.eq(id))
        .select(distributors::promotion_held_since)
        .first(conn)?;
    Ok(DistributorDetail {
        distributor,
        upline,
        promotion_held_since: held.map(clock::to_utc),
    })
}

fn bad_cursor() -> AppError {
    AppError::field("cursor", ErrorCode::InvalidCursor)
}

/// A position in a sorted list: the last item's sort value (for counter sorts) and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Cursor {
    value: i64,
    id: DistributorId,
}

impl Cursor {
    fn parse(text: &str, sort: DistributorSort) -> AppResult<Cursor> {
        let parsed = match sort {
            DistributorSort::Newest | DistributorSort::Oldest => {
                text.parse().ok().map(|id| Cursor { value: 0, id })
            }
            _ => text.split_once(':').and_then(|(v, id)| {
                Some(Cursor {
                    value: v.parse().ok()?,
                    id: id.parse().ok()?,
                })
            }),
        };
        parsed.ok_or_else(bad_cursor)
    }

    fn render(self, sort: DistributorSort) -> String {
        match sort {
            DistributorSort::Newest | DistributorSort::Oldest => self.id.to_string(),
            _ => format!("{}:{}", self.value, self.id),
        }
    }
}

fn sort_value(item: &Distributor, sort: DistributorSort) -> i64 {
    match sort {
        DistributorSort::Newest | DistributorSort::Oldest => 0,
        DistributorSort::TeamSize => item.figures.team_size,
        DistributorSort::TeamSales => item.figures.team_sales.fen(),
        DistributorSort::PersonalSales => item.figures.personal_sales.fen(),
    }
}

/// A phone number (digits, spaces, dashes, a leading +) or an email is looked up exactly; only
/// other text also searches names, which reads every member of the merchant.
fn searches_names(text: &str) -> bool {
    let phone_like = text
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '-' | '+'));
    !phone_like && !text.contains('@')
}

/// Distributors whose code, or whose member's phone or email, is exactly `text`: indexed
/// lookups, resolved before the list query so that its plan stays a walk of the sort index.
fn exact_matches(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    text: &str,
) -> AppResult<Vec<DistributorId>> {
    let phone: String = text.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    let member_ids: Vec<MemberId> = members::table
        .filter(members::merchant_id.eq(merchant_id))
        .filter(
            members::phone
                .eq(phone)
                .or(members::email.eq(text.to_lowercase())),
        )
        .select(members::id)
        .load(conn)?;
    Ok(distributors::table
        .filter(distributors::merchant_id.eq(merchant_id))
        .filter(
            distributors::code
                .eq(code::normalise(text))
                .or(distributors::member_id.eq_any(member_ids)),
        )
        .select(distributors::id)
        .load(conn)?)
}

/// The merchant's distributors, filtered and sorted, in keyset pages (stable while rows are
/// added; counter sorts may shift as figures change between pages, as any live ranking does).
pub fn list(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    query: &DistributorQuery,
) -> AppResult<DistributorPage> {
    let limit = query.limit.unwrap_or(20).clamp(1, 100);
    let sort = query.sort.unwrap_or_default();
    let mut q = listed!(merchant_id).into_boxed();
    if let Some(status) = query.status {
        q = q.filter(distributors::status.eq(status));
    }
    if let Some(tier_id) = query.tier_id {
        q = q.filter(distributors::tier_id.eq(tier_id));
    }
    if let Some(parent_id) = query.parent_id {
        q = q.filter(distributors::parent_id.eq(parent_id));
    }
    if query.roots == Some(true) {
        q = q.filter(distributors::parent_id.is_null());
    }
    if let Some(text) = query.q.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        let found = exact_matches(conn, merchant_id, text)?;
        q = if searches_names(text) {
            let pattern = format!("%{}%", text.replace(['%', '_', '\\'], ""));
            // An alias: the list query joins `members` already.
            let named = diesel::alias!(members as named);
            q.filter(
                distributors::id
                    .eq_any(found)
                    .or(distributors::member_id.eq_any(
                        named
                            .filter(named.field(members::merchant_id).eq(merchant_id))
                            .filter(named.field(members::name).like(pattern))
                            .select(named.field(members::id)),
                    )),
            )
        } else {
            q.filter(distributors::id.eq_any(found))
        };
    }
    if let Some(text) = &query.cursor {
        let c = Cursor::parse(text, sort)?;
        q = match sort {
            DistributorSort::Newest => q.filter(distributors::id.lt(c.id)),
            DistributorSort::Oldest => q.filter(distributors::id.gt(c.id)),
            DistributorSort::TeamSize => q.filter(
                distributors::team_size
                    .lt(c.value)
                    .or(distributors::team_size
                        .eq(c.value)
                        .and(distributors::id.lt(c.id))),
            ),
            DistributorSort::TeamSales => q.filter(
                distributors::team_sales
                    .lt(c.value)
                    .or(distributors::team_sales
                        .eq(c.value)
                        .and(distributors::id.lt(c.id))),
            ),
            DistributorSort::PersonalSales => q.filter(
                distributors::personal_sales
                    .lt(c.value)
                    .or(distributors::personal_sales
                        .eq(c.value)
                        .and(distributors::id.lt(c.id))),
            ),
        };
    }
    q = match sort {
        DistributorSort::Newest => q.order(distributors::id.desc()),
        DistributorSort::Oldest => q.order(distributors::id.asc()),
        DistributorSort::TeamSize => {
            q.order((distributors::team_size.desc(), distributors::id.desc()))
        }
        DistributorSort::TeamSales => {
            q.order((distributors::team_sales.desc(), distributors::id.desc()))
        }
        DistributorSort::PersonalSales => {
            q.order((distributors::personal_sales.desc(), distributors::id.desc()))
        }
    };
    let rows: Vec<ListedRow> = q.limit(limit + 1).load(conn)?;
    let more = rows.len() as i64 > limit;
    let items = rows
        .into_iter()
        .take(limit as usize)
        .map(assemble)
        .collect::<Vec<_>>();
    let next_cursor = if more {
        items.last().map(|last| {
            Cursor {
                value: sort_value(last, sort),
                id: last.id,
            }
            .render(sort)
        })
    } else {
        None
    };
    Ok(DistributorPage { items, next_cursor })
}

/// A distributor's direct recruits, oldest first, in pages. Unknown distributor: 404.
pub fn children(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    id: DistributorId,
    cursor: Option<i64>,
    limit: Option<i64>,
) -> AppResult<DistributorPage> {
    let exists: i64 = distributors::table
        .filter(distributors::merchant_id.eq(merchant_id))
        .filter(distributors::id.eq(id))
        .count()
        .get_result(conn)?;
    if exists == 0 {
        return Err(AppError::NotFound);
    }
    list(
        conn,
        merchant_id,
        &DistributorQuery {
            parent_id: Some(id),
            sort: Some(DistributorSort::Oldest),
            cursor: cursor.map(|c| c.to_string()),
            limit,
            ..DistributorQuery::default()
        },
    )
}

/// The member's distributor profile's id, if they are a distributor.
pub fn distributor_of_member(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: MemberId,
) -> AppResult<Option<DistributorId>> {
    Ok(distributors::table
        .filter(distributors::merchant_id.eq(merchant_id))
        .filter(distributors::member_id.eq(member_id))
        .select(distributors::id)
        .first(conn)
        .optional()?)
}

/// The signed-in member's own distributor profile; 404 when they are not a distributor.
pub fn my_distributor(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: MemberId,
) -> AppResult<MyDistributor> {
    let id: DistributorId = distributors::table
        .filter(distributors::merchant_id.eq(merchant_id))
        .filter(distributors::member_id.eq(member_id))
        .select(distributors::id)
        .first(conn)?;
    let me = find(conn, merchant_id, id)?;
    let sponsor = match me.parent_id {
        Some(parent) => {
            let (code, name): (String, Option<String>) = distributors::table
                .inner_join(members::table)
                .filter(distributors::merchant_id.eq(merchant_id))
                .filter(distributors::id.eq(parent))
                .select((distributors::code, members::name))
                .first(conn)?;
            Some(SponsorBrief { code, name })
        }
        None => None,
    };
    Ok(MyDistributor {
        id: me.id,
        code: me.code,
        status: me.status,
        tier_id: me.tier_id,
        tier_name: me.tier_name,
        figures: me.figures,
        sponsor,
        joined_at: me.joined_at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_refuse_garbage() {
        let c = Cursor {
            value: 1250,
            id: DistributorId(7),
        };
        for sort in [DistributorSort::TeamSize, DistributorSort::TeamSales] {
            assert_eq!(Cursor::parse(&c.render(sort), sort).ok(), Some(c));
        }
        let newest = Cursor {
            value: 0,
            id: DistributorId(9),
        };
        assert_eq!(
            Cursor::parse(
                &newest.render(DistributorSort::Newest),
                DistributorSort::Newest
            )
            .ok(),
            Some(newest)
        );
        assert!(Cursor::parse("x:1", DistributorSort::TeamSize).is_err());
        assert!(Cursor::parse("12", DistributorSort::TeamSales).is_err());
        assert!(Cursor::parse("1:2", DistributorSort::Newest).is_err());
    }
}
