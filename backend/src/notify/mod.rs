//! Notifications. Messages are written to the outbox in the same transaction as the change that
//! causes them, so a message is never sent for a change that rolled back, nor lost for one that
//! committed. When SMTP is configured, a background worker delivers the emails (`delivery`,
//! `worker`); SMS messages stay in the outbox until an SMS provider is added. In a local trial
//! without a mail server the same worker prints emails and SMS on the console instead
//! (`console`). Staff also have an in-app inbox (`inbox`), written the same way.

pub mod console;
pub mod delivery;
pub mod inbox;
pub mod inbox_routes;
pub mod outbox;
pub mod outbox_view;
pub mod sender;
pub mod smtp;
pub mod templates;
pub mod worker;

/// Registers this module's routes (and so their OpenAPI paths) under the API prefix.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(inbox_routes::list_notifications)
        .service(inbox_routes::count_unread_notifications)
        .service(inbox_routes::mark_all_notifications_read)
        .service(inbox_routes::mark_notification_read)
        .service(inbox_routes::list_my_messages)
        .service(inbox_routes::count_my_unread_messages)
        .service(inbox_routes::mark_all_my_messages_read)
        .service(inbox_routes::mark_my_message_read);
}
