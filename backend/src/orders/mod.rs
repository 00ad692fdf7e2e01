//! Orders: what a member buys, what it costs and what became of it. So far the pricing engine
//! (`pricing`), which the cart's quote and the placement share.

pub mod pricing;
