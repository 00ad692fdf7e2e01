//! Message texts. Emails carry both languages (Chinese first): the recipient has not chosen one
//! yet when most of them are sent.

use chrono::{DateTime, Utc};

use super::inbox::Notice;
use super::outbox::{Channel, Message};
use crate::db::ids::{MemberId, ProductId, SkuId};
use crate::error::Text;

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

pub fn staff_invitation(
    recipient: &str,
    company: &str,
    inviter: &str,
    link: &str,
    expires_at: DateTime<Utc>,
) -> Message {
    let expires = expires_at.format("%Y-%m-%d %H:%M UTC");
    Message {
        channel: Channel::Email,
        recipient: recipient.to_owned(),
        template: "staff_invitation",
        subject: format!("{inviter} 邀请您加入「{company}」/ You are invited to {company} — Fenxiao"),
        body: format!(
            "您好，\n\n\
             {inviter} 邀请您加入「{company}」的 Fenxiao 商户后台。打开以下链接设置密码并加入（{expires} 前有效，仅可使用一次）：\n\
             {link}\n\n\
             ---\n\n\
             Hello,\n\n\
             {inviter} invited you to the Fenxiao console of \"{company}\". Open this link to \
             choose a password and join (valid until {expires}, usable once):\n\
             {link}\n"
        ),
    }
}

pub fn password_reset(recipient: &str, link: &str, expires_at: DateTime<Utc>) -> Message {
    let expires = expires_at.format("%Y-%m-%d %H:%M UTC");
    Message {
        channel: Channel::Email,
        recipient: recipient.to_owned(),
        template: "reset_password",
        subject: "重置密码 / Reset your password — Fenxiao".to_owned(),
        body: format!(
            "您好，\n\n\
             我们收到了重置密码的请求。打开以下链接设置新密码（{expires} 前有效，仅可使用一次）。\
             重置后，所有已登录的设备都将退出登录：\n\
             {link}\n\n\
             如果这不是您本人的操作，请忽略本邮件，您的密码不会改变。\n\n\
             ---\n\n\
             Hello,\n\n\
             We received a request to reset your password. Open this link to choose a new one \
             (valid until {expires}, usable once). Afterwards every signed-in device is signed out:\n\
             {link}\n\n\
             If you did not ask for this, ignore this message; your password stays as it is.\n"
        ),
    }
}

/// A verification code, by SMS or email depending on the recipient.
pub fn verification_code(recipient: &str, code: &str, minutes: i64) -> Message {
    let email = recipient.contains('@');
    Message {
        channel: if email { Channel::Email } else { Channel::Sms },
        recipient: recipient.to_owned(),
        template: "verification_code",
        subject: if email {
            "验证码 / Verification code — Fenxiao".to_owned()
        } else {
            String::new()
        },
        body: format!(
            "【Fenxiao】您的验证码是 {code}，{minutes} 分钟内有效，请勿告诉他人。\
             Your code is {code}, valid for {minutes} minutes."
        ),
    }
}

pub fn low_stock(
    recipient: &str,
    product: &str,
    sku_code: &str,
    stock: i64,
    threshold: i64,
) -> Message {
    Message {
        channel: Channel::Email,
        recipient: recipient.to_owned(),
        template: "low_stock",
        subject: format!("库存预警：{product}（{sku_code}）/ Low stock — Fenxiao"),
        body: format!(
            "「{product}」SKU {sku_code} 的库存已降至 {stock}（预警值 {threshold}），请及时补货。\n\n\
             Stock of \"{product}\" SKU {sku_code} is down to {stock} (alert at {threshold}); \
             time to restock.\n"
        ),
    }
}

/// The in-app counterpart of `low_stock`.
pub fn low_stock_notice(
    product_id: ProductId,
    product: &str,
    sku_id: SkuId,
    sku_code: &str,
    stock: i64,
    threshold: i64,
) -> Notice {
    Notice {
        kind: "low_stock",
        title: Text::new(
            format!("Low stock: {product}"),
            format!("库存预警：{product}"),
        ),
        body: Text::new(
            format!("SKU {sku_code} is down to {stock} (alert at {threshold}); time to restock."),
            format!("SKU {sku_code} 的库存已降至 {stock}（预警值 {threshold}），请及时补货。"),
        ),
        target: Some(("sku", sku_id.to_string())),
        data: serde_json::json!({
            "product_id": product_id,
            "sku_id": sku_id,
            "sku_code": sku_code,
            "stock": stock,
            "threshold": threshold,
        }),
    }
}

