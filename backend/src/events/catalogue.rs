//! The events themselves: one variant of [`DomainEvent`] per event, each with a stable name
//! ([`EventKind`]) and a payload struct serialised as JSON. A name and the meaning of a payload
//! field are never changed once released: consumers, stored rows and (later) webhooks rely on
//! them. New fields may be added with `#[serde(default)]`, so rows written before still read.
//!
//! docs/architecture.md ("Domain events") lists every event with its producer and consumers.

use serde::{Deserialize, Serialize};

use crate::db::ids::{AfterSaleId, DistributorId, MemberId, OrderId, PackageId, RefundId};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::money::MAX_FEN;
use crate::network::TierCause;
use crate::orders::OrderStatus;

/// Declares the events: the fieldless [`EventKind`] with each stable name, [`DomainEvent`] with
/// each payload, and the conversions between a stored row (name, payload text) and an event, so
/// a name is written once.
macro_rules! catalogue {
    ($($(#[$doc:meta])* $variant:ident($payload:ident) = $name:literal,)+) => {
        /// Which event, without its payload: what consumers subscribe to.
        #[derive(
            Debug, Clone, Copy, PartialEq, Eq, Hash, strum::EnumIter, strum::EnumString,
            strum::IntoStaticStr,
        )]
        pub enum EventKind {
            $($(#[$doc])* #[strum(serialize = $name)] $variant,)+
        }

        /// Something that happened, as its producer records it.
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum DomainEvent {
            $($(#[$doc])* $variant($payload),)+
        }

        impl DomainEvent {
            pub fn kind(&self) -> EventKind {
                match self {
                    $(DomainEvent::$variant(_) => EventKind::$variant,)+
                }
            }

            /// The payload as stored (JSON text).
            pub fn payload(&self) -> AppResult<String> {
                let text = match self {
                    $(DomainEvent::$variant(payload) => serde_json::to_string(payload),)+
                };
                text.map_err(AppError::internal)
            }

            /// Reads a stored event back.
            pub fn decode(name: &str, payload: &str) -> AppResult<Self> {
                let kind: EventKind = name
                    .parse()
                    .map_err(|_| AppError::internal(format!("unknown domain event {name}")))?;
                let event = match kind {
                    $(EventKind::$variant => {
                        serde_json::from_str(payload).map(DomainEvent::$variant)
                    })+
                };
                event.map_err(|err| AppError::internal(format!("domain event {name}: {err}")))
            }
        }
    };
}

catalogue! {
    /// A member became a distributor (`network::join`, `join_placed`).
    DistributorJoined(DistributorJoined) = "distributor.joined",
    /// Staff moved a distributor, with their team, under another parent
    /// (`network::move_distributor`).
    DistributorMoved(DistributorMoved) = "distributor.moved",
    /// A paid order was credited to the distributor who brought its buyer (`network::record_sale`).
    SaleRecorded(SaleRecorded) = "distributor.sale_recorded",
    /// A distributor's tier changed: on joining, by promotion, or by staff (`network::status`,
    /// the one writer of tiers, with the row of tier history).
    DistributorTierChanged(DistributorTierChanged) = "distributor.tier_changed",
    /// An order was cancelled: by the buyer, by expiry or by staff (`orders::lifecycle`); its
    /// stock is back.
    OrderCancelled(OrderCancelled) = "order.cancelled",
    /// A member placed an order (`orders::checkout`); it waits for its payment.
    OrderPlaced(OrderPlaced) = "order.placed",
    /// An order's payment arrived (`orders::lifecycle::record_payment`): a callback verified,
    /// or a bank transfer confirmed. Recorded once per order.
    OrderPaid(OrderPaid) = "order.paid",
    /// A package of a paid order left (`orders::shipping`); the last one makes the order shipped.
    OrderShipped(OrderShipped) = "order.shipped",
    /// An order completed (`orders::completion`): the buyer confirmed receipt, its packages were
    /// delivered, its time ran out, or it had nothing to send. The after-sales window opens and
    /// the commission freeze starts. Recorded once per order.
    OrderCompleted(OrderCompleted) = "order.completed",
    /// A buyer asked for after-sales (`aftersales`): for the console's live feed.
    AfterSaleRequested(AfterSaleRequested) = "after_sale.requested",
    /// Money went back to the buyer (`payments::refunds`), with what of each line. Recorded
    /// once per refund.
    RefundCompleted(RefundCompleted) = "refund.completed",
}

impl EventKind {
    /// The stable name, as stored in `domain_events.name`.
    pub fn name(self) -> &'static str {
        self.into()
    }
}

impl DomainEvent {
    /// The key of an event that happens at most once per thing (the sale of one order), unique
    /// per merchant and name; `None` for events that may happen any number of times.
    pub fn key(&self) -> Option<&str> {
        match self {
            DomainEvent::SaleRecorded(sale) => Some(&sale.order_ref),
            DomainEvent::DistributorJoined(_)
            | DomainEvent::DistributorMoved(_)
            | DomainEvent::DistributorTierChanged(_)
            | DomainEvent::OrderCancelled(_)
            | DomainEvent::OrderPlaced(_)
            | DomainEvent::OrderShipped(_)
            | DomainEvent::AfterSaleRequested(_) => None,
            DomainEvent::RefundCompleted(refund) => Some(&refund.refund_no),
            DomainEvent::OrderPaid(paid) => Some(&paid.order_no),
            DomainEvent::OrderCompleted(completed) => Some(&completed.order_no),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DistributorJoined {
    pub distributor_id: DistributorId,
    pub member_id: MemberId,
    /// The place in the tree: the sponsor, the merchant's default sponsor, or none (a root).
    pub parent_id: Option<DistributorId>,
    /// The recruiter recorded on the profile (`distributors.sponsor_id`): none under the default
    /// sponsor or when placed by staff.
    pub sponsor_id: Option<DistributorId>,
    /// Staff made the member a distributor under a parent of their choosing; otherwise the member
    /// was recruited (an application, or enrolment in the `everyone` mode).
    pub placed_by_staff: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DistributorMoved {
    pub distributor_id: DistributorId,
    pub from_parent_id: Option<DistributorId>,
    pub to_parent_id: Option<DistributorId>,
}

/// A tier change, as its row of tier history (`distributor_tier_changes`) records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DistributorTierChanged {
    pub distributor_id: DistributorId,
    /// The row of tier history.
    pub change_id: i64,
    /// `None`: the distributor had no tier (a newcomer).
    pub from_tier_id: Option<i64>,
    /// `None`: staff took the tier away.
    pub to_tier_id: Option<i64>,
    pub cause: TierCause,
}

/// A cancelled order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderCancelled {
    pub order_id: OrderId,
    pub order_no: String,
    pub member_id: MemberId,
    /// The status it was cancelled from: `pending_payment`, or `paid` (then `refund_due`).
    pub from_status: OrderStatus,
    /// Paid before: the money is to be refunded.
    pub refund_due: bool,
    /// `cancel_by_buyer`, `expire` or `cancel_by_staff`.
    pub action: String,
}

/// A placed order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderPlaced {
    pub order_id: OrderId,
    pub order_no: String,
    pub member_id: MemberId,
    pub distributor_id: Option<DistributorId>,
    pub total_fen: i64,
}

/// A paid order, keyed by its number (an order is paid once).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderPaid {
    pub order_id: OrderId,
    pub order_no: String,
    pub member_id: MemberId,
    /// Who brought the member: the distributor of the binding in force at placement.
    pub distributor_id: Option<DistributorId>,
    /// Fen: what the buyer paid in all, and for the goods (freight excluded).
    pub total_fen: i64,
    pub paid_goods_fen: i64,
    /// `sandbox`, `bank_transfer`, `alipay`, `wechat_pay`.
    pub method: String,
}

/// A package sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderShipped {
    pub order_id: OrderId,
    pub order_no: String,
    pub member_id: MemberId,
    pub distributor_id: Option<DistributorId>,
    pub package_id: PackageId,
    /// 1 for the first package of the order.
    pub package_no: i32,
    pub carrier_name: String,
    pub tracking_no: String,
    /// Every unit of the order has left: it is `shipped` now.
    pub fully_shipped: bool,
}

/// Why an order completed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CompletionCause {
    /// The buyer confirmed receipt.
    Confirmed,
    /// Every package was signed for, and the merchant completes orders on delivery.
    Delivered,
    /// The days after shipping ran out (`complete_by`).
    Timeout,
    /// Nothing to send: virtual goods, handed over at payment.
    NothingToShip,
    /// Collected by the buyer at a pickup point, against the pickup code.
    PickedUp,
}

/// A completed order, keyed by its number (an order completes once).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrderCompleted {
    pub order_id: OrderId,
    pub order_no: String,
    pub member_id: MemberId,
    pub distributor_id: Option<DistributorId>,
    pub cause: CompletionCause,
    /// After-sales requests are taken until then (the merchant's time, as stored).
    pub after_sale_until: chrono::NaiveDateTime,
}

