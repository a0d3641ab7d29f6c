//! Query-string parameters into requests. Parsed by hand rather than with serde so repeated
//! filters (`person=A&person=B`) work and an unknown parameter is an error, not silently ignored.

use crate::search::{
    CollapseBy, CountBy, ExportFormat, FacetField, Interval, Represent, SearchRequest, Sort,
};
use crate::server::error::ApiError;

/// Longest accepted query string, in bytes.
pub const MAX_QUERY_STRING: usize = 8 * 1024;

fn pairs(raw: &str) -> Result<Vec<(String, String)>, ApiError> {
    if raw.len() > MAX_QUERY_STRING {
        return Err(ApiError::bad_request(
            "request_too_large",
            format!(
                "the query string is {} bytes; the limit is {MAX_QUERY_STRING}",
                raw.len()
            ),
        ));
    }
    Ok(url::form_urlencoded::parse(raw.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect())
}

fn number<T: std::str::FromStr>(name: &str, value: &str) -> Result<T, ApiError> {
    value.trim().parse().map_err(|_| {
        ApiError::bad_request(
            "invalid_parameter",
            format!("invalid `{name}`: `{value}` is not a whole number"),
        )
    })
}

fn choice<T: clap::ValueEnum>(name: &str, value: &str) -> Result<T, ApiError> {
    T::from_str(value.trim(), true).map_err(|_| {
        let allowed: Vec<String> = T::value_variants()
            .iter()
            .filter_map(|v| v.to_possible_value().map(|p| p.get_name().to_string()))
            .collect();
        ApiError::bad_request(
            "invalid_parameter",
            format!(
                "invalid `{name}`: `{value}`; use one of {}",
                allowed.join(", ")
            ),
        )
    })
}

fn unknown(name: &str, known: &[&str]) -> ApiError {
    ApiError::bad_request(
        "unknown_parameter",
        format!("unknown parameter `{name}`: use {}", known.join(", ")),
    )
}

/// The parameters of `/api/search`, as an error lists them.
fn search_params() -> Vec<&'static str> {
    let mut known = with_filters(&["q"]);
    known.extend([
        "sort",
        "page",
        "size",
        "facets",
        "histogram",
        "collapse",
        "represent",
        "count",
    ]);
    known
}

