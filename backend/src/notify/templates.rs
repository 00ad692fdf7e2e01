//! Message texts. Emails carry both languages (Chinese first): the recipient has not chosen one
//! yet when most of them are sent.

use chrono::{DateTime, Utc};

use super::outbox::{Channel, Message};

pub fn verify_email(
    recipient: &str,
    company: &str,
    link: &str,
    expires_at: DateTime<Utc>,
) -> Message {
    let expires = expires_at.format("%Y-%m-%d %H:%M UTC");
    Message {
        channel: Channel::Email,
        recipient: recipient.to_owned(),
        template: "verify_email",
        subject: "验证您的邮箱 / Verify your email — Fenxiao".to_owned(),
        body: format!(
            "您好，\n\n\
             感谢为「{company}」注册 Fenxiao 分销系统。请打开以下链接验证邮箱（{expires} 前有效，仅可使用一次）：\n\
             {link}\n\n\
             如果这不是您本人的操作，请忽略本邮件。\n\n\
             ---\n\n\
             Hello,\n\n\
             Thank you for signing up \"{company}\" to Fenxiao. Open this link to verify your \
             email (valid until {expires}, usable once):\n\
             {link}\n\n\
             If you did not sign up, ignore this message.\n"
        ),
    }
}
