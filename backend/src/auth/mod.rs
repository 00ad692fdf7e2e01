//! Authentication and authorisation: accounts that sign in (staff, members, platform operators),
//! passwords, sessions with rotating refresh tokens, access tokens, lockout, permissions, and the
//! request extractors that turn a bearer token into a `Principal`.

pub mod account;
pub mod jwt;
pub mod lockout;
pub mod mfa;
pub mod one_time;
pub mod password;
pub mod password_reset;
pub mod permissions;
pub mod principal;
pub mod routes;
pub mod sessions;
pub mod sign_in;