/// Applies one search parameter; `false` when the name is not a search parameter.
fn search_param(request: &mut SearchRequest, name: &str, value: String) -> Result<bool, ApiError> {
    let text = |v: String| Some(v).filter(|v| !v.trim().is_empty());
    match name {
        "q" => request.q = value,
        "person" => request.person.push(value),
        "place" => request.place.push(value),
        "org" => request.org.push(value),
        "source" => request.source.push(value),
        "language" => request.language.push(value),
        "dateline_place" => request.dateline_place.push(value),
        "credit" => request.credit.push(value),
        "from" => request.from = text(value),
        "to" => request.to = text(value),
        "min_words" => request.min_words = Some(number(name, &value)?),
        "sort" => request.sort = choice::<Sort>(name, &value)?,
        "page" => request.page = number(name, &value)?,
        "size" => request.size = number(name, &value)?,
        "histogram" => request.histogram = choice::<Interval>(name, &value)?,
        "collapse" => request.collapse = choice::<CollapseBy>(name, &value)?,
        "represent" => request.represent = choice::<Represent>(name, &value)?,
        "count" => request.count = choice::<CountBy>(name, &value)?,
        "facets" => {
            request.facets = Some(
                value
                    .split(',')
                    .filter(|f| !f.trim().is_empty())
                    .map(FacetField::parse)
                    .collect::<crate::Result<Vec<_>>>()?,
            )
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// Parses the parameters of `/api/search`, with a citation to check (`snapshot` and
/// `result_hash`, both or neither).
pub fn search_request(raw: &str) -> Result<SearchRequest, ApiError> {
    let mut request = SearchRequest::default();
    let (mut snapshot, mut result_hash) = (None, None);
    for (name, value) in pairs(raw)? {
        match name.as_str() {
            "snapshot" => snapshot = Some(value),
            "result_hash" => result_hash = Some(value),
            _ => {
                if !search_param(&mut request, &name, value)? {
                    let mut known = search_params();
                    known.extend(["snapshot", "result_hash"]);
                    return Err(unknown(&name, &known));
                }
            }
        }
    }
    request.cited = match (snapshot, result_hash) {
        (None, None) => None,
        (Some(snapshot), Some(hash)) => Some(crate::search::Cited::parse(&snapshot, &hash)?),
        _ => {
            return Err(ApiError::bad_request(
                "invalid_parameter",
                "a citation has a `snapshot` and a `result_hash`: give both, as the citation does",
            ));
        }
    };
    Ok(request)
}

/// A saved search's body: its name, its request, and what to do with its webhook (`None`:
/// leave it; `Some(None)`: remove it, `"webhook": null` or `""`).
pub struct SavedBody {
    /// The name.
    pub name: String,
    /// The search.
    pub request: SearchRequest,
    /// The webhook.
    pub webhook: Option<Option<String>>,
}

/// Parses the JSON body of `POST /api/saved` and `PUT /api/saved/{id}`: `"name"`, an optional
/// `"webhook"`, and the parameters of `/api/search` under the same names, each a string, a
/// number or (for those that repeat) a list of them.
pub fn saved_body(body: &[u8]) -> Result<SavedBody, ApiError> {
    let invalid = |message: String| ApiError::bad_request("invalid_body", message);
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| invalid(format!("the body is not JSON: {e}")))?;
    let serde_json::Value::Object(fields) = value else {
        return Err(invalid(
            "the body must be a JSON object: {\"name\": …, \"q\": …}".to_string(),
        ));
    };
    let mut name = None;
    let mut webhook = None;
    let mut request = SearchRequest::default();
    for (key, value) in fields {
        if key == "webhook" {
            webhook = Some(match value {
                serde_json::Value::Null => None,
                serde_json::Value::String(text) if text.trim().is_empty() => None,
                serde_json::Value::String(text) => Some(text),
                _ => return Err(invalid("`webhook` must be an address or null".to_string())),
            });
            continue;
        }
        if key == "name" {
            match value {
                serde_json::Value::String(text) => name = Some(text),
                _ => return Err(invalid("`name` must be a string".to_string())),
            }
            continue;
        }
        let values = match value {
            serde_json::Value::Array(items) => items,
            one => vec![one],
        };
        for value in values {
            let text = match value {
                serde_json::Value::String(text) => text,
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Bool(b) => b.to_string(),
                _ => {
                    return Err(invalid(format!(
                        "`{key}` must be a string, a number or a list of them"
                    )));
                }
            };
            if !search_param(&mut request, &key, text)? {
                let mut known = vec!["name", "webhook"];
                known.extend(search_params());
                return Err(unknown(&key, &known));
            }
        }
    }
    let name = name.ok_or_else(|| invalid("the body needs a `name`".to_string()))?;
    Ok(SavedBody {
        name,
        request,
        webhook,
    })
}

/// The filters every endpoint that counts or lists articles takes.
const FILTER_PARAMS: [&str; 10] = [
    "person",
    "place",
    "org",
    "source",
    "language",
    "dateline_place",
    "credit",
    "from",
    "to",
    "min_words",
];

/// The parameters `own` of an endpoint, then the filters, for an error that lists them.
fn with_filters(own: &[&'static str]) -> Vec<&'static str> {
    own.iter().chain(&FILTER_PARAMS).copied().collect()
}

/// Parses the parameters of `/api/export`: the search's query and filters, and `format`.
pub fn export_request(raw: &str) -> Result<(SearchRequest, ExportFormat), ApiError> {
    let mut request = SearchRequest::default();
    let mut format = ExportFormat::Ndjson;
    let export_params = with_filters(&["q", "format"]);
    for (name, value) in pairs(raw)? {
        match name.as_str() {
            "format" => format = choice::<ExportFormat>("format", &value)?,
            "sort" | "page" | "size" | "facets" | "histogram" | "collapse" | "represent"
            | "count" => {
                return Err(unknown(&name, &export_params));
            }
            _ => {
                if !search_param(&mut request, &name, value)? {
                    return Err(unknown(&name, &export_params));
                }
            }
        }
    }
    Ok((request, format))
}

/// The parameters of `/api/batch`: the filters every term is counted within, how each line
/// is read (`as=query|phrase`) and, for a CSV body, the `column` of the terms.
pub struct BatchParams {
    /// Filters (no `q`: the terms are the queries).
    pub base: SearchRequest,
    /// How each line is read.
    pub read_as: crate::search::TermsAs,
    /// The CSV column holding the terms.
    pub column: Option<String>,
}

/// Parses the parameters of `/api/batch`.
pub fn batch_request(raw: &str) -> Result<BatchParams, ApiError> {
    let batch_params = with_filters(&["as", "column"]);
    let mut params = BatchParams {
        base: SearchRequest::default(),
        read_as: crate::search::TermsAs::Query,
        column: None,
    };
    for (name, value) in pairs(raw)? {
        match name.as_str() {
            "as" => params.read_as = choice("as", &value)?,
            "column" => params.column = Some(value).filter(|v| !v.trim().is_empty()),
            "q" | "sort" | "page" | "size" | "facets" | "histogram" | "collapse" | "represent"
            | "count" => return Err(unknown(&name, &batch_params)),
            _ => {
                if !search_param(&mut params.base, &name, value)? {
                    return Err(unknown(&name, &batch_params));
                }
            }
        }
    }
    Ok(params)
}

/// The parameters of `/api/compare`: the queries (`q`, repeated), the filters they share, the
/// period and whether shares are wanted (`normalize=share`, the default, or `count`).
pub struct CompareParams {
    /// The queries, in order.
    pub queries: Vec<String>,
    /// The filters.
    pub base: SearchRequest,
    /// The period.
    pub histogram: crate::search::Interval,
    /// Whether each bucket's share is given.
    pub shares: bool,
}

/// Parses the parameters of `/api/compare`.
pub fn compare_request(raw: &str) -> Result<CompareParams, ApiError> {
    let compare_params = with_filters(&["q", "histogram", "normalize"]);
    let mut params = CompareParams {
        queries: Vec::new(),
        base: SearchRequest::default(),
        histogram: crate::search::Interval::Month,
        shares: true,
    };
    for (name, value) in pairs(raw)? {
        match name.as_str() {
            "q" => params.queries.push(value),
            "histogram" => params.histogram = choice("histogram", &value)?,
            "normalize" => {
                params.shares = match value.trim() {
                    "share" => true,
                    "count" => false,
                    _ => {
                        return Err(ApiError::bad_request(
                            "invalid_parameter",
                            format!("invalid `normalize`: `{value}`; use one of share, count"),
                        ));
                    }
                }
            }
            "sort" | "page" | "size" | "facets" | "collapse" | "represent" | "count" => {
                return Err(unknown(&name, &compare_params));
            }
            _ => {
                if !search_param(&mut params.base, &name, value)? {
                    return Err(unknown(&name, &compare_params));
                }
            }
        }
    }
    Ok(params)
}

/// The `size` of `/api/articles/{id}/similar` (default 10).
pub fn similar_size(raw: &str) -> Result<usize, ApiError> {
    let mut size = 10;
    for (name, value) in pairs(raw)? {
        match name.as_str() {
            "size" => size = number("size", &value)?,
            _ => return Err(unknown(&name, &["size"])),
        }
    }
    Ok(size)
}

/// Parameters of `/api/entities`.
#[derive(Debug, PartialEq)]
pub struct EntitiesRequest {
    /// Start of any word of the name.
    pub prefix: String,
    /// Types to look in.
    pub types: Vec<FacetField>,
    /// Most entities to return.
    pub size: usize,
}

/// Largest `size` of `/api/entities`.
pub const MAX_ENTITIES: usize = 100;

/// Parses the parameters of `/api/entities`.
pub fn entities_request(raw: &str) -> Result<EntitiesRequest, ApiError> {
    let mut request = EntitiesRequest {
        prefix: String::new(),
        types: vec![FacetField::Person, FacetField::Place, FacetField::Org],
        size: 10,
    };
    for (name, value) in pairs(raw)? {
        match name.as_str() {
            "prefix" => request.prefix = value,
            "type" => {
                let kind = FacetField::parse(&value)?;
                if !matches!(
                    kind,
                    FacetField::Person | FacetField::Place | FacetField::Org
                ) {
                    return Err(ApiError::bad_request(
                        "invalid_parameter",
                        format!("invalid `type`: `{value}`; use person, place or org"),
                    ));
                }
                request.types = vec![kind];
            }
            "size" => {
                request.size = number("size", &value)?;
                if request.size == 0 || request.size > MAX_ENTITIES {
                    return Err(ApiError::bad_request(
                        "invalid_parameter",
                        format!(
                            "invalid `size`: `{value}` is out of range: use 1 to {MAX_ENTITIES}"
                        ),
                    ));
                }
            }
            _ => return Err(unknown(&name, &["prefix", "type", "size"])),
        }
    }
    Ok(request)
}
