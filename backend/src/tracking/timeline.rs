//! Each package's timeline: keeping the events trackers report (each once — a push repeats the
//! whole timeline), the package's state after them (`orders::shipping::record_tracking_state`,
//! which may complete the order on delivery), subscribing packages to Kuaidi100, refreshing a
//! timeline on demand, Kuaidi100's pushes and the generic signed webhook.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use utoipa::ToSchema;
use validator::Validate;

use super::kuaidi100::{self, Push};
use super::settings;
use crate::app::AppState;
use crate::clock;
use crate::crypto::{self, Cipher};
use crate::db::enums::db_enum;
use crate::db::ids::{MerchantId, OrderId, PackageId};
use crate::db::schema::{orders, package_events as pe};
use crate::db::{write_transaction, DbConnection};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::orders::shipping::{self, PackageRow, TrackingState};
use crate::secrets::SecretKey;

db_enum! {
    #[derive(Serialize, Deserialize, ToSchema)]
    #[serde(rename_all = "snake_case")]
    pub enum EventSource {
        Kuaidi100,
        /// The generic signed webhook.
        Webhook,
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = pe)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct EventRow {
    package_id: PackageId,
    state: TrackingState,
    description: String,
    location: Option<String>,
    occurred_at: NaiveDateTime,
    source: EventSource,
}

#[derive(Debug, Insertable)]
#[diesel(table_name = pe)]
struct EventInsertForm<'a> {
    merchant_id: MerchantId,
    package_id: PackageId,
    state: TrackingState,
    provider_state: Option<&'a str>,
    description: &'a str,
    location: Option<&'a str>,
    occurred_at: NaiveDateTime,
    source: EventSource,
    received_at: NaiveDateTime,
}

/// One event of a package's timeline.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TrackingEvent {
    pub state: TrackingState,
    #[schema(example = "【杭州市】快件已由本人签收")]
    pub description: String,
    pub location: Option<String>,
    pub occurred_at: DateTime<Utc>,
    pub source: EventSource,
}

/// The timelines of these packages, newest event first.
pub fn events_of(
    conn: &mut DbConnection,
    packages: &[PackageId],
) -> AppResult<BTreeMap<PackageId, Vec<TrackingEvent>>> {
    let rows: Vec<EventRow> = pe::table
        .filter(pe::package_id.eq_any(packages))
        .order((pe::occurred_at.desc(), pe::id.desc()))
        .select(EventRow::as_select())
        .load(conn)?;
    let mut by_package: BTreeMap<PackageId, Vec<TrackingEvent>> = BTreeMap::new();
    for r in rows {
        by_package
            .entry(r.package_id)
            .or_default()
            .push(TrackingEvent {
                state: r.state,
                description: r.description,
                location: r.location,
                occurred_at: clock::to_utc(r.occurred_at),
                source: r.source,
            });
    }
    Ok(by_package)
}

/// An event as a tracker reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEvent {
    pub state: TrackingState,
    pub provider_state: Option<String>,
    pub description: String,
    pub location: Option<String>,
    pub occurred_at: NaiveDateTime,
}

/// Keeps the events not kept yet and sets the package's state — the tracker's word for it now,
/// else its latest event's — in one write transaction; answers how many events were new.
pub(crate) fn keep(
    conn: &mut DbConnection,
    package: &PackageRow,
    events: &[NewEvent],
    source: EventSource,
    state_now: Option<TrackingState>,
    now: NaiveDateTime,
) -> AppResult<usize> {
    write_transaction(conn, |conn| {
        let mut new = 0;
        for e in events {
            let description: String = e.description.chars().take(500).collect();
            let kept: i64 = pe::table
                .filter(pe::package_id.eq(package.id))
                .filter(pe::occurred_at.eq(e.occurred_at))
                .filter(pe::description.eq(&description))
                .count()
                .get_result(conn)?;
            if kept > 0 {
                continue;
            }
            diesel::insert_into(pe::table)
                .values(EventInsertForm {
                    merchant_id: package.merchant_id,
                    package_id: package.id,
                    state: e.state,
                    provider_state: e.provider_state.as_deref(),
                    description: &description,
                    location: e.location.as_deref(),
                    occurred_at: e.occurred_at,
                    source,
                    received_at: now,
                })
                .execute(conn)?;
            new += 1;
        }
        let latest = events.iter().max_by_key(|e| e.occurred_at);
        if let Some(state) = state_now.or(latest.map(|e| e.state)) {
            let at = latest.map_or(now, |e| e.occurred_at);
            shipping::record_tracking_state(conn, package.merchant_id, package.id, state, at, now)?;
        }
        Ok(new)
    })
}

