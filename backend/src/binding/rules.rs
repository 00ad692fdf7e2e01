//! The binding rules as one pure function: given the merchant's policy, the member's open
//! binding and a touch (a visit through a share link, registration through one, or staff's
//! assignment), decide whether the member is bound anew. No database, no clock: the service reads
//! the facts and applies the decision, and the tests walk every mode, validity and protection.

use chrono::{Duration, NaiveDateTime};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::enums::db_enum;
use crate::db::ids::{DistributorId, MemberId};

pub use crate::distribution::settings::BindingMode;

/// The binding settings of a merchant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    pub mode: BindingMode,
    /// A binding ends this many days after it started; `None`: permanent.
    pub validity_days: Option<u32>,
    /// For this many days after a binding started, no other link re-binds the member.
    pub protection_days: u32,
}

impl Default for Policy {
    /// What a merchant without settings gets: first touch, permanent, no protection.
    fn default() -> Self {
        Self {
            mode: BindingMode::FirstTouch,
            validity_days: None,
            protection_days: 0,
        }
    }
}

impl Policy {
    /// The end of validity of a binding starting at `starts_at`.
    pub fn ends_at(&self, starts_at: NaiveDateTime) -> Option<NaiveDateTime> {
        self.validity_days
            .map(|days| starts_at + Duration::days(i64::from(days)))
    }
}

db_enum! {
    /// What brought the member to the distributor.
    #[derive(Serialize, Deserialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum Source {
        /// A visit through the distributor's share link.
        Visit,
        /// Registration through the distributor's share link.
        Registration,
        /// Assigned by the merchant's staff.
        Staff,
    }
}

db_enum! {
    /// Why a binding was closed.
    #[derive(Serialize, Deserialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum EndReason {
        /// A newer link re-bound the member while this binding was in force (last touch).
        Superseded,
        /// Its validity had run out when another binding replaced it (it ended at `ends_at`).
        Expired,
        /// Staff assigned the member to another distributor.
        Reassigned,
        /// Staff released the member.
        Released,
        /// Distribution was ended for its distributor, and another link bound the member.
        DistributorEnded,
    }
}

/// The member's open binding (not closed; possibly past its validity).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Current {
    pub distributor_id: DistributorId,
    pub starts_at: NaiveDateTime,
    pub ends_at: Option<NaiveDateTime>,
    /// Distribution was ended for its distributor (a frozen one still holds its customers).
    pub distributor_ended: bool,
}

impl Current {
    /// In force at `at`: started, and validity not yet over (the end itself is outside).
    pub fn in_force_at(&self, at: NaiveDateTime) -> bool {
        self.starts_at <= at && self.ends_at.is_none_or(|end| at < end)
    }
}

/// The distributor whose link (or staff's choice) would bind the member.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    pub distributor_id: DistributorId,
    /// The member account of the distributor.
    pub member_id: MemberId,
    /// `active`; frozen and ended distributors do not bind.
    pub active: bool,
    /// The distributor is in the team of the member's own distributor profile (below it in the
    /// tree). Bound to them, the member's own purchases would pay commission up through their
    /// own team and back to themselves: a cycle in the commission chain.
    pub in_members_team: bool,
}

/// Why nothing changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kept {
    /// Already bound to this distributor (a repeated visit does not extend the validity).
    AlreadyBound,
    /// First touch: the binding in force stands.
    FirstTouch,
    /// Last touch, but the binding in force is within its protection days.
    Protected,
    /// Registration only: visits never bind.
    RegistrationOnly,
    /// The distributor is the member: nobody binds to themselves.
    OwnLink,
    /// The distributor is in the member's own team (the member is a distributor above them).
    OwnTeam,
    /// The distributor is frozen or ended.
    DistributorInactive,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Bind to the candidate from now, closing the open binding (if any) with this reason.
    Bind {
        closes: Option<EndReason>,
    },
    Keep(Kept),
}

