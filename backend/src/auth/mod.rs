//! Authentication building blocks: password hashing and policy, single-use tokens.

pub mod one_time;
pub mod password;
