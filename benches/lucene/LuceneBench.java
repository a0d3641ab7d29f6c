// The Lucene side of `cargo bench --bench scale`: indexes the scaled corpus (as TSV written by the
// harness) with the EnglishAnalyzer and SortedSetDocValues facets, and times the same query mix.
//
//   java -cp CLASSPATH LuceneBench index CORPUS.tsv DIR THREADS RAM_MB
//   java -cp CLASSPATH LuceneBench search DIR QUERIES.tsv ROUNDS
//   java -cp CLASSPATH LuceneBench operators DIR OPERATORS.tsv ROUNDS
//
// Corpus TSV columns: id, title, body, source, language, published (epoch ms), month (YYYY-MM),
// people, places, orgs (each `|`-separated). Query TSV columns: query, filter field (source or
// language, or empty), filter value, from (epoch ms or empty), to (epoch ms or empty).
// Operator TSV columns: class, then `near N ORDERED A B`, `nearwild N ORDERED A PATTERN`,
// `wildcard PATTERN` or `atleast N WORD` (words analysed with the EnglishAnalyzer).
// Every mode prints one JSON object on stdout.

import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.LongPoint;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.facet.Facets;
import org.apache.lucene.facet.FacetsCollector;
import org.apache.lucene.facet.FacetsConfig;
import org.apache.lucene.facet.sortedset.DefaultSortedSetDocValuesReaderState;
import org.apache.lucene.facet.sortedset.SortedSetDocValuesFacetCounts;
import org.apache.lucene.facet.sortedset.SortedSetDocValuesFacetField;
import org.apache.lucene.facet.sortedset.SortedSetDocValuesReaderState;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.queryparser.classic.MultiFieldQueryParser;
import org.apache.lucene.queryparser.classic.QueryParser;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.MatchAllDocsQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.search.uhighlight.UnifiedHighlighter;
import org.apache.lucene.search.WildcardQuery;
import org.apache.lucene.search.spans.SpanMultiTermQueryWrapper;
import org.apache.lucene.search.spans.SpanNearQuery;
import org.apache.lucene.search.spans.SpanQuery;
import org.apache.lucene.search.spans.SpanTermQuery;
import org.apache.lucene.queries.function.FunctionRangeQuery;
import org.apache.lucene.queries.function.valuesource.TermFreqValueSource;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.util.BytesRef;
import org.apache.lucene.store.FSDirectory;

