//! A contest's status and what may be done in each. Staff decide the stored state (draft,
//! published, cancelled); scheduled, running and ended follow from the time, so no job has to
//! move a contest along for it to start or end on time.

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::db::enums::db_enum;

db_enum! {
    /// What staff decided, as stored.
    pub enum State {
        Draft,
        Published,
        Cancelled,
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema, strum::IntoStaticStr,
)]
#[strum(serialize_all = "snake_case")]
#[serde(rename_all = "snake_case")]
pub enum ContestStatus {
    /// Being prepared; distributors do not see it.
    Draft,
    /// Published, before its first day.
    Scheduled,
    /// Published, within its period: the leaderboard is live.
    Running,
    /// Published, after its last day: the ranking is final (frozen shortly after the end).
    Ended,
    /// Called off by staff.
    Cancelled,
}

impl ContestStatus {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// The status at `now` of a contest in `state` over `[starts_at, ends_at)`.
pub fn status(
    state: State,
    starts_at: NaiveDateTime,
    ends_at: NaiveDateTime,
    now: NaiveDateTime,
) -> ContestStatus {
    match state {
        State::Draft => ContestStatus::Draft,
        State::Cancelled => ContestStatus::Cancelled,
        State::Published if now < starts_at => ContestStatus::Scheduled,
        State::Published if now < ends_at => ContestStatus::Running,
        State::Published => ContestStatus::Ended,
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum Action {
    /// Change name, period, metric or prizes.
    Update,
    Publish,
    Cancel,
    Delete,
}

impl Action {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

/// The one table of what each status allows. A running contest keeps its rules (changing them
/// mid-way would be unfair to those competing), an ended one its result; a draft is deleted
/// rather than cancelled.
pub fn allows(status: ContestStatus, action: Action) -> bool {
    use Action::*;
    use ContestStatus::*;
    matches!(
        (status, action),
        (Draft, Update | Publish | Delete) | (Scheduled, Update | Cancel) | (Running, Cancel)
    )
}

/// Which ranking a contest shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RankingKind {
    /// Computed from the facts now (a draft's preview, a running contest, or an ended one
    /// whose ranking is not frozen yet).
    Live,
    /// Frozen at the end; never recomputed.
    Final,
    /// A cancelled contest ranks nobody.
    None,
}

pub fn ranking(status: ContestStatus, frozen: bool) -> RankingKind {
    match (status, frozen) {
        (_, true) => RankingKind::Final,
        (ContestStatus::Cancelled, false) => RankingKind::None,
        _ => RankingKind::Live,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use chrono::{Duration, NaiveDate};

    #[test]
    fn status_follows_the_clock() {
        let start = NaiveDate::from_ymd_opt(2026, 3, 1)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap();
        let end = start + Duration::days(7);
        let s = |state, now| status(state, start, end, now);
        assert_eq!(s(State::Draft, start), ContestStatus::Draft);
        assert_eq!(
            s(State::Published, start - Duration::seconds(1)),
            ContestStatus::Scheduled
        );
        assert_eq!(s(State::Published, start), ContestStatus::Running);
        assert_eq!(
            s(State::Published, end - Duration::microseconds(1)),
            ContestStatus::Running
        );
        assert_eq!(s(State::Published, end), ContestStatus::Ended);
        assert_eq!(s(State::Cancelled, end), ContestStatus::Cancelled);
    }

    #[test]
    fn the_table_of_actions() {
        use Action::*;
        use ContestStatus::*;
        let all = [Draft, Scheduled, Running, Ended, Cancelled];
        let allowed = |action| {
            all.into_iter()
                .filter(|s| allows(*s, action))
                .collect::<Vec<_>>()
        };
        assert_eq!(allowed(Update), [Draft, Scheduled]);
        assert_eq!(allowed(Publish), [Draft]);
        assert_eq!(allowed(Cancel), [Scheduled, Running]);
        assert_eq!(allowed(Delete), [Draft]);
    }
}
