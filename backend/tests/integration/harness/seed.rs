//! Rows written straight into the database, for tests that need members and distributors
//! faster than the API makes them, or at a moment of their choosing.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use fenxiao::db::ids::{DistributorId, MemberId, MerchantId};
use fenxiao::db::schema::{distributor_paths, distributors, members};

use super::TestApp;

/// A distributor row to insert; `root` gives an active one without parent or tier.
#[derive(Debug, Clone, Copy)]
pub struct NewDistributor<'a> {
    pub merchant_id: MerchantId,
    pub member_id: MemberId,
    pub code: &'a str,
    pub status: &'a str,
    /// Also the sponsor.
    pub parent_id: Option<DistributorId>,
    pub tier_id: Option<i64>,
    pub joined_at: NaiveDateTime,
}

impl<'a> NewDistributor<'a> {
    pub fn root(
        merchant_id: MerchantId,
        member_id: MemberId,
        code: &'a str,
        joined_at: NaiveDateTime,
    ) -> Self {
        NewDistributor {
            merchant_id,
            member_id,
            code,
            status: "active",
            parent_id: None,
            tier_id: None,
            joined_at,
        }
    }
}

impl TestApp {
    /// An active member of the merchant who logs in with `login` (an email when it holds an `@`,
    /// else a phone number) but has no usable password, created at `at`.
    pub fn insert_member(
        &self,
        merchant_id: MerchantId,
        login: &str,
        name: Option<&str>,
        at: NaiveDateTime,
    ) -> MemberId {
        let (phone, email) = if login.contains('@') {
            (None, Some(login))
        } else {
            (Some(login), None)
        };
        diesel::insert_into(members::table)
            .values((
                members::merchant_id.eq(merchant_id),
                members::phone.eq(phone),
                members::email.eq(email),
                members::name.eq(name),
                members::password_hash.eq("not-a-real-hash"),
                members::status.eq("active"),
                members::created_at.eq(at),
                members::updated_at.eq(at),
            ))
            .returning(members::id)
            .get_result(&mut *self.conn())
            .unwrap()
    }

    /// A distributor row with its own row in the closure table (none for its upline).
    pub fn insert_distributor(&self, new: NewDistributor<'_>) -> DistributorId {
        let conn = &mut *self.conn();
        let id: DistributorId = diesel::insert_into(distributors::table)
            .values((
                distributors::merchant_id.eq(new.merchant_id),
                distributors::member_id.eq(new.member_id),
                distributors::parent_id.eq(new.parent_id),
                distributors::sponsor_id.eq(new.parent_id),
                distributors::tier_id.eq(new.tier_id),
                distributors::code.eq(new.code),
                distributors::status.eq(new.status),
                distributors::joined_at.eq(new.joined_at),
                distributors::updated_at.eq(new.joined_at),
            ))
            .returning(distributors::id)
            .get_result(conn)
            .unwrap();
        diesel::insert_into(distributor_paths::table)
            .values((
                distributor_paths::merchant_id.eq(new.merchant_id),
                distributor_paths::ancestor_id.eq(id),
                distributor_paths::descendant_id.eq(id),
                distributor_paths::depth.eq(0),
            ))
            .execute(conn)
            .unwrap();
        id
    }
}
