//! `dateline search` and `dateline stats`.

use std::io::{self, Write};
use std::path::Path;

use clap::Args;
use dateline::Engine;
use dateline::search::{
    CollapseBy, CountBy, ExportFormat, FacetField, Hit, Interval, Lineage, Represent,
    SearchRequest, SearchResponse, Sort, Stats, StoryRef, write_header, write_row,
};
use dateline::stories::ChangeKind;

use super::output::{finish_output, human_bytes, snippet_text, stdout_is_terminal, thousands};

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The query (as for `search`; `*` for every article).
    #[arg(required = true, num_args = 1..)]
    query: Vec<String>,
    #[command(flatten)]
    filters: Filters,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ExportFormat::Ndjson)]
    format: ExportFormat,
}

/// Filters shared by `search` and `export`.
#[derive(Debug, Args)]
pub struct Filters {
    /// Only articles from this outlet (repeat for any of several).
    #[arg(long)]
    source: Vec<String>,
    /// Only articles in this language, ISO 639-1 (repeat for any of several).
    #[arg(long)]
    language: Vec<String>,
    /// Only articles datelined from this place (repeat for any of several).
    #[arg(long)]
    dateline_place: Vec<String>,
    /// Only articles crediting this agency or outlet (repeat for any of several).
    #[arg(long)]
    credit: Vec<String>,
    /// Only articles mentioning this person (repeat: all of them).
    #[arg(long)]
    person: Vec<String>,
    /// Only articles mentioning this place (repeat: all of them).
    #[arg(long)]
    place: Vec<String>,
    /// Only articles mentioning this organisation (repeat: all of them).
    #[arg(long)]
    org: Vec<String>,
    /// Published on or after (YYYY-MM-DD, YYYY-MM or YYYY).
    #[arg(long)]
    from: Option<String>,
    /// Published on or before (the whole day, month or year named).
    #[arg(long)]
    to: Option<String>,
    /// Only articles whose text has at least this many words (as `length>=N`).
    #[arg(long)]
    min_words: Option<u32>,
}

impl Filters {
    pub(super) fn apply(self, request: &mut SearchRequest) {
        request.person = self.person;
        request.place = self.place;
        request.org = self.org;
        request.source = self.source;
        request.language = self.language;
        request.dateline_place = self.dateline_place;
        request.credit = self.credit;
        request.from = self.from;
        request.min_words = self.min_words;
        request.to = self.to;
    }
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The query: words (all must match), "phrases", AND/OR/NOT, -word, (groups), field:value,
    /// published:[2024-06-01 TO 2024-06-30], or * for every article.
    #[arg(required = true, num_args = 1.., allow_hyphen_values = false)]
    query: Vec<String>,
    #[command(flatten)]
    filters: Filters,
    /// Result order.
    #[arg(long, value_enum, default_value_t = Sort::Relevance)]
    sort: Sort,
    /// Page number, from 1.
    #[arg(long, default_value_t = 1)]
    page: usize,
    /// Hits per page (at most 100).
    #[arg(long, default_value_t = 10)]
    size: usize,
    /// Facets to count, comma-separated (default: all; `--facets ""` for none).
    #[arg(long, value_delimiter = ',')]
    facets: Option<Vec<String>>,
    /// Date histogram bucket width.
    #[arg(long, value_enum, default_value_t = Interval::Month)]
    histogram: Interval,
    /// One hit per story: copies of an article that several outlets ran are listed once.
    #[arg(long)]
    collapse: bool,
    /// With --collapse, which version stands for each story.
    #[arg(long, value_enum, default_value_t = Represent::Earliest)]
    represent: Represent,
    /// What facets and the timeline count: articles, or stories (copies counted once).
    #[arg(long, value_enum, default_value_t = CountBy::Articles)]
    count: CountBy,
    /// Print the `/api/search` JSON response.
    #[arg(long)]
    pub(super) json: bool,
}

