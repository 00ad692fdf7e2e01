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
#[macro_export]
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

        impl $crate::enums::DbEnum for $name {}

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
                $crate::enums::from_text(&text)
            }
        }
    };
}

pub use crate::db_enum;

#[cfg(test)]
mod tests {
    use super::*;

    crate::db_enum! {
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
    fn values_bind_and_load_on_both_backends() {
        crate::assert_text_round_trips!(Sample);
    }
}
