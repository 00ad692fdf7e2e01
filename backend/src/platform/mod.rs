//! The platform: operators who run the installation.

pub mod operators;