impl SearchArgs {
    pub(super) fn request(self) -> anyhow::Result<SearchRequest> {
        let facets = match self.facets {
            None => None,
            Some(names) => Some(
                names
                    .iter()
                    .filter(|n| !n.trim().is_empty())
                    .map(|n| FacetField::parse(n))
                    .collect::<dateline::Result<Vec<_>>>()?,
            ),
        };
        let mut request = SearchRequest {
            q: self.query.join(" "),
            sort: self.sort,
            page: self.page,
            size: self.size,
            facets,
            histogram: self.histogram,
            collapse: if self.collapse {
                CollapseBy::Story
            } else {
                CollapseBy::None
            },
            represent: self.represent,
            count: self.count,
            ..SearchRequest::default()
        };
        self.filters.apply(&mut request);
        Ok(request)
    }
}

pub fn run(index: &Path, args: SearchArgs) -> anyhow::Result<i32> {
    let json = args.json;
    let request = args.request()?;
    let engine = Engine::open(index)?;
    let response = engine.search(&request)?;
    let mut out = io::stdout().lock();
    let printed = if json {
        writeln!(out, "{}", serde_json::to_string_pretty(&response)?)
    } else {
        print_response(&mut out, &request, &response)
    };
    finish_output(printed)
}

fn print_response(
    out: &mut impl Write,
    request: &SearchRequest,
    response: &SearchResponse,
) -> io::Result<()> {
    let bold = stdout_is_terminal();
    let listed = response.stories.unwrap_or(response.total)
        + response.relaxed.as_ref().map_or(0, |r| r.more);
    let pages = listed.div_ceil(request.size as u64).max(1);
    let stories = match response.stories {
        Some(n) => format!(
            " in {} stor{}",
            thousands(n),
            if n == 1 { "y" } else { "ies" }
        ),
        None => String::new(),
    };
    writeln!(
        out,
        "{} article(s){stories} match `{}` ({} ms) — page {} of {}, by {}",
        thousands(response.total),
        request.q,
        response.took_ms,
        request.page,
        thousands(pages),
        clap::ValueEnum::to_possible_value(&request.sort)
            .map_or_else(String::new, |v| v.get_name().replace('_', " "))
    )?;
    if let Some(r) = &response.relaxed {
        writeln!(
            out,
            "{} more contain at least {} of the {} words: listed after the exact matches, each with the words it lacks",
            thousands(r.more),
            r.min_should_match,
            r.words
        )?;
    }
    let first_rank = (request.page - 1) * request.size;
    for (i, hit) in response.hits.iter().enumerate() {
        let title = if hit.title.is_empty() {
            "(no title)"
        } else {
            &hit.title
        };
        if bold {
            writeln!(out, "\n{:>3}. \x1b[1m{title}\x1b[0m", first_rank + i + 1)?;
        } else {
            writeln!(out, "\n{:>3}. {title}", first_rank + i + 1)?;
        }
        let date = hit.published.as_deref().map(|d| &d[..10]);
        let credit = hit.credit.as_ref().map(|c| format!("credit: {c}"));
        let meta: Vec<&str> = [
            hit.source.as_deref(),
            date,
            hit.dateline_place.as_deref(),
            credit.as_deref(),
            hit.language.as_deref(),
            Some(hit.id.as_str()),
        ]
        .into_iter()
        .flatten()
        .collect();
        writeln!(out, "     {}", meta.join(" · "))?;
        writeln!(out, "     {}", snippet_text(&hit.snippet, bold))?;
        if let Some(story) = hit.story.as_ref().filter(|s| s.versions > 1) {
            writeln!(out, "     {}", story_line(hit, story))?;
        }
        if !hit.missing.is_empty() {
            writeln!(out, "     missing: {}", hit.missing.join(", "))?;
        }
    }
    for (name, counts) in &response.facets {
        if counts.is_empty() {
            continue;
        }
        let listed: Vec<String> = counts
            .iter()
            .take(8)
            .map(|c| format!("{} ({})", c.value, thousands(c.count)))
            .collect();
        writeln!(out, "\n{name}: {}", listed.join(", "))?;
    }
    if !response.histogram.is_empty() {
        let max = response
            .histogram
            .iter()
            .map(|b| b.count)
            .max()
            .unwrap_or(1)
            .max(1);
        writeln!(
            out,
            "\ntimeline (by {}):",
            format!("{:?}", request.histogram).to_lowercase()
        )?;
        let shown = response.histogram.len().min(60);
        for bucket in &response.histogram[response.histogram.len() - shown..] {
            let width = (bucket.count * 40).div_ceil(max) as usize;
            writeln!(
                out,
                "  {}  {:<40} {}",
                bucket.date,
                "█".repeat(width),
                bucket.count
            )?;
        }
    }
    Ok(())
}

