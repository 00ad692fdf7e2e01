//! Every stable error `code` the API answers, as one enum.
//!
//! Clients branch on these codes, never on texts, so a code is never renamed or reused for another
//! meaning. The texts of each code live in the catalogues beside this file (`texts/*.toml`), one per
//! language; `catalogue::tests` fails when a code lacks a text in any language.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A stable machine-readable error code: of a problem (`code`) or of one field (`errors[].code`).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    Serialize,
    Deserialize,
    ToSchema,
    strum::EnumIter,
    strum::EnumString,
    strum::IntoStaticStr,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ErrorCode {
    AccountDisabled,
    AccountLocked,
    AddressLimit,
    AddressRequired,
    AfterSaleClosed,
    AfterSaleNotOpen,
    AfterSaleOpenOnOrder,
    AfterSaleOverlap,
    AlreadyDistributor,
    AlreadyExists,
    AmbiguousProduct,
    ApplicationPending,
    BadGateway,
    BadRequest,
    BatchVoided,
    BindingChanged,
    BindingOwnTeam,
    CannotChangeSelf,
    CarrierCode,
    CarrierCodeTaken,
    CarrierUnavailable,
    CategoryCycle,
    CategoryNameTaken,
    CategoryNotEmpty,
    CityNotInProvince,
    CodeExists,
    CodesExhausted,
    #[serde(rename = "commission_total_over_100")]
    #[strum(serialize = "commission_total_over_100")]
    CommissionTotalOver100,
    ContestChanged,
    DateOutOfRange,
    DeliveryUnavailable,
    Depth3AcknowledgementRequired,
    DistributorNotActive,
    DuplicateCode,
    DuplicateColumn,
    DuplicateKey,
    DuplicateLine,
    DuplicateMedia,
    DuplicateOption,
    DuplicateRegion,
    DuplicateRow,
    DuplicateSku,
    DuplicateSkuCode,
    DuplicateSpecValues,
    DuplicateTierPrice,
    Email,
    EmailNotVerified,
    EmailTaken,
    EntryModeNotEveryone,
    Forbidden,
    FreightTemplateInUse,
    FreightTemplateNameTaken,
    FreightTemplatesChanged,
    FreightTooLarge,
    IdempotencyKeyReused,
    ImmutableByImport,
    InconsistentCategory,
    InconsistentFreightTemplate,
    InsufficientStock,
    InternalError,
    InternalServerError,
    Invalid,
    InvalidApiKey,
    InvalidCategory,
    InvalidCell,
    InvalidCode,
    InvalidCredentials,
    InvalidCursor,
    InvalidFile,
    InvalidInteger,
    InvalidKey,
    InvalidMfaCode,
    InvalidMoney,
    InvalidOption,
    InvalidPercent,
    InvalidQuery,
    InvalidRefreshToken,
    InvalidSaleFact,
    InvalidSignature,
    InvalidSlug,
    InvalidSpecNames,
    InvalidSpecValues,
    InvalidStatus,
    InvalidTags,
    InvalidTierPrices,
    InvalidTimezone,
    InvalidToken,
    InvalidTransition,
    InvalidType,
    InvalidValue,
    InvitationPending,
    KindImmutable,
    LastPickupPoint,
    Length,
    LoginTaken,
    MalformedBody,
    MemberDisabled,
    MerchantSuspended,
    MethodNotAllowed,
    MfaAlreadyEnabled,
    MfaChallengeInvalid,
    MfaEnrolmentRequired,
    MfaNotEnrolling,
    MissingColumn,
    MoneyNegative,
    MoneyPrecision,
    MoneyTooLarge,
    MoveBindsOwnTeam,
    MustBePositive,
    NoPickupPoints,
    NotADistributor,
    NotAllowed,
    NotFound,
    NotVirtualSku,
    NothingToOrder,
    NothingToRefund,
    NothingToShip,
    OptionsNotAllowed,
    OptionsRequired,
    OrderChanged,
    OrderTooLarge,
    OutOfRange,
    OutOfStock,
    OwnerNotAssignable,
    OwnerOnly,
    OwnerProtected,
    ParentEnded,
    PayloadTooLarge,
    PaymentAmountMismatch,
    PaymentMethodDisabled,
    PaymentMethodMisconfigured,
    PercentPrecision,
    PercentRange,
    PeriodOver,
    Phone,
    PickupCodeInvalid,
    PickupPointNameTaken,
    PickupPointRequired,
    PlatformReview,
    PresaleBelowSold,
    PresaleShipDateRequired,
    PrizeOverlap,
    ProductChanged,
    ProductStructureLocked,
    ProtectionExceedsValidity,
    Range,
    RangeReversed,
    RangeTooLong,
    RateLimited,
    ReferenceConflict,
    RefreshTokenReused,
    RefundMoreThanLeft,
    RegionNotDelivered,
    RequestFailed,
    RequestHeaderFieldsTooLarge,
    RequestTimeout,
    Required,
    ReservedSlug,
    ReturnMoreThanShipped,
    SaleAlreadyRecorded,
    SameTier,
    ScopeNotHeld,
    SelfBinding,
    SelfParent,
    ServiceUnavailable,
    SessionEnded,
    ShipMoreThanLeft,
    ShopAddressRequired,
    SingleLine,
    SkuCodeTaken,
    SkuHasCodes,
    SkuNotSold,
    SlugTaken,
    SpendThresholdNotMet,
    SponsorNotActive,
    StaffAcknowledgementRequired,
    StaffOnly,
    StockByAdjustment,
    StockChanged,
    TierChanged,
    TierInUse,
    TierLimit,
    TierNameTaken,
    TierRankTaken,
    TierSetMismatch,
    TiersChanged,
    TokenExpired,
    TokenUsed,
    TooLong,
    TooManyFields,
    TooManyOptions,
    TooManyRequests,
    TooManySkus,
    TrackerNotConfigured,
    TrackingNumber,
    TreeCycle,
    Unauthorized,
    UnknownCategory,
    UnknownColumn,
    UnknownDistributor,
    UnknownDistributorCode,
    UnknownField,
    UnknownFreightTemplate,
    UnknownMedia,
    UnknownMember,
    UnknownMerchant,
    UnknownPackage,
    UnknownPayment,
    UnknownRegion,
    UnknownSku,
    UnknownTier,
    UnsupportedMediaType,
    UriTooLong,
    Url,
    ValidationFailed,
    VirtualStock,
    WeakPassword,
    WrongAccountKind,
    WrongAction,
}

impl ErrorCode {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

impl std::fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for ErrorCode {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
mod tests {
    use std::str::FromStr;

    use strum::IntoEnumIterator;

    use super::*;

    #[test]
    fn codes_are_snake_case_and_round_trip() {
        for code in ErrorCode::iter() {
            let text = code.as_str();
            assert!(
                !text.is_empty()
                    && text
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'),
                "{text}"
            );
            assert_eq!(ErrorCode::from_str(text), Ok(code));
            let json = serde_json::to_value(code).unwrap_or_default();
            assert_eq!(json, serde_json::Value::String(text.to_owned()));
        }
    }
}
