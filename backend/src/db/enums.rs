//! Enums stored in TEXT columns, the same way on SQLite and PostgreSQL.
//!
//! [`db_enum!`] declares an enum whose variants are stored as their snake_case names
//! (`PendingReview` ⇄ `"pending_review"`), the one mapping between the Rust values and the stored
//! strings. The enum is then used directly in queries, inserts and rows:
//!
//! ```ignore
//! db_enum! {
//!     #[derive(Serialize, Deserialize, ToSchema)]
//!     #[serde(rename_all = "snake_case")]
//!     pub enum DistributorStatus {
//!         Active,
//!         Frozen,
//!         Ended,
//!     }
//! }
//!
//! distributors::table
//!     .filter(distributors::status.eq(DistributorStatus::Active))
//!     .select((distributors::id, distributors::status))
//!     .load::<(i64, DistributorStatus)>(conn)?;
//! ```
//!
//! What the macro adds to the declaration:
//! - `Debug, Clone, Copy, PartialEq, Eq, Hash`;
//! - strum's `IntoStaticStr` and `EnumString` (the text, in `snake_case`) and `VariantArray`
//!   (`DistributorStatus::VARIANTS`, every variant in declaration order), and `as_str()`;
//! - diesel's `AsExpression` and `FromSqlRow` for `Text` (so also `Nullable<Text>` with
//!   `Option<_>`), with `ToSql`/`FromSql` for every backend whose `str`/`String` map `Text`:
//!   SQLite, PostgreSQL and the `MultiConnection` backend, which forwards a `&'static str`.
//!
//! Reading a stored value that is no variant is a deserialisation error (a 500 with the value
//! logged), never a panic and never a silent default. The schema's CHECK constraints keep such
//! values out; the error is the second line of defence.
//!
//! API-facing enums keep their own serde and utoipa attributes; serde's `snake_case` and strum's
//! agree for the names used here. `tests::every_stored_enum_round_trips` stores and reads back
//! every variant of every `db_enum!` on SQLite (and PostgreSQL when the tests have one), checks
//! that an unknown text is refused and that serde answers the stored text, and fails when an
//! enum declared with the macro is missing from its list.

use std::str::FromStr;

use diesel::deserialize;

/// What every [`db_enum!`] enum offers, for code written once over all of them (tests, listings).
pub trait DbEnum:
    Copy + std::fmt::Debug + Eq + 'static + strum::VariantArray + FromStr + Into<&'static str>
{
    /// The stored text of the value.
    fn text(self) -> &'static str {
        self.into()
    }
}

/// The value whose text was stored, or a deserialisation error naming the type and the value.
pub fn from_text<E: DbEnum>(text: &str) -> deserialize::Result<E> {
    E::from_str(text).map_err(|_| {
        format!(
            "unknown stored value `{text}` for {}",
            std::any::type_name::<E>()
        )
        .into()
    })
}

/// Declares an enum stored in a TEXT column; see the module documentation.
macro_rules! db_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $(
                $(#[$variant_meta:meta])*
                $variant:ident
            ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(
            Debug,
            Clone,
            Copy,
            PartialEq,
            Eq,
            Hash,
            ::strum::IntoStaticStr,
            ::strum::EnumString,
            ::strum::VariantArray,
            ::diesel::expression::AsExpression,
            ::diesel::deserialize::FromSqlRow,
        )]
        #[strum(serialize_all = "snake_case")]
        #[diesel(sql_type = ::diesel::sql_types::Text)]
        $vis enum $name {
            $(
                $(#[$variant_meta])*
                $variant,
            )+
        }

        #[allow(dead_code)]
        impl $name {
            /// Every variant, in declaration order.
            pub const VARIANTS: &'static [Self] = <Self as ::strum::VariantArray>::VARIANTS;

            /// The stored text of the value.
            pub fn as_str(self) -> &'static str {
                self.into()
            }
        }

        impl $crate::db::enums::DbEnum for $name {}

        impl<DB> ::diesel::serialize::ToSql<::diesel::sql_types::Text, DB> for $name
        where
            DB: ::diesel::backend::Backend,
            str: ::diesel::serialize::ToSql<::diesel::sql_types::Text, DB>,
        {
            fn to_sql<'b>(
                &'b self,
                out: &mut ::diesel::serialize::Output<'b, '_, DB>,
            ) -> ::diesel::serialize::Result {
                <str as ::diesel::serialize::ToSql<::diesel::sql_types::Text, DB>>::to_sql(
                    self.as_str(),
                    out,
                )
            }
        }

        impl<DB> ::diesel::deserialize::FromSql<::diesel::sql_types::Text, DB> for $name
        where
            DB: ::diesel::backend::Backend,
            String: ::diesel::deserialize::FromSql<::diesel::sql_types::Text, DB>,
        {
            fn from_sql(
                bytes: <DB as ::diesel::backend::Backend>::RawValue<'_>,
            ) -> ::diesel::deserialize::Result<Self> {
                let text = <String as ::diesel::deserialize::FromSql<
                    ::diesel::sql_types::Text,
                    DB,
                >>::from_sql(bytes)?;
                $crate::db::enums::from_text(&text)
            }
        }
    };
}

