//! The `everyone` entry mode (人人分销): every member of the merchant is a distributor without
//! applying.
//!
//! When it happens:
//!
//! - a member who registers while the mode is in force becomes a distributor in the
//!   registration's own transaction ([`at_registration`]);
//! - a member who registered before the merchant switched to the mode becomes one when they
//!   ask to join (`POST /shops/{slug}/me/distributor`, [`on_join_request`]): the
//!   shop asks on their behalf when it finds them without a profile, so nobody is left "not a
//!   distributor" in a shop where everyone is one, and reading a profile never writes. A
//!   pending application of theirs is approved by the entry rules then, exactly as if they had
//!   applied now. (Applying also still works: it is approved at once.)
//!
//! The recruiter is picked as for an application: the distributor whose recruit or share link the
//! member came through, if that distributor can recruit; else the distributor the member is bound
//! to, if active; else nobody, and the tree's rule applies (the merchant's default sponsor, or a
//! root). The member joins through `network::join` (entry tier, closure rows, counters; its
//! `distributor.joined` event re-evaluates the upline's tiers), the welcome message is queued and
//! the enrolment audited, as an approval does. A member whose distribution was ended stays ended: only a member without any
//! distributor profile is enrolled.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::json;

use super::applications::{self, ApplicationStatus, Decider};
use crate::audit::{self, AuditActor, AuditEntry};
use crate::auth::account::AccountStatus;
use crate::auth::sessions::ClientInfo;
use crate::db::ids::{DistributorId, MemberId, MerchantId};
use crate::db::schema::{distributor_applications as da, distributors, members};
use crate::db::{write_transaction, DbConnection};
use crate::distribution::settings::{self, EntryMode};
use crate::error::AppResult;
use crate::network;

pub fn everyone_mode(conn: &mut DbConnection, merchant_id: MerchantId) -> AppResult<bool> {
    Ok(settings::load(conn, merchant_id)?.entry_mode == EntryMode::Everyone)
}

/// Makes a new member a distributor when the merchant is in `everyone` mode. Runs inside the
/// registration's write transaction; `came_through` is the distributor whose link the member
/// registered through. Answers the new distributor's id, or `None` in another mode.
pub fn at_registration(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: MemberId,
    came_through: Option<DistributorId>,
    base_url: &str,
    now: NaiveDateTime,
) -> AppResult<Option<DistributorId>> {
    if !everyone_mode(conn, merchant_id)? {
        return Ok(None);
    }
    enrol(conn, merchant_id, member_id, came_through, base_url, now).map(Some)
}

/// Makes a member who has no distributor profile yet one when the merchant is in `everyone`
/// mode (see the module comment); changes nothing otherwise. Cheap reads first, so that the
/// request of a member who already is a distributor (or of another mode) writes nothing.
pub fn on_join_request(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: MemberId,
    base_url: &str,
    now: NaiveDateTime,
) -> AppResult<()> {
    if applications::is_distributor(conn, merchant_id, member_id)?
        || !everyone_mode(conn, merchant_id)?
    {
        return Ok(());
    }
    write_transaction(conn, |conn| {
        applications::lock_member(conn, merchant_id, member_id)?;
        // Re-read under the lock: a concurrent request may have enrolled the member, the
        // merchant may have changed the mode, staff may have disabled the member.
        if applications::is_distributor(conn, merchant_id, member_id)?
            || !everyone_mode(conn, merchant_id)?
        {
            return Ok(());
        }
        let status: AccountStatus = members::table
            .find(member_id)
            .select(members::status)
            .first(conn)?;
        if status != AccountStatus::Active {
            return Ok(());
        }
        let pending: Option<i64> = da::table
            .filter(da::merchant_id.eq(merchant_id))
            .filter(da::member_id.eq(member_id))
            .filter(da::status.eq(ApplicationStatus::Pending))
            .select(da::id)
            .first(conn)
            .optional()?;
        match pending {
            Some(id) => {
                applications::approve_claimed(conn, merchant_id, id, Decider::System, base_url, now)
            }
            None => enrol(conn, merchant_id, member_id, None, base_url, now).map(|_| ()),
        }
    })
}

/// Joins the member under the recruiter picked as the module comment says, inside the caller's
/// write transaction.
fn enrol(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: MemberId,
    came_through: Option<DistributorId>,
    base_url: &str,
    now: NaiveDateTime,
) -> AppResult<DistributorId> {
    let link = match came_through {
        Some(id) if applications::active_distributor(conn, merchant_id, id)? => Some(id),
        _ => None,
    };
    let sponsor = match link {
        Some(id) => Some(id),
        None => applications::resolve_sponsor(conn, merchant_id, member_id, None, now)?
            .map(|(id, _)| id),
    };
    let distributor_id = network::join(conn, merchant_id, member_id, sponsor, now)?;
    let (code, parent_id): (String, Option<DistributorId>) = distributors::table
        .filter(distributors::merchant_id.eq(merchant_id))
        .filter(distributors::id.eq(distributor_id))
        .select((distributors::code, distributors::parent_id))
        .first(conn)?;
    applications::send_welcome(conn, merchant_id, member_id, &code, base_url, now)?;
    audit::record(
        conn,
        &AuditActor::system(Some(merchant_id)),
        &ClientInfo::default(),
        AuditEntry::new("distributor.enrolled")
            .target("distributor", distributor_id)
            .changes(json!({
                "member_id": { "before": null, "after": member_id },
                "parent_id": { "before": null, "after": parent_id },
                "sponsor_id": { "before": null, "after": sponsor },
                "entry_mode": { "before": null, "after": EntryMode::Everyone.as_str() },
            })),
        now,
    )?;
    Ok(distributor_id)
}
