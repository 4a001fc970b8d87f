"""Semantic search at scale (pgmem_vector): for one user with --episodes episodes of
384-dimension embeddings, the latency of pgmem_episode_vector_search and
pgmem_episode_hybrid_search, exact and from the user's HNSW index, and the index's
recall@10 against exact search.

Data: user VECTOR gets --episodes episodes, stored with
pgmem_episode_store_many_embedded, --batch per call and transaction, in the database
search_bench.py loaded (its rows stay, so the BM25 side of hybrid search reads the same
table and index as there). Contents are search_bench's: a trace text with a sentence of
another appended. Embedding 100,000 of them with all-MiniLM-L6-v2 would take over an
hour on 2 cores (bench/embed.py reads about 20 such texts a second), so an episode's
embedding is composed from those of its two parts, each weighted by its token count (as
mean pooling weights them) and normalized. How close that comes to embedding the whole
text is measured each run on --sample episodes (cosine about 0.98 at the median).
Queries: search_bench's 200 queries of 10 words, with their embeddings.
Latency: pgbench (prepared statements, 1 client), top_k 10, vector and hybrid search
alternating, --rounds rounds of --seconds s each, each transaction a random query: first
exact (the user has no index), then after pgmem_episode_vector_index built the user's
HNSW index (maintenance_work_mem = --build-memory). p50, p90, p99 over every transaction.
HNSW recall@10: for each query, the share of exact search's top 10 that the index's top
10 holds, averaged; also for each hnsw.ef_search in EF_SEARCH, with the latency of each
query run one after another.
Adds "Vector" to the results JSON.
"""
import json
import random
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import recall  # noqa: E402
import search_bench  # noqa: E402
from bench import percentiles  # noqa: E402
from embed import DIMS, Embedder, literal, token_counts  # noqa: E402

VECTOR = "vector-heavy"
SCRIPTS = {"vector": "p10_vector_search.sql", "hybrid": "p10_hybrid_search.sql"}
TOP_K = 10
# hnsw.ef_search values whose recall and latency are measured (pgmem_vector reads at
# least 100 candidates whatever the setting).
EF_SEARCH = (100, 200, 400, 800)


def episode_id(i):
    return f"v{i:07}"


def composed(embed, texts, sentences, episodes):
    """Each episode's embedding from those of its text and its sentence, weighted by
    their token counts."""
    pairs = np.array([search_bench.parts(texts, sentences, i) for i in range(episodes)]).reshape(-1, 2)
    out = np.zeros((episodes, DIMS), np.float32)
    for column, pool in ((0, texts), (1, sentences)):
        used = np.unique(pairs[:, column])
        strings = [pool[k] for k in used]
        weighted = embed(strings) * token_counts(strings)[:, None]
        out += weighted[np.searchsorted(used, pairs[:, column])]
    return out / np.linalg.norm(out, axis=1, keepdims=True)


def load(db, args, embed, texts, sentences):
    """The user's episodes with composed embeddings; how close composing comes on a sample."""
    db.sql("SELECT pgmem_episode_vector_unindex(%s), pgmem_episode_forget(%s)", (VECTOR, VECTOR))
    start = time.perf_counter()
    vectors = composed(embed, texts, sentences, args.episodes)
    sample = random.Random(1).sample(range(args.episodes), min(args.sample, args.episodes))
    whole = embed([search_bench.content(texts, sentences, i) for i in sample])
    cosines = (whole * vectors[sample]).sum(1)
    embed_s = time.perf_counter() - start
    start = time.perf_counter()
    for first in range(0, args.episodes, args.batch):
        last = min(args.episodes, first + args.batch)
        with db.conn.transaction():
            db.sql("SELECT pgmem_episode_store_many_embedded(%s, %s, %s::vector[], NULL::jsonb[], %s)",
                   (VECTOR, [search_bench.content(texts, sentences, i) for i in range(first, last)],
                    [literal(v) for v in vectors[first:last]], [episode_id(i) for i in range(first, last)]))
    load_s = time.perf_counter() - start
    start = time.perf_counter()
    db.sql("VACUUM ANALYZE pgmem_episodes")
    db.sql("VACUUM ANALYZE pgmem_episode_embeddings")
    return {"episodes": args.episodes, "texts": len(texts), "batch": args.batch,
            "rows": db.one("SELECT count(*) FROM pgmem_episodes"),
            "embed_s": embed_s, "load_s": load_s, "rows_per_s": args.episodes / load_s,
            "vacuum_analyze_s": time.perf_counter() - start,
            "composed vs whole": {"sample": len(sample), "cosine median": float(np.median(cosines)),
                                  "cosine min": float(cosines.min())}}


def store_queries(db, queries, vectors):
    db.sql("""DROP TABLE IF EXISTS bench_vector_queries;
              CREATE TABLE bench_vector_queries (n int PRIMARY KEY, q text NOT NULL, e vector NOT NULL)""")
    with db.conn.transaction():
        for n, (q, v) in enumerate(zip(queries, vectors), 1):
            db.sql("INSERT INTO bench_vector_queries VALUES (%s, %s, %s::vector)", (n, q, literal(v)))
    db.sql("ANALYZE bench_vector_queries")