/// The events of a Kuaidi100 timeline (lines with a time it cannot read are dropped, logged).
fn kuaidi100_events(timeline: &kuaidi100::Timeline) -> Vec<NewEvent> {
    let overall = timeline.state.as_deref().and_then(kuaidi100::state_of);
    timeline
        .data
        .iter()
        .filter_map(|t| {
            let when = if t.ftime.is_empty() {
                &t.time
            } else {
                &t.ftime
            };
            let Some(occurred_at) = kuaidi100::utc_of(when) else {
                tracing::warn!(time = %when, "a Kuaidi100 trace without a readable time");
                return None;
            };
            let state = t
                .status_code
                .as_deref()
                .and_then(kuaidi100::state_of)
                .or(overall)
                .unwrap_or(TrackingState::InTransit);
            Some(NewEvent {
                state,
                provider_state: t.status_code.clone().or(timeline.state.clone()),
                description: t.context.clone(),
                location: t.area_name.clone(),
                occurred_at,
            })
        })
        .collect()
}

/// The salt Kuaidi100 signs a package's pushes with: derived from the installation's secret and
/// the package's token, so it is never stored and differs per package.
pub fn push_salt(secret: &SecretKey, token: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.expose())
        .unwrap_or_else(|_| unreachable!("HMAC takes a key of any length"));
    mac.update(b"fenxiao kuaidi100 salt v1 ");
    mac.update(token.as_bytes());
    crypto::hex(&mac.finalize().into_bytes())[..32].to_owned()
}

/// Where Kuaidi100 pushes a package's timeline.
pub const PUSH_PATH: &str = "/api/v1/tracking/kuaidi100";

/// The recipient's phone as Kuaidi100 asks for it (SF checks the last four digits).
fn phone_of(conn: &mut DbConnection, order_id: OrderId) -> AppResult<Option<String>> {
    let phone: Option<String> = orders::table
        .filter(orders::id.eq(order_id))
        .select(orders::phone)
        .first(conn)?;
    Ok(phone.map(|p| p.chars().filter(char::is_ascii_digit).collect()))
}

/// Subscribes the order's packages that are not yet to the merchant's Kuaidi100 account, if it
/// has one; `origin` is this server as the world reaches it. Best effort: a failure is logged,
/// and the package can be subscribed again (or refreshed by hand).
pub async fn subscribe_order(
    state: &actix_web::web::Data<AppState>,
    origin: &str,
    merchant_id: MerchantId,
    order_id: OrderId,
) {
    let cipher = state.cipher.clone();
    let prepared = state
        .db(move |conn| {
            let Some(account) = settings::kuaidi100(conn, &cipher, merchant_id)? else {
                return Ok(None);
            };
            let phone = phone_of(conn, order_id)?;
            let packages: Vec<PackageRow> = shipping::of_order_rows(conn, order_id)?
                .into_iter()
                .filter(|p| p.subscribed_at.is_none())
                .collect();
            let mut tokens = Vec::with_capacity(packages.len());
            for p in packages {
                let token = shipping::tracking_token(
                    conn,
                    p.id,
                    &uuid::Uuid::new_v4().simple().to_string(),
                )?;
                tokens.push((p, token));
            }
            Ok(Some((account, phone, tokens)))
        })
        .await;
    let (account, phone, tokens) = match prepared {
        Ok(Some(found)) => found,
        Ok(None) => return,
        Err(err) => {
            tracing::warn!(error = %err, "preparing a Kuaidi100 subscription failed");
            return;
        }
    };
    for (package, token) in tokens {
        let callback = format!("{origin}{PUSH_PATH}/{token}");
        let salt = push_salt(&state.jwt_secret, &token);
        let subscribed = kuaidi100::subscribe(
            &state.config.kuaidi100_api_base,
            &account,
            &kuaidi100::company(&package.carrier_code),
            &package.tracking_no,
            phone.as_deref(),
            &callback,
            &salt,
        )
        .await;
        match subscribed {
            Ok(()) => {
                let id = package.id;
                let marked = state
                    .db(move |conn| shipping::mark_subscribed(conn, id, Some(clock::now())))
                    .await;
                if let Err(err) = marked {
                    tracing::warn!(error = %err, "noting a Kuaidi100 subscription failed");
                }
            }
            Err(err) => {
                tracing::warn!(package = package.id.get(), error = %err, "Kuaidi100 subscription failed");
            }
        }
    }
}

