//! What answers when no route matched: the SPA (static files with the client-side route fallback:
//! `shop.html` for the shopper's pages under `/shop/`, `index.html` for the console) for page
//! requests, and a problem document (404, or 405 when the path exists under another
//! method) for everything else, including every unknown `/api` path.

use std::path::{Path, PathBuf};

use actix_files::NamedFile;
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::Method;
use actix_web::{web, HttpRequest, HttpResponse};

use crate::error::AppError;

/// The built SPA directory, when it holds an `index.html` (the console's entry; a `shop.html` beside
/// it is the entry of the shopper's pages).
#[derive(Debug, Clone)]
pub struct Frontend {
    root: PathBuf,
}

impl Frontend {
    pub fn new(dir: &Path) -> Option<Self> {
        dir.join("index.html").is_file().then(|| Frontend {
            root: dir.to_path_buf(),
        })
    }

    /// Maps a request path to a file under the root, refusing anything that could leave it.
    fn file_for(&self, request_path: &str) -> Option<PathBuf> {
        let relative = request_path.trim_start_matches('/');
        if relative.is_empty() {
            return None;
        }
        let mut path = self.root.clone();
        for segment in relative.split('/') {
            let safe = !segment.is_empty()
                && !segment.starts_with('.')
                && segment.bytes().all(|b| {
                    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'@' | b'~')
                });
            if !safe {
                return None;
            }
            path.push(segment);
        }
        path.is_file().then_some(path)
    }

    /// The HTML entry that answers a client-side route: `shop.html` for the shopper's pages
    /// (`/shop` and below), when the build has it; `index.html`, the console, for the rest.
    fn page_for(&self, request_path: &str) -> PathBuf {
        let shop = request_path == "/shop" || request_path.starts_with("/shop/");
        let shop_page = self.root.join("shop.html");
        if shop && shop_page.is_file() {
            shop_page
        } else {
            self.root.join("index.html")
        }
    }

    fn serve(&self, req: &HttpRequest) -> Option<HttpResponse> {
        let request_path = req.path();
        let (file, cache) = match self.file_for(request_path) {
            Some(file) => {
                let cache = if request_path.starts_with("/assets/") {
                    // Vite puts a content hash in every asset name.
                    "public, max-age=31536000, immutable"
                } else {
                    "public, max-age=3600"
                };
                (file, cache)
            }
            // A path whose last segment looks like a file name is a missing file; anything else
            // is a client-side route of the SPA.
            None if last_segment_has_extension(request_path) => return None,
            None => (self.page_for(request_path), "no-cache"),
        };
        let named = NamedFile::open(&file).ok()?;
        let mut response = named.into_response(req);
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
        Some(response)
    }
}

fn last_segment_has_extension(path: &str) -> bool {
    path.rsplit('/').next().is_some_and(|s| s.contains('.'))
}

fn is_api_path(path: &str) -> bool {
    path == "/api" || path.starts_with("/api/")
}

pub async fn fallback(
    req: HttpRequest,
    frontend: Option<web::Data<Frontend>>,
) -> Result<HttpResponse, AppError> {
    let path = req.path();
    let reads = req.method() == Method::GET || req.method() == Method::HEAD;
    if reads && !is_api_path(path) {
        if let Some(response) = frontend.as_ref().and_then(|f| f.serve(&req)) {
            return Ok(response);
        }
    }
    if req.resource_map().has_resource(path) {
        Err(AppError::MethodNotAllowed)
    } else {
        Err(AppError::NotFound)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_paths_never_leave_the_root() {
        let dir = std::env::temp_dir().join(format!("fenxiao-spa-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(dir.join("assets")).unwrap();
        std::fs::write(dir.join("index.html"), "<html></html>").unwrap();
        std::fs::write(dir.join("assets/app-1.js"), "x").unwrap();
        let frontend = Frontend::new(&dir).unwrap();
        assert!(frontend.file_for("/assets/app-1.js").is_some());
        assert!(frontend.file_for("/assets/../index.html").is_none());
        assert!(frontend.file_for("/%2e%2e/etc/passwd").is_none());
        assert!(frontend.file_for("/.env").is_none());
        assert!(frontend.file_for("//etc/passwd").is_none());
        assert!(frontend.file_for("/").is_none());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn shop_routes_get_the_shop_entry_and_the_rest_the_console() {
        let dir = std::env::temp_dir().join(format!("fenxiao-spa-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("index.html"), "console").unwrap();
        let frontend = Frontend::new(&dir).unwrap();
        // A build without the shop entry answers every route with the console.
        assert_eq!(frontend.page_for("/shop/tea/join"), dir.join("index.html"));
        std::fs::write(dir.join("shop.html"), "shop").unwrap();
        assert_eq!(frontend.page_for("/shop/tea/join"), dir.join("shop.html"));
        assert_eq!(frontend.page_for("/shop"), dir.join("shop.html"));
        assert_eq!(frontend.page_for("/shop/"), dir.join("shop.html"));
        assert_eq!(frontend.page_for("/shopping"), dir.join("index.html"));
        assert_eq!(
            frontend.page_for("/products/12/edit"),
            dir.join("index.html")
        );
        assert_eq!(
            frontend.page_for("/distributors/shop/1"),
            dir.join("index.html")
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn api_paths_are_never_the_spa() {
        assert!(is_api_path("/api"));
        assert!(is_api_path("/api/v1/x"));
        assert!(!is_api_path("/apiary"));
        assert!(last_segment_has_extension("/assets/x.js"));
        assert!(!last_segment_has_extension("/orders/12"));
    }
}
