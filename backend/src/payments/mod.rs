//! Payment methods of a merchant: bank transfer (confirmed by finance), Alipay, WeChat Pay and a
//! sandbox provider for development. This module holds their settings; the providers that take
//! payments come with orders.

pub mod routes;
pub mod settings;