def top(db, queries):
    """Vector search's top 10 ids for every stored query, and each call's ms."""
    out, ms = [], []
    for n in range(1, len(queries) + 1):
        start = time.perf_counter()
        out.append([r[0] for r in db.sql("""SELECT s.episode_id FROM bench_vector_queries b,
                                                pgmem_episode_vector_search(%s, b.e, %s) s WHERE b.n = %s""",
                                         (VECTOR, TOP_K, n)).fetchall()])
        ms.append(1000 * (time.perf_counter() - start))
    return out, ms


def recall_at_10(found, exact):
    return float(np.mean([len(set(f) & set(e)) / max(1, len(e)) for f, e in zip(found, exact)]))


def latency(db, args, queries, log_root):
    """Vector and hybrid search alternating under pgbench: percentiles of each."""
    samples = {key: [] for key in SCRIPTS}
    for _ in range(args.rounds):
        for key, script in SCRIPTS.items():
            samples[key] += db.pgbench(script, args.seconds, 1, {"uid": VECTOR, "nqueries": len(queries)},
                                       log_dir=tempfile.mkdtemp(dir=log_root))["samples"]
    return {key: percentiles(s) for key, s in samples.items()}


def main():
    parser = search_bench.parser_for(__doc__)
    parser.add_argument("--episodes", type=int, default=100_000, help="episodes of the user")
    parser.add_argument("--batch", type=int, default=5_000, help="episodes per store_many_embedded call")
    parser.add_argument("--sample", type=int, default=64,
                        help="episodes embedded whole, to compare with their composed embeddings")
    parser.add_argument("--build-memory", default="1GB",
                        help="maintenance_work_mem for the index build (pgvector builds fastest in memory)")
    parser.add_argument("--out", type=Path, required=True, help="the results JSON, to which this adds \"Vector\"")
    args = parser.parse_args()
    if args.smoke:
        args.rounds, args.seconds, args.episodes, args.batch, args.sample = 1, 1, 300, 100, 16
    db, log_root = search_bench.start(args, "vector")
    embed = Embedder()
    recall_set = recall.build()
    texts, sentences = search_bench.corpus(recall_set)
    print(f"bench: Vector load, {args.episodes:,} episodes with embeddings", flush=True)
    result = {"settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
              "load": load(db, args, embed, texts, sentences)}
    print(f"bench: Vector load {json.dumps(result['load'])}", flush=True)
    queries = search_bench.query_sets(recall_set)["words10"]
    store_queries(db, queries, embed(queries))
    result["queries"] = len(queries)
    result["embeddings"] = embed.stats

    print("bench: Vector latency, exact", flush=True)
    exact, _ = top(db, queries)
    # Each text is in about episodes / len(texts) episodes, whose embeddings differ only by
    # the sentence appended: exact search's top 10 are near-duplicates of a few texts.
    text_of = {episode_id(i): search_bench.parts(texts, sentences, i)[0] for i in range(args.episodes)}
    result["exact top 10: distinct texts (mean)"] = float(np.mean([len({text_of[e] for e in ids}) for ids in exact]))
    result["exact"] = latency(db, args, queries, log_root)
    db.sql(f"SET maintenance_work_mem = '{args.build_memory}'")
    start = time.perf_counter()
    index = db.one("SELECT pgmem_episode_vector_index(%s)", (VECTOR,))
    result["index"] = {"build_s": time.perf_counter() - start, "bytes": db.one("SELECT pg_relation_size(%s)", (index,))}
    db.sql("RESET maintenance_work_mem")
    print(f"bench: Vector index {json.dumps(result['index'])}; latency, HNSW", flush=True)
    result["HNSW recall@10"] = recall_at_10(top(db, queries)[0], exact)
    result["HNSW"] = latency(db, args, queries, log_root)
    # Recall against latency, one query after another from here (client-timed).
    result["ef_search"] = {}
    for ef in EF_SEARCH:
        db.sql(f"SET hnsw.ef_search = {ef}")
        found, ms = top(db, queries)
        result["ef_search"][ef] = {"recall@10": recall_at_10(found, exact), "ms": percentiles(ms)}
    db.sql("RESET hnsw.ef_search")
    search_bench.save(args.out, "Vector", result)
    print("bench: Vector latency (ms, p50 p90 p99) " + json.dumps({
        f"{key} {mode}": [round(result[mode][key][p], 3) for p in ("p50", "p90", "p99")]
        for mode in ("exact", "HNSW") for key in SCRIPTS}) + f"; HNSW recall@10 {result['HNSW recall@10']:.3f}; "
        "by ef_search (recall@10, p50 ms) " + json.dumps({ef: [round(v["recall@10"], 3), round(v["ms"]["p50"], 3)]
                                                         for ef, v in result["ef_search"].items()}))


if __name__ == "__main__":
    main()
