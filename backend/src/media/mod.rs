//! Uploaded images: checked by their bytes (PNG, JPEG, GIF, WebP; a renamed text file is refused
//! with 415), size-limited, stored by content through a storage interface, served with long-lived
//! cache headers (the key is the content's hash, so a stored file never changes).

pub mod routes;
pub mod store;

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::auth::principal::Principal;
use crate::clock;
use crate::db::ids::MerchantId;
use crate::db::schema::media;
use crate::db::{write_transaction, DbConnection};
use crate::error::{AppError, AppResult};
use store::MediaStore;

/// Where stored files are served.
pub const MEDIA_PATH: &str = "/media";

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Media {
    pub id: i64,
    /// Where the image is served; cacheable forever.
    #[schema(example = "/media/1/6b86b273ff34fce1.png")]
    pub url: String,
    #[schema(example = "image/png")]
    pub content_type: String,
    pub size_bytes: i64,
    pub width: i32,
    pub height: i32,
    pub created_at: DateTime<Utc>,
}

/// The image formats accepted, recognised by their bytes.
pub fn sniff(bytes: &[u8]) -> Option<(&'static str, &'static str)> {
    match imagesize::image_type(bytes).ok()? {
        imagesize::ImageType::Png => Some(("image/png", "png")),
        imagesize::ImageType::Jpeg => Some(("image/jpeg", "jpg")),
        imagesize::ImageType::Gif => Some(("image/gif", "gif")),
        imagesize::ImageType::Webp => Some(("image/webp", "webp")),
        _ => None,
    }
}

fn not_an_image() -> AppError {
    AppError::UnsupportedMediaType {
        expected: "a PNG, JPEG, GIF or WebP image",
    }
}

pub fn url_for(key: &str) -> String {
    format!("{MEDIA_PATH}/{key}")
}

/// A row of `media` (without its tenant).
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = media)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite, diesel::pg::Pg))]
struct MediaRow {
    id: i64,
    storage_key: String,
    content_type: String,
    size_bytes: i64,
    width: i32,
    height: i32,
    created_at: NaiveDateTime,
}

/// A newly stored image.
#[derive(Debug, Insertable)]
#[diesel(table_name = media)]
struct MediaInsertForm<'a> {
    merchant_id: MerchantId,
    storage_key: &'a str,
    content_type: &'a str,
    size_bytes: i64,
    width: i32,
    height: i32,
    created_at: NaiveDateTime,
}

fn to_media(row: MediaRow) -> Media {
    Media {
        id: row.id,
        url: url_for(&row.storage_key),
        content_type: row.content_type,
        size_bytes: row.size_bytes,
        width: row.width,
        height: row.height,
        created_at: clock::to_utc(row.created_at),
    }
}

pub fn find_many(
    conn: &mut DbConnection,
    merchant_id: MerchantId,
    ids: &[i64],
) -> AppResult<Vec<Media>> {
    let rows: Vec<MediaRow> = media::table
        .filter(media::merchant_id.eq(merchant_id))
        .select(MediaRow::as_select())
        .filter(media::id.eq_any(ids))
        .load(conn)?;
    Ok(rows.into_iter().map(to_media).collect())
}

/// Checks and stores an upload; uploading the same image twice answers the same record.
pub fn upload(
    conn: &mut DbConnection,
    store: &dyn MediaStore,
    caller: &Principal,
    bytes: &[u8],
    now: NaiveDateTime,
) -> AppResult<Media> {
    let merchant_id = caller.tenant()?;
    let (content_type, extension) = sniff(bytes).ok_or_else(not_an_image)?;
    // A header that parses but dimensions that do not is not an image either.
    let size = imagesize::blob_size(bytes).map_err(|_| not_an_image())?;
    let (width, height) = (
        i32::try_from(size.width).map_err(|_| not_an_image())?,
        i32::try_from(size.height).map_err(|_| not_an_image())?,
    );
    if width == 0 || height == 0 {
        return Err(not_an_image());
    }
    // The first 16 bytes of the digest, in hex.
    let hash = format!("{:.32x}", Sha256::digest(bytes));
    let key = format!("{merchant_id}/{hash}.{extension}");
    store.put(&key, bytes).map_err(AppError::internal)?;
    write_transaction(conn, |conn| {
        let existing: Option<MediaRow> = media::table
            .filter(media::merchant_id.eq(merchant_id))
            .select(MediaRow::as_select())
            .filter(media::storage_key.eq(&key))
            .first(conn)
            .optional()?;
        if let Some(row) = existing {
            return Ok(to_media(row));
        }
        let id: i64 = diesel::insert_into(media::table)
            .values(MediaInsertForm {
                merchant_id,
                storage_key: &key,
                content_type,
                size_bytes: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
                width,
                height,
                created_at: now,
            })
            .returning(media::id)
            .get_result(conn)?;
        crate::audit::record(
            conn,
            &caller.audit_actor(),
            &caller.client,
            crate::audit::AuditEntry::new("media.uploaded").target("media", id),
            now,
        )?;
        let row: MediaRow = media::table
            .filter(media::merchant_id.eq(merchant_id))
            .select(MediaRow::as_select())
            .filter(media::id.eq(id))
            .first(conn)?;
        Ok(to_media(row))
    })
}

/// Registers this module's routes (and so their OpenAPI paths) under the API prefix.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(routes::upload_media);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The smallest valid PNG: 1×1, one grey pixel.
    pub const PNG_1X1: &[u8] = &[
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44,
        0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00, 0x00, 0x3A,
        0x7E, 0x9B, 0x55, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0x60,
        0x00, 0x00, 0x00, 0x02, 0x00, 0x01, 0x48, 0xAF, 0xA4, 0x71, 0x00, 0x00, 0x00, 0x00, 0x49,
        0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ];

    #[test]
    fn images_are_recognised_by_their_bytes() {
        assert_eq!(sniff(PNG_1X1), Some(("image/png", "png")));
        assert_eq!(
            sniff(b"GIF89a\x01\x00\x01\x00\x00\x00\x00"),
            Some(("image/gif", "gif"))
        );
        assert_eq!(sniff(b"hello, I am a PNG, honestly"), None);
        assert_eq!(sniff(b"%PDF-1.7"), None);
        assert_eq!(sniff(b""), None);
    }
}