/// Welcome to a new distributor, with a short guide: by email, or by SMS when the member
/// registered with a phone number only. `link` is their recruit link, when the shop has an
/// address.
pub fn distributor_welcome(recipient: &str, shop: &str, code: &str, link: Option<&str>) -> Message {
    if !recipient.contains('@') {
        let link = link.map(|l| format!(" {l}")).unwrap_or_default();
        return Message {
            channel: Channel::Sms,
            recipient: recipient.to_owned(),
            template: "distributor_welcome",
            subject: String::new(),
            body: format!(
                "【Fenxiao】恭喜您成为「{shop}」的分销商，推广码 {code}，分享招募链接即可邀请好友：{link}\
                 Welcome, you are now a distributor of {shop} (code {code})."
            ),
        };
    }
    let (share_zh, share_en) = match link {
        Some(link) => (
            format!("分享您的专属招募链接或二维码（在分销中心也能随时找到）：\n   {link}"),
            format!("Share your own recruit link or its QR code (also in your distributor centre):\n   {link}"),
        ),
        None => (
            "在分销中心打开“招募”，分享您的专属招募链接和二维码。".to_owned(),
            "Open \"Recruit\" in your distributor centre and share your own link and QR code.".to_owned(),
        ),
    };
    Message {
        channel: Channel::Email,
        recipient: recipient.to_owned(),
        template: "distributor_welcome",
        subject: format!("欢迎成为「{shop}」的分销商 / Welcome to {shop}'s distributors — Fenxiao"),
        body: format!(
            "您好，\n\n\
             欢迎成为「{shop}」的分销商！您的推广码是 {code}。\n\n\
             三步开始：\n\
             1. {share_zh}\n\
             2. 顾客通过您的链接进店即与您绑定，他们付款的订单按店铺的佣金规则为您计算佣金；\
             好友通过您的招募链接成为分销商，就加入您的团队。\n\
             3. 在分销中心查看团队、客户和佣金。佣金在订单售后期结束后转为可结算。\n\n\
             请如实宣传商品，不要承诺收益，也不要以发展下线收取费用。\n\n\
             ---\n\n\
             Hello,\n\n\
             Welcome to the distributors of \"{shop}\"! Your code is {code}.\n\n\
             Three steps to start:\n\
             1. {share_en}\n\
             2. Customers who come through your link are bound to you, and their paid orders \
             earn you commission under the shop's rules; friends who join through your recruit \
             link become your team.\n\
             3. Follow your team, customers and commission in your distributor centre. \
             Commission becomes available once an order's after-sales window has closed.\n\n\
             Describe the goods truthfully, promise no income, and never charge anyone for \
             joining your team.\n"
        ),
    }
}

/// To an applicant whose distributor application was rejected, with the reason staff gave: by
/// email, or by SMS when the member registered with a phone number only. They may apply again.
pub fn distributor_rejected(recipient: &str, shop: &str, reason: &str) -> Message {
    if !recipient.contains('@') {
        return Message {
            channel: Channel::Sms,
            recipient: recipient.to_owned(),
            template: "distributor_rejected",
            subject: String::new(),
            body: format!(
                "【Fenxiao】您在「{shop}」的分销商申请未通过（原因：{reason}），您可以修改后重新申请。\
                 Your distributor application at {shop} was not approved: {reason}"
            ),
        };
    }
    Message {
        channel: Channel::Email,
        recipient: recipient.to_owned(),
        template: "distributor_rejected",
        subject: format!("您在「{shop}」的分销商申请未通过 / Your application to {shop} — Fenxiao"),
        body: format!(
            "您好，\n\n\
             很抱歉，您在「{shop}」的分销商申请未通过审核。\n\n\
             原因：{reason}\n\n\
             您可以根据以上原因补充或修改资料后，在店铺的分销中心重新提交申请。\n\n\
             ---\n\n\
             Hello,\n\n\
             We are sorry: your application to become a distributor of \"{shop}\" was not \
             approved.\n\n\
             Reason: {reason}\n\n\
             You may complete or correct your details and apply again from the shop's \
             distributor centre.\n"
        ),
    }
}