/// An after-sales request of a buyer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AfterSaleRequested {
    pub after_sale_id: AfterSaleId,
    pub order_id: OrderId,
    pub order_no: String,
    pub member_id: MemberId,
    /// `refund_only` or `return_and_refund`.
    pub kind: String,
    /// Fen asked back, freight included.
    pub amount_fen: i64,
}

crate::db::enums::db_enum! {
    /// Why money went back (also `refunds.cause`).
    #[derive(Serialize, Deserialize, utoipa::ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum RefundCause {
        /// An after-sales request was approved (and, for a return, the goods received).
        AfterSale,
        /// Staff cancelled the paid order before it shipped.
        OrderCancelled,
        /// A payment came for an order that was no longer waiting for one.
        LatePayment,
    }
}

/// What a refund gave back of one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundedLine {
    pub line_no: i32,
    pub sku_id: crate::db::ids::SkuId,
    /// Units whose money went back (0 for an amount without units).
    pub quantity: i64,
    /// Fen of the line's commission base given back.
    pub amount_fen: i64,
    /// Units back in stock: returned, or never shipped.
    pub restock_quantity: i64,
}

/// A completed refund, keyed by its number. Commission reverses each line's share in proportion
/// to `amount_fen` of the line's commission base.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RefundCompleted {
    pub refund_id: RefundId,
    pub refund_no: String,
    pub order_id: OrderId,
    pub order_no: String,
    pub member_id: MemberId,
    pub distributor_id: Option<DistributorId>,
    pub cause: RefundCause,
    pub after_sale_id: Option<AfterSaleId>,
    /// Fen given back in all, freight included.
    pub amount_fen: i64,
    pub freight_fen: i64,
    /// `sandbox`, `bank_transfer`, `alipay`, `wechat_pay`.
    pub method: String,
    /// Empty for a late payment, which paid no line.
    pub lines: Vec<RefundedLine>,
}

