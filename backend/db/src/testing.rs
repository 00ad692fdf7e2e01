//! Checks the app's tests run over the stored types, on every backend they have.

use diesel::{Connection, SqliteConnection};

use crate::enums::DbEnum;
use crate::{DatabaseUrl, DbConnection};

/// Connections to try a mapping on: an in-memory SQLite database always, and PostgreSQL when
/// `FENXIAO_TEST_POSTGRES_URL` names one. Panics when a database cannot be opened: a test that
/// asked for one must not pass without it.
pub fn connections() -> Vec<DbConnection> {
    let sqlite = SqliteConnection::establish(":memory:")
        .unwrap_or_else(|e| panic!("an in-memory SQLite database: {e}"));
    let mut found = vec![DbConnection::Sqlite(sqlite)];
    if let Some(url) = std::env::var("FENXIAO_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.trim().is_empty())
    {
        let url = DatabaseUrl::parse(&url).unwrap_or_else(|e| panic!("a PostgreSQL URL: {e}"));
        found.push(crate::connect(&url).unwrap_or_else(|e| panic!("PostgreSQL: {e}")));
    }
    found
}

/// Every variant of a [`db_enum!`](crate::db_enum) goes into the database as its text and comes
/// back as itself, through the `MultiConnection` backend of each database; an unknown stored
/// text is refused with a deserialisation error.
#[macro_export]
macro_rules! assert_text_round_trips {
    ($ty:ty) => {{
        use ::diesel::prelude::*;
        use ::diesel::sql_types::Text;
        assert!(!<$ty>::VARIANTS.is_empty());
        for mut conn in $crate::testing::connections() {
            for &variant in <$ty>::VARIANTS {
                let stored: String = ::diesel::select(variant.into_sql::<Text>())
                    .get_result(&mut conn)
                    .unwrap_or_else(|e| panic!("{variant:?} binds: {e}"));
                assert_eq!(
                    stored,
                    variant.as_str(),
                    "{variant:?} is stored as its text"
                );
                let back: $ty = ::diesel::select(variant.as_str().into_sql::<Text>())
                    .get_result(&mut conn)
                    .unwrap_or_else(|e| panic!("{variant:?} loads: {e}"));
                assert_eq!(back, variant, "{variant:?} reads back");
            }
            let unknown =
                ::diesel::select("no such value".into_sql::<Text>()).get_result::<$ty>(&mut conn);
            assert!(
                matches!(
                    unknown,
                    Err(::diesel::result::Error::DeserializationError(_))
                ),
                "an unknown stored value is refused: {unknown:?}"
            );
        }
    }};
}

/// An API-facing enum answers and reads the same text as it stores.
pub fn assert_serde_agrees<E>()
where
    E: DbEnum + serde::Serialize + serde::de::DeserializeOwned,
{
    for &variant in E::VARIANTS {
        let json =
            serde_json::to_value(variant).unwrap_or_else(|e| panic!("{variant:?} serialises: {e}"));
        assert_eq!(json, serde_json::json!(variant.text()), "{variant:?}");
        let back: E = serde_json::from_value(json)
            .unwrap_or_else(|e| panic!("{variant:?} deserialises: {e}"));
        assert_eq!(back, variant);
    }
}