/// Asks Kuaidi100 for the package's timeline now and keeps what is new. 422
/// `tracker_not_configured` without a Kuaidi100 account; 502 when Kuaidi100 fails.
pub async fn refresh(
    state: &actix_web::web::Data<AppState>,
    merchant_id: MerchantId,
    order_id: OrderId,
    package_id: PackageId,
) -> AppResult<()> {
    let cipher = state.cipher.clone();
    let (account, package, phone) = state
        .db(move |conn| {
            let package = shipping::package(conn, merchant_id, package_id)?;
            if package.order_id != order_id {
                return Err(AppError::NotFound);
            }
            let account = settings::kuaidi100(conn, &cipher, merchant_id)?
                .ok_or_else(|| AppError::unprocessable(ErrorCode::TrackerNotConfigured))?;
            let phone = phone_of(conn, order_id)?;
            Ok((account, package, phone))
        })
        .await?;
    let timeline = kuaidi100::query(
        &state.config.kuaidi100_api_base,
        &account,
        &kuaidi100::company(&package.carrier_code),
        &package.tracking_no,
        phone.as_deref(),
    )
    .await?;
    let events = kuaidi100_events(&timeline);
    let state_now = timeline.state.as_deref().and_then(kuaidi100::state_of);
    state
        .db(move |conn| {
            keep(
                conn,
                &package,
                &events,
                EventSource::Kuaidi100,
                state_now,
                clock::now(),
            )
        })
        .await?;
    Ok(())
}

fn invalid_signature() -> AppError {
    AppError::AuthFailed(ErrorCode::InvalidSignature.into())
}

/// What a Kuaidi100 push did.
#[derive(Debug, Clone)]
pub struct PushHandled {
    pub merchant_id: MerchantId,
    pub order_id: OrderId,
    /// Kuaidi100 gave up on the package (`abort`): it is to be subscribed again.
    pub resubscribe: bool,
}

/// A Kuaidi100 push to the package `token` names: `sign` must be the upper-case MD5 of `param`
/// and the package's salt (else 401 `invalid_signature`, nothing kept); its events are kept once.
pub fn handle_push(
    conn: &mut DbConnection,
    secret: &SecretKey,
    token: &str,
    param: &str,
    sign: &str,
    now: NaiveDateTime,
) -> AppResult<PushHandled> {
    let package = shipping::package_by_token(conn, token).map_err(|e| match e {
        AppError::NotFound => invalid_signature(),
        other => other,
    })?;
    let expected = kuaidi100::push_sign(param, &push_salt(secret, token));
    let given = sign.trim().to_ascii_uppercase();
    if !same(expected.as_bytes(), given.as_bytes()) {
        tracing::warn!(
            package = package.id.get(),
            "a Kuaidi100 push that does not verify"
        );
        return Err(invalid_signature());
    }
    let push: Push =
        serde_json::from_str(param).map_err(|e| AppError::MalformedBody(e.to_string()))?;
    let events = kuaidi100_events(&push.last_result);
    let state_now = push
        .last_result
        .state
        .as_deref()
        .and_then(kuaidi100::state_of);
    keep(
        conn,
        &package,
        &events,
        EventSource::Kuaidi100,
        state_now,
        now,
    )?;
    let resubscribe = push.status == "abort";
    if resubscribe {
        shipping::mark_subscribed(conn, package.id, None)?;
    }
    Ok(PushHandled {
        merchant_id: package.merchant_id,
        order_id: package.order_id,
        resubscribe,
    })
}