/// One paid order brought by a distributor. The order reference is the event's key: the
/// same order is credited once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SaleRecorded {
    pub distributor_id: DistributorId,
    pub order_ref: String,
    /// Fen, 0 to `money::MAX_FEN`.
    pub amount_fen: i64,
}

impl SaleRecorded {
    /// The longest order reference kept.
    pub const MAX_ORDER_REF_LEN: usize = 64;

    /// A sale with its facts checked: a reference of 1 to 64 characters, an amount from 0 to
    /// `MAX_FEN` (422 `invalid_sale_fact` otherwise).
    pub fn new(distributor_id: DistributorId, order_ref: &str, amount_fen: i64) -> AppResult<Self> {
        let invalid = |reason: &str| {
            AppError::unprocessable(ErrorCode::InvalidSaleFact.arg("reason", reason))
        };
        if order_ref.trim().is_empty() || order_ref.len() > Self::MAX_ORDER_REF_LEN {
            return Err(invalid("the order reference is empty or too long"));
        }
        if !(0..=MAX_FEN).contains(&amount_fen) {
            return Err(invalid("the amount is negative or too large"));
        }
        Ok(Self {
            distributor_id,
            order_ref: order_ref.to_owned(),
            amount_fen,
        })
    }
}

#[cfg(test)]
mod tests {
    use strum::IntoEnumIterator;

    use super::*;

    #[test]
    fn names_are_stable_and_distinct() {
        let names: Vec<&str> = EventKind::iter().map(EventKind::name).collect();
        assert_eq!(
            names,
            [
                "distributor.joined",
                "distributor.moved",
                "distributor.sale_recorded",
                "distributor.tier_changed",
                "order.cancelled",
                "order.placed",
                "order.paid",
                "order.shipped",
                "order.completed",
                "after_sale.requested",
                "refund.completed"
            ]
        );
        for kind in EventKind::iter() {
            assert_eq!(kind.name().parse::<EventKind>().ok(), Some(kind));
        }
    }

    #[test]
    fn an_event_reads_back_as_written() {
        let sale =
            DomainEvent::SaleRecorded(SaleRecorded::new(DistributorId(7), "SO-1", 12_850).unwrap());
        let payload = sale.payload().unwrap();
        assert_eq!(
            payload,
            r#"{"distributor_id":7,"order_ref":"SO-1","amount_fen":12850}"#
        );
        assert_eq!(
            DomainEvent::decode("distributor.sale_recorded", &payload).unwrap(),
            sale
        );
        assert_eq!(sale.key(), Some("SO-1"));
        assert!(DomainEvent::decode("distributor.unknown", &payload).is_err());
        assert!(DomainEvent::decode("distributor.joined", &payload).is_err());
    }

    #[test]
    fn a_sale_checks_its_facts() {
        for (order_ref, amount) in [("", 1), ("  ", 1), ("SO", -1), ("SO", MAX_FEN + 1)] {
            assert!(
                SaleRecorded::new(DistributorId(1), order_ref, amount).is_err(),
                "{order_ref:?}"
            );
        }
        assert!(SaleRecorded::new(DistributorId(1), &"x".repeat(65), 1).is_err());
        assert!(SaleRecorded::new(DistributorId(1), &"x".repeat(64), 0).is_ok());
    }
}