/// Decides what a touch does. `member_id` is the member being bound.
pub fn decide(
    policy: &Policy,
    source: Source,
    member_id: MemberId,
    candidate: &Candidate,
    current: Option<&Current>,
    now: NaiveDateTime,
) -> Decision {
    if candidate.member_id == member_id {
        return Decision::Keep(Kept::OwnLink);
    }
    if candidate.in_members_team {
        return Decision::Keep(Kept::OwnTeam);
    }
    if !candidate.active {
        return Decision::Keep(Kept::DistributorInactive);
    }
    if source == Source::Visit && policy.mode == BindingMode::RegistrationOnly {
        return Decision::Keep(Kept::RegistrationOnly);
    }
    let holding = current.filter(|c| c.in_force_at(now) && !c.distributor_ended);
    let Some(holding) = holding else {
        // Nothing holds the member: bind, closing what is left open.
        let closes = current.map(|c| {
            if c.in_force_at(now) {
                EndReason::DistributorEnded
            } else {
                EndReason::Expired
            }
        });
        return Decision::Bind { closes };
    };
    if holding.distributor_id == candidate.distributor_id {
        return Decision::Keep(Kept::AlreadyBound);
    }
    if source == Source::Staff {
        return Decision::Bind {
            closes: Some(EndReason::Reassigned),
        };
    }
    match policy.mode {
        // Registration of a member who is somehow already bound: the binding in force stands.
        BindingMode::FirstTouch | BindingMode::RegistrationOnly => Decision::Keep(Kept::FirstTouch),
        BindingMode::LastTouch => {
            let protected_until =
                holding.starts_at + Duration::days(i64::from(policy.protection_days));
            if now < protected_until {
                Decision::Keep(Kept::Protected)
            } else {
                Decision::Bind {
                    closes: Some(EndReason::Superseded),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    const MEMBER: i64 = 7;
    const A: i64 = 100;
    const B: i64 = 200;

    fn t0() -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2026, 3, 1)
            .and_then(|d| d.and_hms_opt(9, 30, 0))
            .unwrap_or_default()
    }

    fn day(n: i64) -> NaiveDateTime {
        t0() + Duration::days(n)
    }

    fn micro() -> Duration {
        Duration::microseconds(1)
    }

    fn policy(mode: BindingMode, validity: Option<u32>, protection: u32) -> Policy {
        Policy {
            mode,
            validity_days: validity,
            protection_days: protection,
        }
    }

    fn cand(distributor_id: DistributorId) -> Candidate {
        Candidate {
            distributor_id,
            member_id: MemberId(distributor_id.get() + 1),
            active: true,
            in_members_team: false,
        }
    }

    /// A distributor in the member's own team (the member is a distributor above them).
    const DOWNLINE: i64 = 300;

    /// A's binding started at t0, valid per the policy.
    fn bound_to_a(p: &Policy) -> Current {
        Current {
            distributor_id: DistributorId(A),
            starts_at: t0(),
            ends_at: p.ends_at(t0()),
            distributor_ended: false,
        }
    }

    const BIND: Decision = Decision::Bind { closes: None };
    const SUPERSEDE: Decision = Decision::Bind {
        closes: Some(EndReason::Superseded),
    };
    const AFTER_EXPIRY: Decision = Decision::Bind {
        closes: Some(EndReason::Expired),
    };

    /// (mode, validity days, protection days, source, candidate, bound to A at t0?, now, expected)
    type Case = (
        BindingMode,
        Option<u32>,
        u32,
        Source,
        i64,
        bool,
        NaiveDateTime,
        Decision,
    );

    const REASSIGN: Decision = Decision::Bind {
        closes: Some(EndReason::Reassigned),
    };
    const STANDS: Decision = Decision::Keep(Kept::FirstTouch);
    const SAME: Decision = Decision::Keep(Kept::AlreadyBound);
    const PROTECTED: Decision = Decision::Keep(Kept::Protected);
    const REG_ONLY: Decision = Decision::Keep(Kept::RegistrationOnly);
    const OWN_TEAM: Decision = Decision::Keep(Kept::OwnTeam);

    #[test]
    fn the_table() {
        use BindingMode::*;
        use Source::*;
        #[rustfmt::skip]
        let cases: Vec<Case> = vec![
            // Unbound members are bound by any touch, except visits under registration_only.
            (FirstTouch, None, 0, Visit, A, false, t0(), BIND),
            (LastTouch, None, 0, Visit, A, false, t0(), BIND),
            (RegistrationOnly, None, 0, Visit, A, false, t0(), REG_ONLY),
            (RegistrationOnly, None, 0, Registration, A, false, t0(), BIND),
            (FirstTouch, None, 0, Registration, A, false, t0(), BIND),
            (LastTouch, Some(30), 7, Registration, A, false, t0(), BIND),
            // First touch, permanent: the first binding stands for ever.
            (FirstTouch, None, 0, Visit, B, true, day(1), STANDS),
            (FirstTouch, None, 0, Visit, B, true, day(10_000), STANDS),
            (FirstTouch, None, 0, Visit, A, true, day(1), SAME),
            // First touch, 30 days: stands until the end, which is outside its validity.
            (FirstTouch, Some(30), 0, Visit, B, true, day(30) - micro(), STANDS),
            (FirstTouch, Some(30), 0, Visit, B, true, day(30), AFTER_EXPIRY),
            (FirstTouch, Some(30), 0, Visit, B, true, day(45), AFTER_EXPIRY),
            // The same distributor binds again once the old binding expired (a new validity).
            (FirstTouch, Some(30), 0, Visit, A, true, day(30), AFTER_EXPIRY),
            // Protection days mean nothing to first touch.
            (FirstTouch, Some(30), 10, Visit, B, true, day(20), STANDS),
            // Last touch without protection: a newer link re-binds at once.
            (LastTouch, None, 0, Visit, B, true, t0(), SUPERSEDE),
            (LastTouch, None, 0, Visit, B, true, day(1), SUPERSEDE),
            (LastTouch, None, 0, Visit, A, true, day(1), SAME),
            // Last touch with 7 protection days: protected until exactly day 7.
            (LastTouch, None, 7, Visit, B, true, day(3), PROTECTED),
            (LastTouch, None, 7, Visit, B, true, day(7) - micro(), PROTECTED),
            (LastTouch, None, 7, Visit, B, true, day(7), SUPERSEDE),
            (LastTouch, Some(30), 7, Visit, B, true, day(29), SUPERSEDE),
            // Last touch, 30 days: after expiry a new link binds (closing the expired one).
            (LastTouch, Some(30), 7, Visit, B, true, day(30), AFTER_EXPIRY),
            // Protection longer than validity ends with the validity.
            (LastTouch, Some(5), 10, Visit, B, true, day(4), PROTECTED),
            (LastTouch, Some(5), 10, Visit, B, true, day(5), AFTER_EXPIRY),
            // Registration only: later visits never bind or re-bind, valid or expired.
            (RegistrationOnly, None, 0, Visit, B, true, day(1), REG_ONLY),
            (RegistrationOnly, Some(30), 0, Visit, B, true, day(31), REG_ONLY),
            (RegistrationOnly, Some(30), 0, Visit, A, true, day(31), REG_ONLY),
            // Staff assignment overrides mode and protection; a repeat changes nothing.
            (FirstTouch, None, 0, Staff, B, true, day(1), REASSIGN),
            (LastTouch, None, 30, Staff, B, true, day(1), REASSIGN),
            (RegistrationOnly, None, 0, Staff, B, true, day(1), REASSIGN),
            (RegistrationOnly, None, 0, Staff, B, false, day(1), BIND),
            (FirstTouch, Some(30), 0, Staff, B, true, day(30), AFTER_EXPIRY),
            (FirstTouch, None, 0, Staff, A, true, day(1), SAME),
            // A distributor in the member's own team never binds them, whoever asks, whether
            // the member is bound or not, in force or expired.
            (FirstTouch, None, 0, Visit, DOWNLINE, false, t0(), OWN_TEAM),
            (LastTouch, None, 0, Visit, DOWNLINE, true, day(1), OWN_TEAM),
            (LastTouch, Some(30), 0, Visit, DOWNLINE, true, day(31), OWN_TEAM),
            (RegistrationOnly, None, 0, Registration, DOWNLINE, false, t0(), OWN_TEAM),
            (FirstTouch, None, 0, Staff, DOWNLINE, true, day(1), OWN_TEAM),
        ];
        for (i, (mode, validity, protection, source, who, bound, now, expected)) in
            cases.into_iter().enumerate()
        {
            let p = policy(mode, validity, protection);
            let current = bound.then(|| bound_to_a(&p));
            let candidate = Candidate {
                in_members_team: who == DOWNLINE,
                ..cand(DistributorId(who))
            };
            let got = decide(
                &p,
                source,
                MemberId(MEMBER),
                &candidate,
                current.as_ref(),
                now,
            );
            assert_eq!(
                got, expected,
                "case {i}: {mode:?} validity {validity:?} protection {protection} {source:?} by {who} at {now}"
            );
        }
    }

    #[test]
    fn nobody_binds_to_themselves() {
        for mode in [
            BindingMode::FirstTouch,
            BindingMode::LastTouch,
            BindingMode::RegistrationOnly,
        ] {
            for source in [Source::Visit, Source::Registration, Source::Staff] {
                let own = Candidate {
                    distributor_id: DistributorId(A),
                    member_id: MemberId(MEMBER),
                    active: true,
                    in_members_team: false,
                };
                let p = policy(mode, None, 0);
                assert_eq!(
                    decide(&p, source, MemberId(MEMBER), &own, None, t0()),
                    Decision::Keep(Kept::OwnLink)
                );
            }
        }
    }

    #[test]
    fn frozen_or_ended_distributors_do_not_bind() {
        let inactive = Candidate {
            active: false,
            ..cand(DistributorId(B))
        };
        for mode in [BindingMode::FirstTouch, BindingMode::LastTouch] {
            let p = policy(mode, Some(30), 0);
            assert_eq!(
                decide(&p, Source::Visit, MemberId(MEMBER), &inactive, None, t0()),
                Decision::Keep(Kept::DistributorInactive)
            );
            let current = bound_to_a(&p);
            assert_eq!(
                decide(
                    &p,
                    Source::Visit,
                    MemberId(MEMBER),
                    &inactive,
                    Some(&current),
                    day(40)
                ),
                Decision::Keep(Kept::DistributorInactive),
                "not even after expiry"
            );
        }
    }

    #[test]
    fn a_binding_to_an_ended_distributor_holds_nobody() {
        let p = policy(BindingMode::FirstTouch, None, 0);
        let current = Current {
            distributor_ended: true,
            ..bound_to_a(&p)
        };
        assert_eq!(
            decide(
                &p,
                Source::Visit,
                MemberId(MEMBER),
                &cand(DistributorId(B)),
                Some(&current),
                day(1)
            ),
            Decision::Bind {
                closes: Some(EndReason::DistributorEnded)
            }
        );
        let p = policy(BindingMode::RegistrationOnly, None, 0);
        assert_eq!(
            decide(
                &p,
                Source::Visit,
                MemberId(MEMBER),
                &cand(DistributorId(B)),
                Some(&current),
                day(1)
            ),
            Decision::Keep(Kept::RegistrationOnly),
            "registration only still ignores visits"
        );
    }

    #[test]
    fn validity_counts_whole_days_from_the_start() {
        let p = policy(BindingMode::FirstTouch, Some(30), 0);
        assert_eq!(p.ends_at(t0()), Some(day(30)));
        assert_eq!(Policy::default().ends_at(t0()), None);
        let c = bound_to_a(&p);
        assert!(c.in_force_at(t0()));
        assert!(c.in_force_at(day(30) - micro()));
        assert!(!c.in_force_at(day(30)));
        assert!(!c.in_force_at(t0() - micro()));
    }
}