/// Staff notice of a new application waiting for review.
pub fn distributor_application_notice(
    application_id: i64,
    member_id: MemberId,
    applicant: &str,
) -> Notice {
    Notice {
        kind: "distributor_application",
        title: Text::new("New distributor application", "新的分销商申请"),
        body: Text::new(
            format!("{applicant} applied to become a distributor and is waiting for review."),
            format!("{applicant} 申请成为分销商，等待审核。"),
        ),
        target: Some(("distributor_application", application_id.to_string())),
        data: serde_json::json!({
            "application_id": application_id,
            "member_id": member_id,
        }),
    }
}

/// A short update to a buyer about their order: by email (both languages, Chinese first), or by
/// SMS when the member registered with a phone number only.
/// What the buyer is told of their order, in both languages: sent to their email or phone
/// ([`BuyerUpdate::message`]) and kept in their in-app inbox ([`BuyerUpdate::notice`]).
#[derive(Debug, Clone)]
pub struct BuyerUpdate {
    /// The template's stable name (the outbox's and the inbox's kind).
    pub template: &'static str,
    pub title: Text,
    pub body: Text,
}

fn order_update(template: &'static str, subject: (&str, &str), zh: &str, en: &str) -> BuyerUpdate {
    BuyerUpdate {
        template,
        title: Text::new(subject.1.to_owned(), subject.0.to_owned()),
        body: Text::new(en.to_owned(), zh.to_owned()),
    }
}

impl BuyerUpdate {
    /// The email (or, to a phone number, the SMS) from the shop `shop`.
    pub fn message(&self, recipient: &str, shop: &str) -> Message {
        let (zh, en) = (self.body.zh.as_ref(), self.body.en.as_ref());
        if !recipient.contains('@') {
            return Message {
                channel: Channel::Sms,
                recipient: recipient.to_owned(),
                template: self.template,
                subject: String::new(),
                body: format!("【{shop}】{zh} {en}"),
            };
        }
        Message {
            channel: Channel::Email,
            recipient: recipient.to_owned(),
            template: self.template,
            subject: format!("{} / {} — {shop}", self.title.zh, self.title.en),
            body: format!("您好，\n\n{zh}\n\n---\n\nHello,\n\n{en}\n"),
        }
    }

    /// The in-app notice, about the order `order_id`.
    pub fn notice(&self, order_id: i64, order_no: &str) -> Notice {
        Notice {
            kind: self.template,
            title: self.title.clone(),
            body: self.body.clone(),
            target: Some(("order", order_id.to_string())),
            data: serde_json::json!({ "order_id": order_id, "order_no": order_no }),
        }
    }
}

/// To the buyer: a package of their order left.
pub fn order_shipped(
    order_no: &str,
    carrier: &str,
    tracking_no: &str,
    fully_shipped: bool,
) -> BuyerUpdate {
    let (rest_zh, rest_en) = if fully_shipped {
        (
            "订单的商品已全部发出。",
            "Everything of the order has left.",
        )
    } else {
        (
            "其余商品将另行发出。",
            "The rest follows in another package.",
        )
    };
    order_update(
        "order_shipped",
        ("订单已发货", "Your order has shipped"),
        &format!("您的订单 {order_no} 有包裹已发出：{carrier} {tracking_no}。{rest_zh}"),
        &format!("A package of your order {order_no} has left: {carrier} {tracking_no}. {rest_en}"),
    )
}

/// To the buyer: their self-pickup order is paid; the code to show at the counter, and where.
pub fn pickup_ready(order_no: &str, code: &str, point: &str, address: &str) -> BuyerUpdate {
    order_update(
        "pickup_ready",
        ("订单待提货", "Your order is ready to collect"),
        &format!("您的订单 {order_no} 已支付，请凭提货码 {code} 到 {point}（{address}）提货。"),
        &format!(
            "Your order {order_no} is paid: collect it at {point} ({address}) with the pickup \
             code {code}."
        ),
    )
}

