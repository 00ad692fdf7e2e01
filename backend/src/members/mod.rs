//! Members: the shoppers of one merchant, who register and sign in at the merchant's shop.

pub mod codes;
pub mod routes;
pub mod service;
