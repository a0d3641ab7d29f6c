// The Lucene side of `cargo bench --bench relevance`: Lucene 8's BM25 baseline on a test
// collection, as an IR course runs it — EnglishAnalyzer, one text field (title and body), the
// classic QueryParser with OR between the words of the escaped request.
//
//   java -cp CLASSPATH LuceneRelevance DOCS.tsv QUERIES.tsv DEPTH
//
// DOCS.tsv: id, title, body (tabs and newlines replaced by spaces). QUERIES.tsv: id, text.
// Prints one line per query: its id, a tab, then up to DEPTH document ids, best first, separated
// by spaces.

import java.io.BufferedReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Paths;

import org.apache.lucene.analysis.en.EnglishAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.queryparser.classic.QueryParser;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;

public class LuceneRelevance {
    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: LuceneRelevance DOCS.tsv QUERIES.tsv DEPTH");
            System.exit(2);
        }
        int depth = Integer.parseInt(args[2]);
        EnglishAnalyzer analyzer = new EnglishAnalyzer();
        Directory dir = new ByteBuffersDirectory();
        try (IndexWriter writer = new IndexWriter(dir, new IndexWriterConfig(analyzer))) {
            try (BufferedReader reader = Files.newBufferedReader(Paths.get(args[0]), StandardCharsets.UTF_8)) {
                String line;
                while ((line = reader.readLine()) != null) {
                    String[] cols = line.split("\t", -1);
                    Document doc = new Document();
                    doc.add(new StringField("id", cols[0], Field.Store.YES));
                    doc.add(new TextField("text", cols[1] + " " + cols[2], Field.Store.NO));
                    writer.addDocument(doc);
                }
            }
        }
        BooleanQuery.setMaxClauseCount(1 << 16);
        IndexSearcher searcher = new IndexSearcher(DirectoryReader.open(dir));
        QueryParser parser = new QueryParser("text", analyzer);
        parser.setDefaultOperator(QueryParser.Operator.OR);
        try (BufferedReader reader = Files.newBufferedReader(Paths.get(args[1]), StandardCharsets.UTF_8)) {
            String line;
            while ((line = reader.readLine()) != null) {
                String[] cols = line.split("\t", -1);
                Query query = parser.parse(QueryParser.escape(cols[1]));
                StringBuilder out = new StringBuilder(cols[0]).append('\t');
                ScoreDoc[] hits = searcher.search(query, depth).scoreDocs;
                for (int i = 0; i < hits.length; i++) {
                    if (i > 0) {
                        out.append(' ');
                    }
                    out.append(searcher.doc(hits[i].doc).get("id"));
                }
                System.out.println(out);
            }
        }
    }
}