/// "story 1a2b…: 4 versions, first by Meridian Wire; also Pacific Dispatch, …".
fn story_line(hit: &Hit, story: &StoryRef) -> String {
    let first = match (&story.first, &story.first_source) {
        (Some(first), _) if *first == hit.id => "this is the first".to_string(),
        (Some(first), Some(source)) => format!("first by {source} ({first})"),
        (Some(first), None) => format!("first: {first}"),
        (None, _) => "no version is dated".to_string(),
    };
    let others: Vec<&str> = story
        .sources
        .iter()
        .map(String::as_str)
        .filter(|s| Some(*s) != hit.source.as_deref() && Some(*s) != story.first_source.as_deref())
        .collect();
    let also = if others.is_empty() {
        String::new()
    } else {
        format!("; also {}", others.join(", "))
    };
    format!(
        "story {}: {} versions, {first}{also}",
        story.id, story.versions
    )
}

pub fn story(index: &Path, id: &str, json: bool) -> anyhow::Result<i32> {
    let lineage = Engine::open(index)?.story(id)?;
    let mut out = io::stdout().lock();
    let printed = if json {
        writeln!(out, "{}", serde_json::to_string_pretty(&lineage)?)
    } else {
        print_lineage(&mut out, &lineage)
    };
    finish_output(printed)
}

pub fn similar(index: &Path, id: &str, size: usize, json: bool) -> anyhow::Result<i32> {
    let hits = Engine::open(index)?.similar(id, size)?;
    let mut out = io::stdout().lock();
    let printed = if json {
        writeln!(
            out,
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({ "hits": hits }))?
        )
    } else if hits.is_empty() {
        writeln!(out, "no other story on the subject of `{id}`")
    } else {
        hits.iter().enumerate().try_for_each(|(i, hit)| {
            let date = hit.published.as_deref().map_or("undated", |d| &d[..10]);
            let versions = hit
                .story
                .as_ref()
                .filter(|s| s.versions > 1)
                .map_or(String::new(), |s| format!(" · {} versions", s.versions));
            writeln!(
                out,
                "{:>3}. {} — {} · {date}{versions} · {}",
                i + 1,
                hit.title,
                hit.source.as_deref().unwrap_or("(no outlet)"),
                hit.id
            )
        })
    };
    finish_output(printed)
}

/// "2 h 5 min", "40 min", "3 d 4 h".
fn duration(seconds: i64) -> String {
    let minutes = seconds / 60;
    match minutes {
        m if m < 60 => format!("{m} min"),
        m if m < 24 * 60 => format!("{} h {} min", m / 60, m % 60),
        m => format!("{} d {} h", m / (24 * 60), m / 60 % 24),
    }
}

