//! Typed ids. Each id the money modules carry is its own Rust type *and* its own SQL type, so
//! a query cannot be scoped by the wrong id: `members::merchant_id.eq(member_id)` does not
//! compile, nor does passing a `DistributorId` where a `MemberId` is asked. Stored as BIGINT on
//! both backends; in JSON a plain integer.
//!
//! `db_id!(MerchantId, sql::MerchantId)` declares the pair; the schema names the SQL type on
//! every column that holds such an id (`merchant_id -> MerchantId`).

/// The SQL types of the ids (all BIGINT), for `schema.rs`.
pub mod sql {
    macro_rules! sql_id {
        ($($name:ident),+ $(,)?) => {$(
            #[derive(Debug, Clone, Copy, Default, diesel::sql_types::SqlType, diesel::query_builder::QueryId)]
            #[diesel(postgres_type(oid = 20, array_oid = 1016))]
            #[diesel(sqlite_type(name = "Long"))]
            pub struct $name;

            impl diesel::sql_types::SqlOrd for $name {}

            impl diesel::sql_types::HasSqlType<$name> for crate::MultiBackend {
                fn metadata(lookup: &mut Self::MetadataLookup) -> Self::TypeMetadata {
                    crate::MultiBackend::lookup_sql_type::<$name>(lookup)
                }
            }
        )+};
    }

    sql_id!(
        MerchantId,
        MemberId,
        DistributorId,
        ProductId,
        SkuId,
        OrderId,
        PackageId,
        AfterSaleId,
        RefundId
    );
}

/// Declares an id type stored in a column of SQL type `$sql`; see the module documentation.
macro_rules! db_id {
    ($(#[$meta:meta])* $name:ident, $sql:path) => {
        $(#[$meta])*
        #[derive(
            Debug,
            Clone,
            Copy,
            PartialEq,
            Eq,
            Hash,
            PartialOrd,
            Ord,
            ::serde::Serialize,
            ::serde::Deserialize,
            ::diesel::expression::AsExpression,
            ::diesel::deserialize::FromSqlRow,
        )]
        #[serde(transparent)]
        #[diesel(sql_type = $sql)]
        pub struct $name(pub i64);

        impl $name {
            /// The number, for the API's views and for logs.
            pub fn get(self) -> i64 {
                self.0
            }
        }

        /// `#[validate(range(min = 1))]` on a request's id field, as on a plain integer.
        impl ::validator::ValidateRange<i64> for $name {
            fn greater_than(&self, max: i64) -> Option<bool> {
                Some(self.0 > max)
            }

            fn less_than(&self, min: i64) -> Option<bool> {
                Some(self.0 < min)
            }
        }

        /// Parses the decimal number, as ids arrive in paths and cursors.
        impl ::std::str::FromStr for $name {
            type Err = ::std::num::ParseIntError;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                text.parse().map($name)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                self.0.fmt(f)
            }
        }

        impl<DB> ::diesel::serialize::ToSql<$sql, DB> for $name
        where
            DB: ::diesel::backend::Backend,
            i64: ::diesel::serialize::ToSql<::diesel::sql_types::BigInt, DB>,
        {
            fn to_sql<'b>(
                &'b self,
                out: &mut ::diesel::serialize::Output<'b, '_, DB>,
            ) -> ::diesel::serialize::Result {
                <i64 as ::diesel::serialize::ToSql<::diesel::sql_types::BigInt, DB>>::to_sql(
                    &self.0, out,
                )
            }
        }

        impl<DB> ::diesel::deserialize::FromSql<$sql, DB> for $name
        where
            DB: ::diesel::backend::Backend,
            i64: ::diesel::deserialize::FromSql<::diesel::sql_types::BigInt, DB>,
        {
            fn from_sql(
                bytes: <DB as ::diesel::backend::Backend>::RawValue<'_>,
            ) -> ::diesel::deserialize::Result<Self> {
                <i64 as ::diesel::deserialize::FromSql<::diesel::sql_types::BigInt, DB>>::from_sql(
                    bytes,
                )
                .map($name)
            }
        }
    };
}

db_id!(
    /// A merchant (tenant): every tenant-scoped query filters by one.
    MerchantId,
    sql::MerchantId
);

db_id!(
    /// A shop's member (shopper): the buyer of an order, the customer bound to a distributor.
    MemberId,
    sql::MemberId
);

db_id!(
    /// A distributor: a member's place in the network, who earns commission.
    DistributorId,
    sql::DistributorId
);

db_id!(
    /// A product of the catalog.
    ProductId,
    sql::ProductId
);

db_id!(
    /// A SKU (a product's sellable variant), the unit of price and stock.
    SkuId,
    sql::SkuId
);

db_id!(
    /// An order: what commission, fulfilment and after-sales hang on.
    OrderId,
    sql::OrderId
);

db_id!(
    /// A package of an order: what a tracking number follows.
    PackageId,
    sql::PackageId
);

db_id!(
    /// An after-sales request (售后) of an order.
    AfterSaleId,
    sql::AfterSaleId
);

db_id!(
    /// A refund: money going back through the payment that brought it.
    RefundId,
    sql::RefundId
);

#[cfg(test)]
mod tests {
    use diesel::prelude::*;

    use super::*;
    use crate::testing::connections;

    #[test]
    fn ids_bind_and_load_as_bigint_on_both_backends() {
        for mut conn in connections() {
            let id = MerchantId(9_007_199_254_740_993);
            let back: MerchantId = diesel::select(id.into_sql::<sql::MerchantId>())
                .get_result(&mut conn)
                .expect("the id binds and loads");
            assert_eq!(back, id);
            let as_number: i64 = diesel::select(
                id.into_sql::<sql::MerchantId>()
                    .eq(MerchantId(9_007_199_254_740_993)),
            )
            .get_result::<bool>(&mut conn)
            .map(i64::from)
            .expect("ids compare");
            assert_eq!(as_number, 1);
        }
    }

    #[test]
    fn ids_are_plain_numbers_in_json() {
        assert_eq!(
            serde_json::to_value(MerchantId(7)).unwrap(),
            serde_json::json!(7)
        );
        let back: MerchantId = serde_json::from_str("7").unwrap();
        assert_eq!(back, MerchantId(7));
    }

    #[test]
    fn ids_parse_from_paths_and_cursors() {
        assert_eq!("42".parse::<DistributorId>(), Ok(DistributorId(42)));
        assert!("4x".parse::<SkuId>().is_err());
        assert!("".parse::<MemberId>().is_err());
        assert_eq!(ProductId(42).to_string(), "42");
    }

    #[test]
    fn ids_validate_as_ranges_of_integers() {
        use validator::ValidateRange;
        assert!(MemberId(1).validate_range(Some(1), None, None, None));
        assert!(!MemberId(0).validate_range(Some(1), None, None, None));
        assert!(!DistributorId(-5).validate_range(Some(1), None, None, None));
        assert!(!SkuId(11).validate_range(None, Some(10), None, None));
    }
}