public class LuceneBench {
    static final String[] DIMS = {"person", "place", "org", "source", "language"};
    static final String[] END = new String[0];

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("index")) {
            index(args[1], args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]));
        } else if (args.length > 0 && args[0].equals("search")) {
            search(args[1], args[2], Integer.parseInt(args[3]));
        } else if (args.length > 0 && args[0].equals("operators")) {
            operators(args[1], args[2], Integer.parseInt(args[3]));
        } else {
            System.err.println("usage: LuceneBench index TSV DIR THREADS RAM_MB | search DIR QUERIES ROUNDS");
            System.exit(2);
        }
    }

    static FacetsConfig facetsConfig() {
        FacetsConfig config = new FacetsConfig();
        for (String dim : new String[] {"person", "place", "org"}) {
            config.setMultiValued(dim, true);
        }
        return config;
    }

    static void index(String tsv, String dir, int threads, int ramMb) throws Exception {
        long started = System.nanoTime();
        IndexWriterConfig cfg = new IndexWriterConfig(new EnglishAnalyzer())
                .setOpenMode(IndexWriterConfig.OpenMode.CREATE)
                .setRAMBufferSizeMB(ramMb);
        FacetsConfig facets = facetsConfig();
        long count = 0;
        try (IndexWriter writer = new IndexWriter(FSDirectory.open(Paths.get(dir)), cfg)) {
            BlockingQueue<String> lines = new ArrayBlockingQueue<>(4096);
            List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                Thread worker = new Thread(() -> {
                    try {
                        while (true) {
                            String line = lines.take();
                            if (line.isEmpty()) {
                                return;
                            }
                            writer.addDocument(facets.build(document(line)));
                        }
                    } catch (Exception e) {
                        throw new RuntimeException(e);
                    }
                });
                worker.start();
                workers.add(worker);
            }
            try (BufferedReader reader = Files.newBufferedReader(Paths.get(tsv), StandardCharsets.UTF_8)) {
                String line;
                while ((line = reader.readLine()) != null) {
                    if (!line.isEmpty()) {
                        lines.put(line);
                        count++;
                    }
                }
            }
            for (int t = 0; t < threads; t++) {
                lines.put("");
            }
            for (Thread worker : workers) {
                worker.join();
            }
            writer.commit();
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("{\"articles\": %d, \"seconds\": %.3f}%n", count, seconds);
    }

    static Document document(String line) {
        String[] f = line.split("\t", -1);
        Document d = new Document();
        d.add(new StringField("id", f[0], Field.Store.YES));
        d.add(new TextField("title", f[1], Field.Store.YES));
        d.add(new TextField("body", f[2], Field.Store.YES));
        d.add(new StringField("source_f", f[3], Field.Store.NO));
        d.add(new StringField("language_f", f[4], Field.Store.NO));
        d.add(new SortedSetDocValuesFacetField("source", f[3]));
        d.add(new SortedSetDocValuesFacetField("language", f[4]));
        if (!f[5].isEmpty()) {
            d.add(new LongPoint("published", Long.parseLong(f[5])));
            d.add(new SortedSetDocValuesFacetField("month", f[6]));
        }
        String[] dims = {"person", "place", "org"};
        for (int i = 0; i < 3; i++) {
            for (String v : f[7 + i].split("\\|")) {
                if (!v.isEmpty()) {
                    d.add(new SortedSetDocValuesFacetField(dims[i], v));
                }
            }
        }
        return d;
    }

    static void search(String dir, String queriesFile, int rounds) throws Exception {
        Analyzer analyzer = new EnglishAnalyzer();
        DirectoryReader reader = DirectoryReader.open(FSDirectory.open(Paths.get(dir)));
        IndexSearcher searcher = new IndexSearcher(reader);
        SortedSetDocValuesReaderState state = new DefaultSortedSetDocValuesReaderState(reader);
        UnifiedHighlighter highlighter = new UnifiedHighlighter(searcher, analyzer);
        List<String> lines = Files.readAllLines(Paths.get(queriesFile), StandardCharsets.UTF_8);
        List<Long> times = new ArrayList<>();
        long hitsTotal = 0;
        for (int round = 0; round <= rounds; round++) {
            for (String line : lines) {
                if (line.isEmpty()) {
                    continue;
                }
                String[] f = line.split("\t", -1);
                long started = System.nanoTime();
                MultiFieldQueryParser parser = new MultiFieldQueryParser(new String[] {"title", "body"}, analyzer);
                parser.setDefaultOperator(QueryParser.Operator.AND);
                Query text = f[0].equals("*") ? new MatchAllDocsQuery() : parser.parse(f[0]);
                BooleanQuery.Builder query = new BooleanQuery.Builder().add(text, BooleanClause.Occur.MUST);
                if (!f[1].isEmpty()) {
                    query.add(new TermQuery(new Term(f[1] + "_f", f[2])), BooleanClause.Occur.FILTER);
                }
                if (!f[3].isEmpty()) {
                    query.add(LongPoint.newRangeQuery("published", Long.parseLong(f[3]), Long.parseLong(f[4])),
                            BooleanClause.Occur.FILTER);
                }
                TopDocs top = answer(searcher, state, f[0].equals("*") ? null : highlighter, query.build());
                long elapsed = System.nanoTime() - started;
                if (round > 0) {
                    times.add(elapsed);
                    hitsTotal += top.totalHits.value;
                }
            }
        }
        long[] sorted = times.stream().mapToLong(Long::longValue).sorted().toArray();
        System.out.printf("{\"queries\": %d, \"p50_ms\": %.3f, \"p95_ms\": %.3f, \"p99_ms\": %.3f, \"hits\": %d}%n",
                sorted.length, pct(sorted, 0.50), pct(sorted, 0.95), pct(sorted, 0.99), hitsTotal);
    }

    /** What a search page needs: the top 10, facet counts, body highlights (unless
     * `highlighter` is null) and the stored documents. */
    static TopDocs answer(IndexSearcher searcher, SortedSetDocValuesReaderState state,
            UnifiedHighlighter highlighter, Query q) throws Exception {
        FacetsCollector collector = new FacetsCollector();
        TopDocs top = FacetsCollector.search(searcher, q, 10, collector);
        Facets counts = new SortedSetDocValuesFacetCounts(state, collector);
        for (String dim : DIMS) {
            counts.getTopChildren(10, dim);
        }
        counts.getTopChildren(1000, "month");
        if (highlighter != null) {
            highlighter.highlight("body", q, top);
        }
        for (int i = 0; i < top.scoreDocs.length; i++) {
            searcher.doc(top.scoreDocs[i].doc);
        }
        return top;
    }

    /** The word as the EnglishAnalyzer indexes it. */
    static String analysed(Analyzer analyzer, String word) throws Exception {
        try (TokenStream stream = analyzer.tokenStream("body", word)) {
            CharTermAttribute term = stream.addAttribute(CharTermAttribute.class);
            stream.reset();
            String out = stream.incrementToken() ? term.toString() : word;
            stream.end();
            return out;
        }
    }

    /** One side of a proximity clause in one field: a word or a wildcard pattern. */
    static SpanQuery side(Analyzer analyzer, String field, String word) throws Exception {
        if (word.contains("*") || word.contains("?")) {
            return new SpanMultiTermQueryWrapper<>(new WildcardQuery(new Term(field, word)));
        }
        return new SpanTermQuery(new Term(field, analysed(analyzer, word)));
    }

    /** The Lucene query of one operator line (after its class), over title or body. */
    static Query operator(Analyzer analyzer, String[] f) throws Exception {
        BooleanQuery.Builder any = new BooleanQuery.Builder();
        for (String field : new String[] {"title", "body"}) {
            Query q;
            switch (f[1]) {
                case "near":
                case "nearwild": {
                    int n = Integer.parseInt(f[2]);
                    q = new SpanNearQuery(new SpanQuery[] {side(analyzer, field, f[4]), side(analyzer, field, f[5])},
                            n - 1, Boolean.parseBoolean(f[3]));
                    break;
                }
                case "wildcard":
                    q = new WildcardQuery(new Term(field, f[2]));
                    break;
                case "atleast": {
                    String stem = analysed(analyzer, f[3]);
                    q = new FunctionRangeQuery(new TermFreqValueSource(field, stem, field, new BytesRef(stem)),
                            f[2], null, true, false);
                    break;
                }
                default:
                    throw new IllegalArgumentException("unknown operator " + f[1]);
            }
            any.add(q, BooleanClause.Occur.SHOULD);
        }
        return any.build();
    }

    /** Times each operator class as `search` times the mix: top 10, facets, highlights, stored. */
    static void operators(String dir, String file, int rounds) throws Exception {
        Analyzer analyzer = new EnglishAnalyzer();
        DirectoryReader reader = DirectoryReader.open(FSDirectory.open(Paths.get(dir)));
        IndexSearcher searcher = new IndexSearcher(reader);
        SortedSetDocValuesReaderState state = new DefaultSortedSetDocValuesReaderState(reader);
        UnifiedHighlighter highlighter = new UnifiedHighlighter(searcher, analyzer);
        Map<String, List<Long>> times = new LinkedHashMap<>();
        for (int round = 0; round <= rounds; round++) {
            for (String line : Files.readAllLines(Paths.get(file), StandardCharsets.UTF_8)) {
                if (line.isEmpty()) {
                    continue;
                }
                String[] f = line.split("\t", -1);
                long started = System.nanoTime();
                answer(searcher, state, highlighter, operator(analyzer, f));
                long elapsed = System.nanoTime() - started;
                if (round > 0) {
                    times.computeIfAbsent(f[0], k -> new ArrayList<>()).add(elapsed);
                }
            }
        }
        StringBuilder out = new StringBuilder("{");
        for (Map.Entry<String, List<Long>> e : times.entrySet()) {
            long[] sorted = e.getValue().stream().mapToLong(Long::longValue).sorted().toArray();
            if (out.length() > 1) {
                out.append(", ");
            }
            out.append(String.format("\"%s\": [%.3f, %.3f]", e.getKey(), pct(sorted, 0.50), pct(sorted, 0.99)));
        }
        System.out.println(out.append("}"));
    }

    static double pct(long[] sorted, double p) {
        return sorted[(int) Math.round((sorted.length - 1) * p)] / 1e6;
    }
}
