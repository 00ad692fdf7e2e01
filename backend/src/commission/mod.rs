//! Commission: what each distributor earns on an order, to the fen, exactly once.
//!
//! - `rules`: the pure rules — who earns on an order (levels, self-purchase, no compression),
//!   which rule applies to a line at a level (override → tier → merchant default), the amount of
//!   a record, and what a refund reverses of it. Nothing here touches the database.

pub mod rules;
