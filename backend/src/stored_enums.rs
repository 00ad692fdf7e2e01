//! Every enum the app stores with `db_enum!` maps to its text and back on each backend, and the
//! API-facing ones answer the same text in JSON. Listed by hand, so the last test also fails
//! when a `db_enum!` in the sources is missing from the list.

use diesel::prelude::*;
use diesel::SqliteConnection;
use diesel_migrations::MigrationHarness;

use crate::db::testing::assert_serde_agrees;
use crate::db::DbConnection;

#[test]
fn enums_in_queries_and_rows() {
    use crate::db::schema::outbox_messages as o;
    use crate::notify::outbox::{Channel, OutboxStatus};

    let mut inner = SqliteConnection::establish(":memory:").expect("an in-memory database");
    inner
        .run_pending_migrations(crate::db::SQLITE_MIGRATIONS)
        .expect("migrations run");
    let mut conn = DbConnection::Sqlite(inner);
    diesel::insert_into(o::table)
        .values((
            o::channel.eq(Channel::Sms),
            o::recipient.eq("13800000000"),
            o::template.eq("t"),
            o::subject.eq("s"),
            o::body.eq("b"),
            o::status.eq(OutboxStatus::Pending),
            o::created_at.eq(crate::clock::now()),
        ))
        .execute(&mut conn)
        .expect("inserts");
    let row: (Channel, OutboxStatus) = o::table
        .filter(o::status.eq(OutboxStatus::Pending))
        .filter(o::channel.eq_any(Channel::VARIANTS))
        .select((o::channel, o::status))
        .first(&mut conn)
        .expect("found by its status");
    assert_eq!(row, (Channel::Sms, OutboxStatus::Pending));
}

/// Runs the round trips for each listed enum (and the serde check for the API-facing ones),
/// answering the names it covered.
macro_rules! check_all {
    (api: [$($api:ty),* $(,)?], internal: [$($internal:ty),* $(,)?]) => {{
        let mut names: Vec<&str> = Vec::new();
        $(
            crate::db::assert_text_round_trips!($api);
            assert_serde_agrees::<$api>();
            names.push(stringify!($api).rsplit("::").next().unwrap_or_default());
        )*
        $(
            crate::db::assert_text_round_trips!($internal);
            names.push(stringify!($internal).rsplit("::").next().unwrap_or_default());
        )*
        names
    }};
}

/// The name of every enum declared with `db_enum!` in the app's sources.
fn declared_enums() -> Vec<String> {
    fn walk(dir: &std::path::Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("the sources are readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                walk(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("a source file");
                let mut lines = text.lines().map(str::trim_start);
                while let Some(line) = lines.next() {
                    if line.starts_with("//") || !line.ends_with("db_enum! {") {
                        continue;
                    }
                    let declared = lines.by_ref().find_map(|l| {
                        l.strip_prefix("pub enum ")
                            .or_else(|| l.strip_prefix("enum "))
                    });
                    if let Some(rest) = declared {
                        found.push(
                            rest.chars()
                                .take_while(|c| c.is_alphanumeric() || *c == '_')
                                .collect(),
                        );
                    }
                }
            }
        }
    }
    let mut found = Vec::new();
    walk(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut found,
    );
    found.sort();
    found.dedup();
    found
}

#[test]
fn every_stored_enum_round_trips() {
    use crate::tracking;
    use crate::{
        aftersales, audit, auth, binding, catalog, contests, distribution, events, inventory,
    };
    use crate::{logistics, members, network, notify, orders, payments, recruitment, tenancy};
    let mut covered = check_all!(
        api: [
            auth::account::AccountKind,
            auth::account::AccountStatus,
            audit::ActorKind,
            notify::outbox::Channel,
            notify::outbox::OutboxStatus,
            tenancy::models::MerchantStatus,
            tenancy::models::StaffRole,
            catalog::lifecycle::ProductStatus,
            catalog::products::SkuKind,
            catalog::import::ImportStatus,
            catalog::sheet::Format,
            logistics::freight::FreightMode,
            payments::settings::PaymentKind,
            distribution::settings::EntryMode,
            distribution::settings::ApplicationReview,
            distribution::settings::BindingMode,
            distribution::tiers::CommissionKind,
            distribution::tiers::ConditionMode,
            network::DistributorStatus,
            network::TierCause,
            binding::rules::Source,
            binding::rules::EndReason,
            contests::leaderboard::Metric,
            recruitment::applications::ApplicationStatus,
            recruitment::applications::SponsorSource,
            recruitment::applications::DeciderKind,
            orders::OrderStatus,
            orders::models::Delivery,
            orders::models::TimelineActor,
            orders::shipping::TrackingState,
            tracking::timeline::EventSource,
            payments::attempts::AttemptStatus,
            payments::refunds::RefundStatus,
            events::RefundCause,
            aftersales::models::AfterSaleKind,
            aftersales::models::AfterSaleStatus,
        ],
        internal: [
            auth::one_time::Purpose,
            members::codes::CodePurpose,
            catalog::products::TierKind,
            inventory::MovementReason,
            inventory::virtual_codes::CodeStatus,
            contests::lifecycle::State,
            orders::models::StoredPriceSource,
            payments::attempts::ReceiptOutcome,
        ]
    );
    covered.sort_unstable();
    assert_eq!(covered, declared_enums(), "every db_enum! is listed here");
}
