//! The web front end, compiled into the binary so `dateline serve` works from any directory.

/// An embedded file: path under `/`, media type, content.
pub struct Asset {
    /// Path as requested (`/app.js`).
    pub path: &'static str,
    /// `Content-Type`.
    pub mime: &'static str,
    /// The bytes.
    pub body: &'static [u8],
}

/// Every file of `web/`.
pub const ASSETS: [Asset; 3] = [
    Asset {
        path: "/index.html",
        mime: "text/html; charset=utf-8",
        body: include_bytes!("../../web/index.html"),
    },
    Asset {
        path: "/app.js",
        mime: "text/javascript; charset=utf-8",
        body: include_bytes!("../../web/app.js"),
    },
    Asset {
        path: "/style.css",
        mime: "text/css; charset=utf-8",
        body: include_bytes!("../../web/style.css"),
    },
];

/// Returns the asset at `path`; `/` and unknown paths get `index.html`, so links into the page
/// (`/?q=…`) load it.
pub fn lookup(path: &str) -> &'static Asset {
    ASSETS.iter().find(|a| a.path == path).unwrap_or(&ASSETS[0])
}
