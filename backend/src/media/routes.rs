//! HTTP routes of media: upload through the API, files served under `/media`.

use actix_files::NamedFile;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{post, web, HttpRequest, HttpResponse};

use super::Media;
use crate::app::AppState;
use crate::auth::permissions::need;
use crate::auth::principal::Allowed;
use crate::clock;
use crate::error::{AppError, AppResult, ProblemBody};
use crate::http::upload::Upload;

/// Upload an image
///
/// The body is the image itself (`Content-Type: image/png`, `image/jpeg`, `image/gif` or
/// `image/webp`), at most 5 MiB by default. The bytes decide: a file that is not one of those
/// images is refused with 415 whatever its name or declared type.
#[utoipa::path(
    tag = "catalog",
    security(("bearer" = [])),
    request_body(content = Vec<u8>, content_type = "image/png", description = "The image bytes"),
    responses(
        (status = 201, description = "Stored (the same image again answers the same record)", body = Media),
        (status = 401, description = "Not signed in", body = ProblemBody, content_type = "application/problem+json"),
        (status = 403, description = "Needs `catalog.write`", body = ProblemBody, content_type = "application/problem+json"),
        (status = 413, description = "Too large", body = ProblemBody, content_type = "application/problem+json"),
        (status = 415, description = "Not a PNG, JPEG, GIF or WebP image", body = ProblemBody, content_type = "application/problem+json"),
    )
)]
#[post("/media")]
pub async fn upload_media(
    state: web::Data<AppState>,
    caller: Allowed<need::CatalogWrite>,
    upload: Upload,
) -> AppResult<HttpResponse> {
    if !upload.content_type.starts_with("image/") {
        return Err(AppError::UnsupportedMediaType {
            expected: "a PNG, JPEG, GIF or WebP image",
        });
    }
    let p = caller.0;
    let store = state.media.clone();
    let media = state
        .db(move |conn| super::upload(conn, store.as_ref(), &p, &upload.bytes, clock::now()))
        .await?;
    Ok(HttpResponse::Created().json(media))
}

/// Serves a stored file. Keys name their content, so the answer may be cached forever.
pub async fn serve_media(
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (merchant, file) = path.into_inner();
    let local = state
        .media
        .local_path(&format!("{merchant}/{file}"))
        .ok_or(AppError::NotFound)?;
    let named = NamedFile::open(local).map_err(|_| AppError::NotFound)?;
    let mut response = named.into_response(&req);
    let headers = response.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=31536000, immutable"),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    Ok(response)
}
