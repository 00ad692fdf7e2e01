//! Payment methods of a merchant and paying orders with them: bank transfer (confirmed by
//! finance), Alipay (RSA2), WeChat Pay API v3 and a sandbox provider for development, demos and
//! tests.

pub mod alipay;
pub mod attempts;
pub mod gateway;
pub mod keys;
pub mod pay_routes;
pub mod refunds;
pub mod routes;
pub mod sandbox;
pub mod settings;
pub mod wechat;
pub mod worker;

/// Registers this module's routes (and so their OpenAPI paths) under the API prefix.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(routes::list_payment_methods)
        .service(routes::save_payment_method)
        .service(pay_routes::pay_order)
        .service(pay_routes::confirm_bank_transfer)
        .service(pay_routes::sandbox_page)
        .service(pay_routes::sandbox_decide)
        .service(pay_routes::sandbox_notification)
        .service(pay_routes::alipay_notification)
        .service(pay_routes::wechat_notification)
        .service(pay_routes::wechat_refund_notification);
}