pub(crate) use db_enum;

#[cfg(test)]
pub(crate) mod tests {
    use diesel::prelude::*;
    use diesel::SqliteConnection;

    use super::*;
    use crate::db::{DatabaseUrl, DbConnection};

    /// Connections to try the mapping on: an in-memory SQLite database always, and PostgreSQL
    /// when `FENXIAO_TEST_POSTGRES_URL` names one.
    pub(crate) fn connections() -> Vec<DbConnection> {
        let mut found = vec![DbConnection::Sqlite(
            SqliteConnection::establish(":memory:").expect("an in-memory SQLite database"),
        )];
        if let Some(url) = std::env::var("FENXIAO_TEST_POSTGRES_URL")
            .ok()
            .filter(|u| !u.trim().is_empty())
        {
            let url = DatabaseUrl::parse(&url).expect("a PostgreSQL URL");
            found.push(crate::db::connect(&url).expect("PostgreSQL is reachable"));
        }
        found
    }

    /// Every variant of the enum goes into the database as its text and comes back as itself,
    /// through the `MultiConnection` backend of each database; an unknown stored text is refused
    /// with a deserialisation error.
    macro_rules! assert_text_round_trips {
        ($ty:ty) => {{
            use diesel::prelude::*;
            use diesel::sql_types::Text;
            assert!(!<$ty>::VARIANTS.is_empty());
            for mut conn in $crate::db::enums::tests::connections() {
                for &variant in <$ty>::VARIANTS {
                    let stored: String = diesel::select(variant.into_sql::<Text>())
                        .get_result(&mut conn)
                        .expect("the value binds");
                    assert_eq!(
                        stored,
                        variant.as_str(),
                        "{variant:?} is stored as its text"
                    );
                    let back: $ty = diesel::select(variant.as_str().into_sql::<Text>())
                        .get_result(&mut conn)
                        .expect("the text loads");
                    assert_eq!(back, variant, "{variant:?} reads back");
                }
                let unknown =
                    diesel::select("no such value".into_sql::<Text>()).get_result::<$ty>(&mut conn);
                assert!(
                    matches!(unknown, Err(diesel::result::Error::DeserializationError(_))),
                    "an unknown stored value is refused: {unknown:?}"
                );
            }
        }};
    }

    /// An API-facing enum answers and reads the same text as it stores.
    pub(crate) fn assert_serde_agrees<E>()
    where
        E: DbEnum + serde::Serialize + serde::de::DeserializeOwned,
    {
        for &variant in E::VARIANTS {
            let json = serde_json::to_value(variant).expect("serialises");
            assert_eq!(json, serde_json::json!(variant.text()), "{variant:?}");
            let back: E = serde_json::from_value(json).expect("deserialises");
            assert_eq!(back, variant);
        }
    }

    super::db_enum! {
        enum Sample {
            First,
            SecondValue,
        }
    }

    #[test]
    fn texts_are_snake_case_and_listed_in_order() {
        assert_eq!(Sample::VARIANTS, &[Sample::First, Sample::SecondValue]);
        assert_eq!(Sample::SecondValue.as_str(), "second_value");
        assert_eq!(from_text::<Sample>("first").ok(), Some(Sample::First));
        let err = from_text::<Sample>("First").unwrap_err().to_string();
        assert!(err.contains("`First`") && err.contains("Sample"), "{err}");
    }

    #[test]
    fn enums_in_queries_and_rows() {
        use diesel_migrations::MigrationHarness;

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
                assert_text_round_trips!($api);
                assert_serde_agrees::<$api>();
                names.push(stringify!($api).rsplit("::").next().unwrap_or_default());
            )*
            $(
                assert_text_round_trips!($internal);
                names.push(stringify!($internal).rsplit("::").next().unwrap_or_default());
            )*
            names
        }};
    }

    /// The name of every enum declared with `db_enum!` in the sources.
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
        use crate::{audit, auth, binding, catalog, contests, distribution, inventory};
        use crate::{logistics, members, network, notify, payments, recruitment, tenancy};
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
            ],
            internal: [
                auth::one_time::Purpose,
                members::codes::CodePurpose,
                catalog::products::TierKind,
                inventory::MovementReason,
                inventory::virtual_codes::CodeStatus,
                contests::lifecycle::State,
                Sample,
            ]
        );
        covered.sort_unstable();
        assert_eq!(covered, declared_enums(), "every db_enum! is listed here");
    }
}