fn print_lineage(out: &mut impl Write, lineage: &Lineage) -> io::Result<()> {
    let first = lineage.articles.first();
    let outlets: Vec<&str> = {
        let mut seen = Vec::new();
        for source in lineage.articles.iter().filter_map(|a| a.source.as_deref()) {
            if !seen.contains(&source) {
                seen.push(source);
            }
        }
        seen
    };
    let last = lineage
        .articles
        .iter()
        .filter_map(|a| a.after_first_seconds)
        .max();
    write!(out, "story {}: {} version(s)", lineage.id, lineage.versions)?;
    match (&lineage.first, first) {
        (Some(id), Some(article)) => write!(
            out,
            ", first published by {} ({id}) on {}",
            article.source.as_deref().unwrap_or("an unknown outlet"),
            article
                .published
                .as_deref()
                .map_or("", |p| &p[..16])
                .replace('T', " ")
        )?,
        _ => write!(out, ", none dated")?,
    }
    match last {
        Some(last) if outlets.len() > 1 => {
            writeln!(out, "; {} outlets within {}", outlets.len(), duration(last))?
        }
        _ => writeln!(out)?,
    }
    for article in &lineage.articles {
        let when = match article.after_first_seconds {
            Some(0) if article.changes.is_none() => "first".to_string(),
            Some(seconds) => format!("+{}", duration(seconds)),
            None => "undated".to_string(),
        };
        writeln!(
            out,
            "\n  {when:<12} {} · {} · {}",
            article.source.as_deref().unwrap_or("(no outlet)"),
            article.title,
            article.id
        )?;
        let Some(changes) = &article.changes else {
            continue;
        };
        if changes.identical {
            writeln!(out, "               same text")?;
            continue;
        }
        let mut summary = vec![format!(
            "{} paragraph(s) added, {} removed",
            changes.paragraphs_added, changes.paragraphs_removed
        )];
        if changes.reordered {
            summary.push(format!(
                "paragraphs reordered ({} sentence(s) moved)",
                changes.sentences_moved
            ));
        }
        writeln!(out, "               {}", summary.join("; "))?;
        for change in &changes.sentences {
            let sign = match change.change {
                ChangeKind::Added => '+',
                ChangeKind::Removed => '-',
            };
            writeln!(out, "               {sign} {}", change.text)?;
        }
    }
    if lineage.articles.len() < lineage.versions as usize {
        writeln!(
            out,
            "\n  … and {} more version(s)",
            lineage.versions as usize - lineage.articles.len()
        )?;
    }
    Ok(())
}

pub fn stats(index: &Path, json: bool) -> anyhow::Result<i32> {
    let stats = Engine::open(index)?.stats()?;
    let mut out = io::stdout().lock();
    let printed = if json {
        writeln!(out, "{}", serde_json::to_string_pretty(&stats)?)
    } else {
        print_stats(&mut out, index, &stats)
    };
    finish_output(printed)
}

fn print_stats(out: &mut impl Write, index: &Path, stats: &Stats) -> io::Result<()> {
    writeln!(
        out,
        "index `{}`: {} articles, {} on disk, {} segment(s)",
        index.display(),
        thousands(stats.articles),
        human_bytes(stats.index_bytes),
        stats.segments
    )?;
    match (&stats.first_published, &stats.last_published) {
        (Some(first), Some(last)) => writeln!(
            out,
            "published {} to {} ({} undated)",
            &first[..10],
            &last[..10],
            thousands(stats.undated)
        ),
        _ => writeln!(out, "no article has a publication date"),
    }?;
    for (title, counts) in [("sources", &stats.sources), ("languages", &stats.languages)] {
        writeln!(out, "\n{title}:")?;
        for c in counts {
            writeln!(out, "  {:>9}  {}", thousands(c.count), c.value)?;
        }
    }
    Ok(())
}

pub fn export(index: &Path, args: ExportArgs) -> anyhow::Result<i32> {
    let mut request = SearchRequest::query(args.query.join(" "));
    args.filters.apply(&mut request);
    let engine = Engine::open(index)?;
    let mut out = io::stdout().lock();
    let mut buffer = Vec::with_capacity(64 * 1024);
    write_header(args.format, &mut buffer);
    let mut failed: Option<io::Error> = None;
    let exported = engine.export(&request, &mut |article| {
        write_row(args.format, &article, &mut buffer);
        if buffer.len() < 64 * 1024 {
            return true;
        }
        let written = out.write_all(&buffer);
        buffer.clear();
        written.map_err(|e| failed = Some(e)).is_ok()
    })?;
    let written = match failed {
        Some(e) => Err(e),
        None => out.write_all(&buffer).and_then(|_| out.flush()),
    };
    if written.is_ok() {
        eprintln!("exported {} article(s)", thousands(exported));
    }
    finish_output(written)
}
