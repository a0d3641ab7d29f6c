//! Terminal formatting helpers.

use std::io::IsTerminal;

/// Whether standard output is a terminal (colours, bold).
pub fn stdout_is_terminal() -> bool {
    std::io::stdout().is_terminal()
}

/// Formats an integer with thousands separators.
pub fn thousands(n: u64) -> String {
    indicatif::HumanCount(n).to_string()
}

/// Renders a snippet's HTML for a terminal: marks become bold (or nothing), entities decoded.
pub fn snippet_text(html: &str, bold: bool) -> String {
    let (on, off) = if bold {
        ("\x1b[1m", "\x1b[0m")
    } else {
        ("", "")
    };
    html.replace("<mark>", on)
        .replace("</mark>", off)
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
        .replace('\n', " ")
}

/// Formats a byte count for people.
pub fn human_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut value = bytes as f64;
    let mut unit = 0;
    while value >= 1000.0 && unit < UNITS.len() - 1 {
        value /= 1000.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{bytes} B")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// Ends a command that printed to stdout: a reader that went away (`| head`) is not an error.
pub fn finish_output(printed: std::io::Result<()>) -> anyhow::Result<i32> {
    match printed {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(e.into()),
        _ => Ok(0),
    }
}