/// To the buyer: a package was signed for.
pub fn package_delivered(order_no: &str, carrier: &str, tracking_no: &str) -> BuyerUpdate {
    order_update(
        "package_delivered",
        ("包裹已签收", "Your package was delivered"),
        &format!("您的订单 {order_no} 的包裹（{carrier} {tracking_no}）已签收。如有问题，可在订单中申请售后。"),
        &format!(
            "The package {carrier} {tracking_no} of your order {order_no} was signed for. If \
             something is wrong, ask for after-sales from the order."
        ),
    )
}

/// To the buyer: staff decided their after-sales request (`reason` when refused).
pub fn after_sale_decided(
    order_no: &str,
    approved: bool,
    is_return: bool,
    reason: Option<&str>,
) -> BuyerUpdate {
    let (zh, en) = match (approved, is_return) {
        (true, true) => (
            format!(
                "您对订单 {order_no} 的退货申请已同意，请寄回商品并在售后单中填写退货快递单号。"
            ),
            format!(
                "Your return request for order {order_no} was approved: send the goods back and \
                 give the return tracking number in the request."
            ),
        ),
        (true, false) => (
            format!("您对订单 {order_no} 的退款申请已同意，款项将原路退回。"),
            format!(
                "Your refund request for order {order_no} was approved; the money goes back the \
                 way it was paid."
            ),
        ),
        (false, _) => (
            format!(
                "很抱歉，您对订单 {order_no} 的售后申请未通过。原因：{}",
                reason.unwrap_or("—")
            ),
            format!(
                "We are sorry: your after-sales request for order {order_no} was refused. \
                 Reason: {}",
                reason.unwrap_or("—")
            ),
        ),
    };
    order_update(
        "after_sale_decided",
        if approved {
            ("售后申请已同意", "After-sales request approved")
        } else {
            ("售后申请未通过", "After-sales request refused")
        },
        &zh,
        &en,
    )
}

/// To the buyer: money went back.
pub fn refund_completed(order_no: &str, amount: &str) -> BuyerUpdate {
    order_update(
        "refund_completed",
        ("退款已完成", "Refund made"),
        &format!("订单 {order_no} 的退款 ¥{amount} 已原路退回，到账时间以支付渠道为准。"),
        &format!(
            "¥{amount} of order {order_no} went back the way it was paid; when it shows depends \
             on the payment channel."
        ),
    )
}

/// Staff notice of a new after-sales request waiting for a decision.
pub fn after_sale_notice(after_sale_id: i64, order_no: &str, kind: &str, amount: &str) -> Notice {
    let (kind_zh, kind_en) = if kind == "return_and_refund" {
        ("退货退款", "return and refund")
    } else {
        ("仅退款", "refund only")
    };
    Notice {
        kind: "after_sale",
        title: Text::new("New after-sales request", "新的售后申请"),
        body: Text::new(
            format!("Order {order_no}: {kind_en} of ¥{amount}, waiting for a decision."),
            format!("订单 {order_no} 申请{kind_zh} ¥{amount}，等待处理。"),
        ),
        target: Some(("after_sale", after_sale_id.to_string())),
        data: serde_json::json!({ "after_sale_id": after_sale_id, "order_no": order_no }),
    }
}

/// Staff notice of a refund its provider refused: finance refunds by hand and records it.
pub fn refund_failed_notice(refund_id: i64, refund_no: &str, amount: &str, reason: &str) -> Notice {
    Notice {
        kind: "refund_failed",
        title: Text::new("A refund was refused", "退款失败"),
        body: Text::new(
            format!(
                "Refund {refund_no} of ¥{amount} was refused ({reason}): refund it by hand and \
                 record it."
            ),
            format!("退款 {refund_no}（¥{amount}）被拒绝（{reason}）：请人工退款后登记。"),
        ),
        target: Some(("refund", refund_id.to_string())),
        data: serde_json::json!({ "refund_id": refund_id, "refund_no": refund_no }),
    }
}
