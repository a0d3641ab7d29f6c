//! The library's one error type.

use std::path::PathBuf;

/// Everything that can go wrong in the library, with the offending value attached.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file or directory could not be read or written. (The I/O error is in the message and
    /// not a `source`: a printed chain would say it twice.)
    #[error("cannot access `{path}`: {error}")]
    Io {
        /// The path that failed.
        path: PathBuf,
        /// The underlying I/O error.
        error: std::io::Error,
    },
    /// There is no index at the given directory.
    #[error(
        "no index at `{path}`: index some articles first with `dateline index FILE…` or try `dateline demo`"
    )]
    IndexNotFound {
        /// The directory that was expected to hold an index.
        path: PathBuf,
    },
    /// Another process holds the index writer lock.
    #[error(
        "index `{path}` is locked by another writer: wait for the other `dateline index` to finish"
    )]
    IndexLocked {
        /// The index directory.
        path: PathBuf,
    },
    /// The index directory holds something that is not a Dateline index.
    #[error("`{path}` is not a Dateline index ({reason}): choose another directory with `--index`")]
    NotAnIndex {
        /// The directory.
        path: PathBuf,
        /// Why it was rejected.
        reason: String,
    },
    /// The user's query could not be parsed.
    #[error("query syntax error at position {position}: {message}")]
    QuerySyntax {
        /// 1-based character position in the query.
        position: usize,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A request parameter has a value that cannot be used.
    #[error("invalid `{name}`: {message}")]
    InvalidParameter {
        /// The parameter name (`size`, `sort`, `from`, …).
        name: String,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A facet name that does not exist.
    #[error("unknown facet `{name}`: use person, place, org, source or language")]
    UnknownFacet {
        /// The name asked for.
        name: String,
    },
    /// A page before the first or beyond the deepest that can be paged to.
    #[error("page `{page}` is out of range: {message}")]
    PageOutOfRange {
        /// The page asked for.
        page: usize,
        /// What the limit is and what to do instead.
        message: String,
    },
    /// A line of the user's entity corrections file cannot be applied.
    #[error("corrections file `{path}`, line {line}: {message}")]
    Corrections {
        /// The file.
        path: String,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A date could not be understood.
    #[error(
        "bad date `{value}`: use YYYY-MM-DD or an RFC 3339 timestamp like 2024-06-19T09:30:00Z"
    )]
    BadDate {
        /// The text that was not a date.
        value: String,
    },
    /// No article has this id.
    #[error("no article with id `{id}`")]
    ArticleNotFound {
        /// The id that was looked up.
        id: String,
    },
    /// No story has this id.
    #[error(
        "no story with id `{id}` (stories are recomputed by `dateline reindex`: search again for its articles)"
    )]
    StoryNotFound {
        /// The id that was looked up.
        id: String,
    },
    /// Analysing one article (language detection, entity tagging) failed inside Dateline: that
    /// article is skipped, the rest goes on.
    #[error(
        "Dateline failed while analysing article `{id}` ({message}): skipped; please report it"
    )]
    AnalysisFailed {
        /// The article's id.
        id: String,
        /// What failed.
        message: String,
    },
    /// The disk holding the index has no space left.
    #[error(
        "the disk holding the index `{path}` is full: free some space and run the same command again (everything committed is kept; this run's partial files are removed then)"
    )]
    DiskFull {
        /// The index directory.
        path: PathBuf,
    },
    /// The state database (saved searches, history) cannot be read or written.
    #[error("the state database `{path}` cannot be used: {message}")]
    State {
        /// The database file.
        path: PathBuf,
        /// What SQLite said, or what is wrong with what it holds.
        message: String,
    },
    /// No saved search has this id.
    #[error("no saved search with id {id}: `dateline saved list` shows them")]
    SavedSearchNotFound {
        /// The id that was looked up.
        id: i64,
    },
    /// A saved search with this name exists already.
    #[error("a saved search named `{name}` exists already: choose another name or change that one")]
    SavedSearchExists {
        /// The name.
        name: String,
    },
    /// The system's random number source failed (feed secrets cannot be made).
    #[error("the system's random number source failed: {message}")]
    Random {
        /// What failed.
        message: String,
    },
    /// An error from the tantivy search library.
    /// (Its message is in ours and not a `source`: a printed chain would say it twice.)
    #[error("index error: {0}")]
    Tantivy(tantivy::TantivyError),
}

impl Error {
    /// Returns a stable snake_case code for this error, used by the HTTP API.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Io { .. } => "io_error",
            Error::IndexNotFound { .. } => "index_not_found",
            Error::IndexLocked { .. } => "index_locked",
            Error::NotAnIndex { .. } => "not_an_index",
            Error::QuerySyntax { .. } => "query_syntax",
            Error::InvalidParameter { .. } => "invalid_parameter",
            Error::UnknownFacet { .. } => "unknown_facet",
            Error::PageOutOfRange { .. } => "page_out_of_range",
            Error::BadDate { .. } => "bad_date",
            Error::Corrections { .. } => "bad_corrections",
            Error::ArticleNotFound { .. } => "article_not_found",
            Error::StoryNotFound { .. } => "story_not_found",
            Error::AnalysisFailed { .. } => "analysis_failed",
            Error::DiskFull { .. } => "disk_full",
            Error::State { .. } => "state_error",
            Error::SavedSearchNotFound { .. } => "saved_search_not_found",
            Error::SavedSearchExists { .. } => "saved_search_exists",
            Error::Random { .. } => "random_failed",
            Error::Tantivy(_) => "index_error",
        }
    }

    /// Whether the error is the asker's to fix (a query or a parameter that cannot be used): the
    /// HTTP API answers these with a 4xx status, everything else with a 5xx.
    pub fn is_users(&self) -> bool {
        matches!(
            self,
            Error::QuerySyntax { .. }
                | Error::InvalidParameter { .. }
                | Error::UnknownFacet { .. }
                | Error::PageOutOfRange { .. }
                | Error::BadDate { .. }
                | Error::ArticleNotFound { .. }
                | Error::StoryNotFound { .. }
                | Error::SavedSearchNotFound { .. }
                | Error::SavedSearchExists { .. }
        )
    }

    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, error: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            error,
        }
    }

    /// Wraps an error of the state database.
    pub fn state(path: &std::path::Path, error: rusqlite::Error) -> Self {
        Error::State {
            path: path.to_path_buf(),
            message: error.to_string(),
        }
    }

    /// Builds an [`Error::InvalidParameter`].
    pub fn invalid(name: &str, message: impl Into<String>) -> Self {
        Error::InvalidParameter {
            name: name.to_string(),
            message: message.into(),
        }
    }
}

/// The library's result type.
pub type Result<T> = std::result::Result<T, Error>;

impl From<tantivy::TantivyError> for Error {
    fn from(error: tantivy::TantivyError) -> Self {
        Error::Tantivy(error)
    }
}
