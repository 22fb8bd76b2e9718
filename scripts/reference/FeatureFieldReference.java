// Reference runs from real Lucene FeatureField scoring (the Lucene inside Anserini's fatjar,
// 9.9.1), for tests/engine_parity.rs: how Elasticsearch's `sparse_vector` and OpenSearch's
// `rank_features` score an `spladescope export --to elasticsearch|opensearch` export.
//
//   JAR=.../pyserini/resources/jars/anserini-1.7.1-fatjar.jar   (Java 21+)
//   javac -cp $JAR -d /tmp/ff scripts/reference/FeatureFieldReference.java
//   java -cp $JAR:/tmp/ff FeatureFieldReference EXPORT_DIR OUT.trec K MODE [ARGS]
//
// MODE:
//   plain                 Elasticsearch `sparse_vector` (prune: false) and OpenSearch
//                         `neural_sparse`: a BooleanQuery of SHOULD
//                         FeatureField.newLinearQuery(field, token, weight) clauses
//                         (Elasticsearch wraps newLinearQuery(…, 1) in BoostQuery(…, weight):
//                         the same score).
//   prune R W             Elasticsearch `pruning_config` (WeightedTokensUtils): a token is kept
//                         iff df > 0 and (df/docCount < R·avg or w > W·max w), with
//                         avg = sumDocFreq / docCount / uniqueTerms, in float, on this reader.
//   two-phase P E         OpenSearch's two-phase processor (max_ratio): phase 1 with the tokens
//                         w >= P·max w; its top (int)(K·E) rescored by Lucene's QueryRescorer
//                         with the other tokens, combined as first + second (QueryRescoreMode
//                         Total); the rest keep their phase-1 score.
//
// Documents are added in file order by one thread and merged into one segment, so Lucene's
// doc ids are the export's (and the index's) document order. Writes
// `qid Q0 docid rank score lucene` with Float.toString scores.
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.nio.file.*;
import java.util.*;
import org.apache.lucene.document.*;
import org.apache.lucene.index.*;
import org.apache.lucene.search.*;
import org.apache.lucene.store.ByteBuffersDirectory;
import org.apache.lucene.store.Directory;

public class FeatureFieldReference {
  static final ObjectMapper JSON = new ObjectMapper();

  public static void main(String[] args) throws Exception {
    Path dir = Paths.get(args[0]);
    Path out = Paths.get(args[1]);
    int k = Integer.parseInt(args[2]);
    String mode = args[3];
    JsonNode mapping = JSON.readTree(dir.resolve("mapping.json").toFile());
    String field = mapping.get("mappings").get("properties").fieldNames().next();

    Directory directory = new ByteBuffersDirectory();
    IndexWriterConfig config = new IndexWriterConfig().setOpenMode(IndexWriterConfig.OpenMode.CREATE);
    // One segment in add order: no flush before the end, and merges of adjacent segments only.
    config.setMergePolicy(new LogDocMergePolicy());
    config.setMaxBufferedDocs(IndexWriterConfig.DISABLE_AUTO_FLUSH);
    config.setRAMBufferSizeMB(1024);
    List<String> ids = new ArrayList<>();
    try (IndexWriter writer = new IndexWriter(directory, config);
        BufferedReader in = Files.newBufferedReader(dir.resolve("docs.ndjson"), StandardCharsets.UTF_8)) {
      String action;
      while ((action = in.readLine()) != null) {
        String id = JSON.readTree(action).get("index").get("_id").asText();
        JsonNode source = JSON.readTree(in.readLine());
        Document doc = new Document();
        doc.add(new StoredField("id", id));
        JsonNode vector = source.get(field);
        if (vector != null) {
          Iterator<Map.Entry<String, JsonNode>> it = vector.fields();
          while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            doc.add(new FeatureField(field, e.getKey(), e.getValue().floatValue()));
          }
        }
        writer.addDocument(doc);
        ids.add(id);
      }
      writer.forceMerge(1);
    }
    IndexReader reader = DirectoryReader.open(directory);
    if (reader.leaves().size() != 1) throw new IllegalStateException("expected one segment");
    IndexSearcher searcher = new IndexSearcher(reader);

    List<String> qids = Files.readAllLines(dir.resolve("query-ids.txt"), StandardCharsets.UTF_8);
    List<Map<String, Float>> queries = new ArrayList<>();
    try (BufferedReader in = Files.newBufferedReader(dir.resolve("queries.ndjson"), StandardCharsets.UTF_8)) {
      String header;
      while ((header = in.readLine()) != null) {
        JsonNode body = JSON.readTree(in.readLine()).get("query");
        JsonNode tokens = body.has("sparse_vector")
            ? body.get("sparse_vector").get("query_vector")
            : body.get("neural_sparse").get(field).get("query_tokens");
        Map<String, Float> q = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> it = tokens.fields();
        while (it.hasNext()) {
          Map.Entry<String, JsonNode> e = it.next();
          q.put(e.getKey(), e.getValue().floatValue());
        }
        queries.add(q);
      }
    }
    if (qids.size() != queries.size()) throw new IllegalStateException("query ids and queries differ in number");

