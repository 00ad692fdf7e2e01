// One schema for both backends: only the common column types (BigInt, Integer, Text, Bool,
// Timestamp, Binary). Keep it in step with migrations/sqlite and migrations/postgres.

diesel::table! {
    merchants (id) {
        id -> BigInt,
        name -> Text,
        contact_name -> Text,
        contact_phone -> Text,
        contact_email -> Text,
        status -> Text,
        timezone -> Text,
        currency -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}