/// Equal bytes, compared in time that does not depend on where they differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The header of the generic webhook's signature (`t=…,v1=…`, as [`crypto::sign_body`]).
pub const WEBHOOK_SIGNATURE_HEADER: &str = "Fenxiao-Tracking-Signature";
/// How far a webhook push's time may be from the server's.
pub const WEBHOOK_TOLERANCE_SECS: i64 = 300;

/// An event as any tracker pushes it to the generic webhook.
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookEvent {
    pub state: TrackingState,
    #[validate(length(min = 1, max = 500))]
    pub description: String,
    #[validate(length(max = 100))]
    pub location: Option<String>,
    pub occurred_at: DateTime<Utc>,
}

/// A push to the generic webhook: which package (the carrier's code and the tracking number),
/// its events, and its state now (else its latest event's).
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookPush {
    #[schema(example = "SF")]
    pub carrier_code: String,
    #[schema(example = "SF1234567890")]
    pub tracking_no: String,
    pub state: Option<TrackingState>,
    #[validate(length(min = 1, max = 200), nested)]
    pub events: Vec<WebhookEvent>,
}

/// A push to the merchant's generic webhook: signed with the merchant's webhook secret over the
/// raw body (else 401 `invalid_signature`, nothing kept, also when the merchant has no secret).
pub fn handle_webhook(
    conn: &mut DbConnection,
    cipher: &Cipher,
    slug: &str,
    header: Option<&str>,
    body: &[u8],
    now: NaiveDateTime,
) -> AppResult<usize> {
    let merchant_id =
        crate::tenancy::merchant::open_shop_id(conn, slug).map_err(|_| invalid_signature())?;
    let secret =
        settings::webhook_secret(conn, cipher, merchant_id)?.ok_or_else(invalid_signature)?;
    if !crypto::verify_body(
        secret.as_bytes(),
        header,
        body,
        now.and_utc().timestamp(),
        WEBHOOK_TOLERANCE_SECS,
    ) {
        tracing::warn!(
            merchant = merchant_id.get(),
            "a tracking webhook push that does not verify"
        );
        return Err(invalid_signature());
    }
    let push: WebhookPush =
        serde_json::from_slice(body).map_err(|e| AppError::MalformedBody(e.to_string()))?;
    push.validate().map_err(AppError::from)?;
    let package = shipping::package_by_tracking_no(
        conn,
        merchant_id,
        &push.carrier_code.trim().to_ascii_uppercase(),
        push.tracking_no.trim(),
    )
    .map_err(|e| match e {
        AppError::NotFound => AppError::unprocessable(ErrorCode::UnknownPackage),
        other => other,
    })?;
    let events: Vec<NewEvent> = push
        .events
        .iter()
        .map(|e| NewEvent {
            state: e.state,
            provider_state: None,
            description: e.description.trim().to_owned(),
            location: e.location.clone(),
            occurred_at: e.occurred_at.naive_utc(),
        })
        .collect();
    keep(
        conn,
        &package,
        &events,
        EventSource::Webhook,
        push.state,
        now,
    )
}

/// The timelines of an order a distributor brought, for that distributor (the member signed
/// in); anyone else's order is not found.
pub fn for_distributor(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    member_id: crate::db::ids::MemberId,
    order_id: OrderId,
) -> AppResult<Vec<shipping::Package>> {
    let mine = crate::network::queries::distributor_of_member(conn, merchant_id, member_id)?
        .ok_or(AppError::NotFound)?;
    let brought: Option<crate::db::ids::DistributorId> = orders::table
        .filter(orders::merchant_id.eq(merchant_id))
        .filter(orders::id.eq(order_id))
        .select(orders::distributor_id)
        .first(conn)?;
    if brought != Some(mine) {
        return Err(AppError::NotFound);
    }
    shipping::of_order(conn, order_id)
}