    try (PrintWriter w = new PrintWriter(Files.newBufferedWriter(out, StandardCharsets.UTF_8))) {
      for (int i = 0; i < queries.size(); i++) {
        Map<String, Float> q = queries.get(i);
        ScoreDoc[] hits;
        switch (mode) {
          case "plain":
            hits = searcher.search(query(field, q), k).scoreDocs;
            break;
          case "prune":
            hits = searcher.search(query(field, pruned(reader, field, q,
                Float.parseFloat(args[4]), Float.parseFloat(args[5]))), k).scoreDocs;
            break;
          case "two-phase":
            hits = twoPhase(searcher, field, q, k, Float.parseFloat(args[4]), Float.parseFloat(args[5]));
            break;
          default:
            throw new IllegalArgumentException("mode " + mode);
        }
        for (int r = 0; r < hits.length; r++) {
          w.println(qids.get(i) + " Q0 " + ids.get(hits[r].doc) + " " + (r + 1) + " "
              + Float.toString(hits[r].score) + " lucene");
        }
      }
    }
  }

  static Query query(String field, Map<String, Float> q) {
    BooleanQuery.Builder b = new BooleanQuery.Builder();
    for (Map.Entry<String, Float> e : q.entrySet()) {
      b.add(FeatureField.newLinearQuery(field, e.getKey(), e.getValue()), BooleanClause.Occur.SHOULD);
    }
    return b.build();
  }

  // Elasticsearch's WeightedTokensUtils.queryBuilderWithPrunedTokens, on this reader.
  static Map<String, Float> pruned(IndexReader reader, String field, Map<String, Float> q,
      float ratio, float weight) throws IOException {
    int docCount = reader.getDocCount(field);
    float best = 0f;
    for (float v : q.values()) best = Math.max(best, v);
    int uniqueTokens = 0;
    for (LeafReaderContext leaf : reader.leaves()) {
      Terms terms = leaf.reader().terms(field);
      if (terms != null) uniqueTokens = (int) Math.max(terms.size(), uniqueTokens);
    }
    float average = (float) reader.getSumDocFreq(field) / docCount / uniqueTokens;
    Map<String, Float> kept = new LinkedHashMap<>();
    for (Map.Entry<String, Float> e : q.entrySet()) {
      int df = reader.docFreq(new Term(field, e.getKey()));
      if (df == 0) continue;
      float freqRatio = (float) df / docCount;
      if (freqRatio < ratio * average || e.getValue() > weight * best) kept.put(e.getKey(), e.getValue());
    }
    return kept;
  }

  // OpenSearch's NeuralSparseTwoPhaseProcessor (max_ratio) and QueryRescorer (Total mode).
  static ScoreDoc[] twoPhase(IndexSearcher searcher, String field, Map<String, Float> q, int k,
      float ratio, float expansion) throws IOException {
    float max = 0f;
    for (float v : q.values()) max = Math.max(max, v);
    Map<String, Float> high = new LinkedHashMap<>();
    Map<String, Float> low = new LinkedHashMap<>();
    for (Map.Entry<String, Float> e : q.entrySet()) {
      if (e.getValue() >= ratio * max) high.put(e.getKey(), e.getValue());
      else low.put(e.getKey(), e.getValue());
    }
    int window = (int) (k * expansion);
    TopDocs first = searcher.search(query(field, high), Math.max(window, k));
    if (low.isEmpty()) return Arrays.copyOf(first.scoreDocs, Math.min(k, first.scoreDocs.length));
    ScoreDoc[] top = Arrays.copyOf(first.scoreDocs, Math.min(window, first.scoreDocs.length));
    TopDocs rescored = new QueryRescorer(query(field, low)) {
      @Override
      protected float combine(float firstPassScore, boolean secondPassMatches, float secondPassScore) {
        return secondPassMatches ? firstPassScore + secondPassScore : firstPassScore;
      }
    }.rescore(searcher, new TopDocs(first.totalHits, top), top.length);
    List<ScoreDoc> all = new ArrayList<>(Arrays.asList(rescored.scoreDocs));
    for (int i = top.length; i < first.scoreDocs.length; i++) all.add(first.scoreDocs[i]);
    all.sort((a, b) -> a.score != b.score ? Float.compare(b.score, a.score) : Integer.compare(a.doc, b.doc));
    return all.subList(0, Math.min(k, all.size())).toArray(new ScoreDoc[0]);
  }
}
