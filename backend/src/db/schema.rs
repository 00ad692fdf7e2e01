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

diesel::table! {
    staff_users (id) {
        id -> BigInt,
        merchant_id -> BigInt,
        email -> Text,
        name -> Text,
        phone -> Nullable<Text>,
        password_hash -> Text,
        role -> Text,
        status -> Text,
        email_verified_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    one_time_tokens (id) {
        id -> BigInt,
        merchant_id -> Nullable<BigInt>,
        staff_user_id -> Nullable<BigInt>,
        purpose -> Text,
        token_hash -> Text,
        expires_at -> Timestamp,
        used_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    outbox_messages (id) {
        id -> BigInt,
        merchant_id -> Nullable<BigInt>,
        channel -> Text,
        recipient -> Text,
        template -> Text,
        subject -> Text,
        body -> Text,
        status -> Text,
        attempts -> Integer,
        last_error -> Nullable<Text>,
        created_at -> Timestamp,
        sent_at -> Nullable<Timestamp>,
    }
}

diesel::joinable!(staff_users -> merchants (merchant_id));
diesel::joinable!(one_time_tokens -> staff_users (staff_user_id));
diesel::allow_tables_to_appear_in_same_query!(
    merchants,
    staff_users,
    one_time_tokens,
    outbox_messages
);
