//! The write path: one tantivy `IndexWriter`, upsert by id, periodic commits.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tantivy::directory::error::LockError;
use tantivy::{
    Index, IndexReader, IndexWriter, ReloadPolicy, Searcher, TantivyDocument, TantivyError, Term,
};
use xxhash_rust::xxh3::xxh3_128;

use crate::analysis::detect_language;
use crate::article::Article;
use crate::entities::Tagger;
use crate::index::stamp::IndexClock;
use crate::index::{Fields, to_document};
use crate::stories::{Signature, StoryDetector};
use crate::{Error, Result};

/// How the writer may use the machine.
#[derive(Debug, Clone)]
pub struct IndexerOptions {
    /// Total memory budget of the writer, in bytes, whatever the corpus size.
    pub memory_bytes: usize,
    /// Indexing threads (tantivy's writer threads).
    pub threads: usize,
    /// Commit after this many articles, so a crash loses at most that many.
    pub commit_every: usize,
    /// The user's entity corrections file, applied to the built-in gazetteer.
    pub corrections: Option<PathBuf>,
    /// Also find names the gazetteer does not know, with the statistical model (English).
    pub statistical_entities: bool,
    /// Group copies of one article into stories as they are indexed (off: every article is
    /// a story of its own, and later copies cannot find it).
    pub stories: bool,
}

impl Default for IndexerOptions {
    fn default() -> Self {
        IndexerOptions {
            memory_bytes: 256 << 20,
            threads: std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
                .min(8),
            commit_every: 100_000,
            corrections: None,
            statistical_entities: false,
            stories: true,
        }
    }
}

/// Whether an added article was new or replaced an article with the same id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Upsert {
    /// No article had this id.
    Added,
    /// An article with this id was replaced.
    Replaced,
}

/// Adds articles to an index: language detection, document building, upsert by id.
pub struct Indexer {
    dir: PathBuf,
    fields: Fields,
    writer: IndexWriter,
    /// The index as committed before this run, to tell new articles from replacements.
    before: Searcher,
    /// Hashes of the ids written in this run.
    seen: HashSet<u128>,
    commit_every: usize,
    uncommitted: usize,
    tagger: Arc<Tagger>,
    statistical: bool,
    /// Finds each article's story; `None` when stories are off or the index predates them.
    stories: Option<StoryDetector>,
    /// Sees each commit of this run, for `stories`.
    reader: IndexReader,
    /// Time spent detecting languages and tagging entities.
    analysis_time: Duration,
    /// Stamps each article's `indexed_at`.
    clock: IndexClock,
}

impl Indexer {
    /// Opens (or creates) the index in `dir` for writing. Fails with [`Error::IndexLocked`] when
    /// another writer holds it.
    pub fn open(dir: &Path, options: &IndexerOptions) -> Result<Indexer> {
        let (index, fields) = crate::index::open_or_create(dir)?;
        Self::with_index(dir, index, fields, options)
    }

    fn with_index(
        dir: &Path,
        index: Index,
        fields: Fields,
        options: &IndexerOptions,
    ) -> Result<Indexer> {
        let threads = options.threads.max(1);
        let writer = index
            .writer_with_num_threads(threads, options.memory_bytes)
            .map_err(|e| match e {
                TantivyError::LockFailure(LockError::LockBusy, _) => Error::IndexLocked {
                    path: dir.to_path_buf(),
                },
                other => Error::from(other),
            })?;
        // What a killed run or a full disk left behind (segment files no commit refers to,
        // temporary files) goes now, before this run adds to the index.
        writer.garbage_collect_files().wait()?;
        crate::index::remove_leftovers(dir);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let before = reader.searcher();
        let stories = match (&fields.stories, options.stories) {
            (Some(story_fields), true) => Some(StoryDetector::new(*story_fields, &before)?),
            _ => None,
        };
        let tagger = Tagger::with_corrections(options.corrections.as_deref())?;
        let clock = IndexClock::after(&before, fields.indexed_at);
        Ok(Indexer {
            dir: dir.to_path_buf(),
            fields,
            writer,
            before,
            seen: HashSet::new(),
            commit_every: options.commit_every.max(1),
            uncommitted: 0,
            tagger,
            statistical: options.statistical_entities,
            stories,
            reader,
            analysis_time: Duration::ZERO,
            clock,
        })
    }

    /// Time spent so far detecting languages and tagging entities (the rest of [`Indexer::add`]
    /// is tantivy's).
    pub fn analysis_time(&self) -> Duration {
        self.analysis_time
    }

    /// Returns the index directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Adds an article, replacing any article with the same id. Detects the language when the
    /// article does not give one; tags its people, places and organisations. Commits when `commit_every` articles are pending.
    pub fn add(&mut self, article: Article) -> Result<Upsert> {
        self.add_signed(article, None)
    }

    /// Whether articles are grouped into stories (and so need a text signature).
    pub fn finds_stories(&self) -> bool {
        self.stories.is_some()
    }

