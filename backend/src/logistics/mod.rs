//! Logistics settings of a merchant: carriers, delivery methods (express, self-pickup with pickup
//! points) and freight templates, with the freight calculation checkout uses.

pub mod carriers;
pub mod delivery;
pub mod freight;
pub mod routes;
pub mod templates;