    /// [`Indexer::add`], with the body's text signature when the caller computed it already
    /// (`None`: computed here, when stories are on).
    pub fn add_signed(&mut self, article: Article, signature: Option<Signature>) -> Result<Upsert> {
        self.add_stamped(article, signature, None)
    }

    /// [`Indexer::add_signed`], keeping the `indexed_at` stamp the article already had
    /// (re-indexing: an article re-tagged in place is not new coverage).
    fn add_stamped(
        &mut self,
        mut article: Article,
        signature: Option<Signature>,
        indexed_at: Option<tantivy::DateTime>,
    ) -> Result<Upsert> {
        let started = Instant::now();
        // Analysis is our own code on the article's text: a failure there skips the article.
        let analysed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let language = match &article.language {
                Some(language) => Some(language.clone()),
                None => detect_language(&article.title, &article.body),
            };
            let entities = self.tagger.tag_article(
                &article.title,
                &article.body,
                language.as_deref(),
                self.statistical,
            );
            (language, entities)
        }));
        let (language, entities) = analysed.map_err(|panic| Error::AnalysisFailed {
            id: article.id.clone(),
            message: crate::ingest::panic_message(&*panic),
        })?;
        article.language = language;
        let id_term = Term::from_field_text(self.fields.id, &article.id);
        let first_this_run = self.seen.insert(xxh3_128(article.id.as_bytes()));
        let existed = !first_this_run || self.before.doc_freq(&id_term)? > 0;
        if existed {
            self.writer.delete_term(id_term);
        }
        let story = match &mut self.stories {
            Some(detector) => {
                let published = article.published.map(|p| p.unix_timestamp());
                let signature = signature.unwrap_or_else(|| Signature::of(&article.body));
                Some(detector.assign(
                    &article.id,
                    article.source.as_deref(),
                    &signature,
                    published,
                )?)
            }
            None => None,
        };
        self.analysis_time += started.elapsed();
        let indexed_at = indexed_at.unwrap_or_else(|| self.clock.stamp());
        let added = self.writer.add_document(to_document(
            &self.fields,
            &article,
            &entities,
            story.as_ref(),
            indexed_at,
        ));
        added.map_err(|e| self.explained(e))?;
        self.uncommitted += 1;
        if self.uncommitted >= self.commit_every {
            self.commit()?;
        }
        Ok(if existed {
            Upsert::Replaced
        } else {
            Upsert::Added
        })
    }

    /// Re-tags every article the index held when this indexer opened, from its stored text
    /// (after the corrections file changed), replacing each in place. Returns how many.
    pub fn reindex(&mut self, on_article: &mut dyn FnMut(u64)) -> Result<u64> {
        let searcher = self.before.clone();
        if let Some(detector) = &mut self.stories {
            detector.recompute();
        }
        let mut done = 0;
        for segment in searcher.segment_readers() {
            let store = segment
                .get_store_reader(16)
                .map_err(|e| Error::Tantivy(e.into()))?;
            let alive = segment.alive_bitset().cloned();
            for doc in 0..segment.max_doc() {
                if alive.as_ref().is_some_and(|a| a.is_deleted(doc)) {
                    continue;
                }
                let stored: TantivyDocument = store.get(doc)?;
                let article = crate::index::stored_article(&self.fields, &stored);
                let indexed_at = crate::index::stored_indexed_at(&self.fields, &stored);
                self.add_stamped(article, None, indexed_at)?;
                done += 1;
                on_article(done);
            }
        }
        Ok(done)
    }

    /// Makes everything added so far durable.
    pub fn commit(&mut self) -> Result<()> {
        let committed = self.writer.commit();
        committed.map_err(|e| self.explained(e))?;
        self.uncommitted = 0;
        if let Some(detector) = &mut self.stories {
            self.reader.reload()?;
            detector.committed(&self.reader.searcher())?;
        }
        Ok(())
    }

    /// Commits and waits for background merges, leaving a compact index.
    pub fn finish(mut self) -> Result<()> {
        self.commit()?;
        let dir = self.dir.clone();
        self.writer
            .wait_merging_threads()
            .map_err(|e| explain(&dir, e))
    }

    fn explained(&self, error: TantivyError) -> Error {
        explain(&self.dir, error)
    }
}

/// A writer's error in words a user can act on. tantivy reports a full disk as "an index writer
/// was killed" (its indexing thread died of the I/O error): whether the disk is full is asked of
/// the disk itself.
fn explain(dir: &Path, error: TantivyError) -> Error {
    let io_full = |e: &std::io::Error| e.kind() == std::io::ErrorKind::StorageFull;
    let full = match &error {
        TantivyError::IoError(e) => io_full(e),
        _ => {
            let probe = dir.join(".dateline-space-probe");
            let written = std::fs::write(&probe, vec![0u8; 256 << 10]);
            std::fs::remove_file(&probe).ok();
            written.as_ref().is_err_and(io_full)
        }
    };
    if full {
        Error::DiskFull {
            path: dir.to_path_buf(),
        }
    } else {
        Error::from(error)
    }
}
