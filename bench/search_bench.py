"""Episode search: recall on real traces, and latency at 100,000 episodes per user.

Recall: bench/recall.py's labelled set (questions users ask later about their own
earlier episodes), for pgmem_episode_similarity_search, a hand-written ts_rank_cd search
on the same column and index, and bm25s; where the database has pgmem_vector, also
vector and hybrid search, and hybrid search for each pair of --hybrid-weights.
Latency: a heavy user with --heavy episodes and a light one with --light, among other
users' episodes up to --rows rows in all, loaded with pgmem_episode_store_many in calls
of --batch rows, one transaction each; contents are real trace texts, each with a
sentence of another appended by a fixed formula so that no two are the same. Then, under
pgbench (prepared statements, 1 client), pgmem against the hand-written ts_rank_cd query
(any word of the query, on pgmem's terms column and GIN index), interleaved A B A B over
--rounds rounds of --seconds s, each transaction a random one of the stored queries:
10 words of a real user message or question, or 2,000 words of them. Reports every
transaction's latency (p50, p99) and the per-round ratio of mean latencies. A ranker
whose first query takes longer than --timeout s is reported as timed out, not run.
Adds "Search" to the results JSON.
"""
import argparse
import json
import os
import random
import re
import sys
import tempfile
import time
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent))
import recall  # noqa: E402
from bench import ROOT, SCRIPTS as SCRIPTS_DIR, Server, interleaved, percentiles  # noqa: E402
from embed import Embedder  # noqa: E402

HEAVY, LIGHT = "search-heavy", "search-light"
# The latency runs: (name, user, kind of query).
RUNS = (("10 words", HEAVY, "words10"), ("2,000 words", HEAVY, "words2000"),
        ("10 words, light user", LIGHT, "words10"))


# --- data -------------------------------------------------------------------------

def corpus(recall_set):
    """The distinct episode contents of the recall set, and their sentences."""
    texts = sorted({e["content"] for rows in recall_set["episodes"].values() for e in rows})
    sentences = sorted({s for t in texts for s in re.split(r"(?<=[.!?])\s+", " ".join(t.split()))
                        if len(s.split()) >= 4})
    return texts, sentences


def parts(texts, sentences, i):
    """Which text and which sentence episode i is made of."""
    a = i % len(texts)
    return a, (i // len(texts) + a * 7919) % len(sentences)


def content(texts, sentences, i):
    """Episode i: a text and a sentence; for i < len(texts) * len(sentences) no two are alike."""
    a, b = parts(texts, sentences, i)
    return f"{texts[a]} {sentences[b]}"


def users(args):
    """(user, episodes) in load order: the heavy and light users, then others of up to a
    batch each until --rows rows in all."""
    out = [(HEAVY, args.heavy), (LIGHT, args.light)]
    rest, k = args.rows - args.heavy - args.light, 0
    while rest > 0:
        k += 1
        out.append((f"search-other-{k}", min(args.batch, rest)))
        rest -= out[-1][1]
    return out


def load_scale(db, args, texts, sentences):
    db.sql("TRUNCATE pgmem_episodes CASCADE")  # and pgmem_vector's embeddings, if any
    start, i = time.perf_counter(), 0
    plan = users(args)
    for user, count in plan:
        for first in range(0, count, args.batch):
            batch = [content(texts, sentences, i + j) for j in range(first, min(count, first + args.batch))]
            with db.conn.transaction():
                db.sql("SELECT count(*) FROM pgmem_episode_store_many(%s, %s)", (user, batch))
        i += count
    load_s = time.perf_counter() - start
    start = time.perf_counter()
    db.sql("VACUUM ANALYZE pgmem_episodes")
    vacuum_s = time.perf_counter() - start
    rows = db.one("SELECT count(*) FROM pgmem_episodes")
    table, indexes = db.sql("SELECT pg_table_size('pgmem_episodes'), pg_indexes_size('pgmem_episodes')").fetchone()
    return {"rows": rows, "users": len(plan), "heavy": args.heavy, "light": args.light, "batch": args.batch,
            "load_s": load_s, "rows_per_s": rows / load_s, "vacuum_analyze_s": vacuum_s,
            "table_bytes": table, "index_bytes": indexes}


def query_sets(recall_set, n10=200, n2000=5):
    """10-word queries (the opening words of the recall questions and of trace user
    messages no episode holds) and 2,000-word ones (those messages run together)."""
    held = recall.held_out_texts()
    windows = {}
    for text in [q["question"] for q in recall_set["questions"]] + held:
        words = text.split()
        if len(words) >= 10:
            windows.setdefault(" ".join(words[:10]).lower(), " ".join(words[:10]))
    short = sorted(windows.values())
    random.Random(10).shuffle(short)
    words = [w for t in held for w in t.split()]
    long = [" ".join((words[k * len(words) // n2000:] + words)[:2000]) for k in range(n2000)]
    return {"words10": short[:n10], "words2000": long}


def store_queries(db, sets):
    # tsq: the any-word tsquery as text (a tsquery column cannot be TOASTed, and a
    # 2,000-word query's does not fit in a page).
    db.sql("""DROP TABLE IF EXISTS bench_search_queries;
              CREATE TABLE bench_search_queries (kind text, n int, q text NOT NULL, tsq text,
                                                 PRIMARY KEY (kind, n))""")
    with db.conn.transaction():
        for kind, texts in sets.items():
            for n, q in enumerate(texts, 1):
                db.sql(f"INSERT INTO bench_search_queries VALUES (%s, %s, %s, ({recall.ANY_WORD.format('%s')})::text)",
                       (kind, n, q, q))
    db.sql("ANALYZE bench_search_queries")
    return dict(db.sql("""SELECT kind, json_build_object('queries', count(*),
                                     'lexemes (median)', percentile_disc(0.5) WITHIN GROUP (ORDER BY (numnode(tsq::tsquery) + 1) / 2))
                          FROM bench_search_queries GROUP BY kind""").fetchall())


# --- latency ------------------------------------------------------------------------

SCRIPTS = {"pgmem": "p9_pgmem_search.sql", "ts_rank_cd": "p9_ts_rank_cd.sql"}


def script_sql(script):
    """A pgbench script's SQL, its :variables as psycopg's named parameters."""
    lines = [line for line in (SCRIPTS_DIR / script).read_text().splitlines()
             if line.strip() and not line.lstrip().startswith(("\\", "--"))]
    return re.sub(r"(?<![:\w]):([A-Za-z_]\w*)", r"%(\1)s", "\n".join(lines).replace("%", "%%"))


def probe(db, script, variables, timeout_s):
    """One run of the script's query for the first stored query: its ms, or None when it
    takes longer than timeout_s (then pgbench, which waits for every transaction, is skipped)."""
    try:
        with db.conn.transaction():
            db.sql(f"SET LOCAL statement_timeout = {int(timeout_s * 1000)}")
            start = time.perf_counter()
            db.sql(script_sql(script), variables | {"n": 1}).fetchall()
            return 1000 * (time.perf_counter() - start)
    except psycopg.errors.QueryCanceled:
        return None


def latency(db, args, sets, log_root):
    out = {}
    for name, user, kind in RUNS:
        v = {"uid": user, "kind": kind, "nqueries": len(sets[kind])}
        samples = {key: [] for key in SCRIPTS}

        def run(key):
            result = db.pgbench(SCRIPTS[key], args.seconds, 1, v, log_dir=tempfile.mkdtemp(dir=log_root))
            samples[key] += result["samples"]
            return result

        print(f"bench: Search latency, {name}", flush=True)
        probes = {key: probe(db, script, v, args.timeout) for key, script in SCRIPTS.items()}
        ok = [key for key in SCRIPTS if probes[key] is not None]
        pair = None
        if len(ok) == 2:
            pair = interleaved(args.rounds, lambda: run("pgmem"), lambda: run("ts_rank_cd"), "latency_ms")
        else:
            for _ in range(args.rounds):
                for key in ok:
                    run(key)
        out[name] = {"user": user, "kind": kind, "queries": len(sets[kind]),
                     "episodes": db.one("SELECT count(*) FROM pgmem_episodes WHERE user_id = %s", (user,)),
                     "timeout_s": args.timeout, "first_query_ms": probes, "pair": pair,
                     "p50_p99": {key: percentiles(samples[key]) for key in ok}}
    return out


def parser_for(doc):
    """The options every search benchmark takes: its server and its pgbench runs."""
    parser = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--bindir", type=Path, required=True)
    parser.add_argument("--dbname", default="search")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--smoke", action="store_true", help="little data, short runs: checks every path")
    return parser


def start(args, name):
    """A connection to the benchmark database, and a directory for pgbench's logs."""
    log_root = tempfile.mkdtemp(prefix=f"pgmem-{name}-")
    os.chmod(log_root, 0o755)
    return Server(args.port, args.bindir, args.dbname), log_root


def save(path, key, result):
    """The results JSON at path, with result under key."""
    results = json.loads(path.read_text()) if path.exists() else {}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results | {key: result}, indent=1))


def main():
    parser = parser_for(__doc__)
    parser.add_argument("--heavy", type=int, default=100_000, help="episodes of the heavy user")
    parser.add_argument("--light", type=int, default=100, help="episodes of the light user")
    parser.add_argument("--rows", type=int, default=1_000_000, help="episodes in the table, all users")
    parser.add_argument("--batch", type=int, default=10_000, help="episodes per store_many call")
    parser.add_argument("--timeout", type=float, default=60,
                        help="s; a ranker whose first query takes longer is reported as timed out")
    parser.add_argument("--hybrid-weights", type=recall.parse_weights, default=recall.HYBRID_WEIGHTS,
                        help="lexical/vector weight pairs for hybrid search's recall, e.g. 1/1,1/0.5")
    parser.add_argument("--set-out", type=Path, default=ROOT / "target" / "bench" / "recall-set.json",
                        help="where the recall set is written, for inspection")
    parser.add_argument("--out", type=Path, required=True,
                        help="bench.py's results JSON, to which this adds \"Search\"")
    args = parser.parse_args()
    if args.smoke:
        args.rounds, args.seconds, args.heavy, args.rows, args.timeout = 1, 1, 2_000, 20_000, 5
    db, log_root = start(args, "search")
    recall_set = recall.build()
    recall.write_set(recall_set, args.set_out)
    print(f"bench: Search recall, {json.dumps(recall_set['counts'])}", flush=True)
    embed = Embedder() if recall.has_vector(db.conn) else None
    rankers, sweep = recall.evaluate(db.conn, recall_set, embed, args.hybrid_weights)
    result = {"settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
              "recall": {"counts": recall_set["counts"], "rankers": rankers, "hybrid weights": sweep}}
    if embed:
        result["recall"]["embeddings"] = embed.stats
    short = lambda ms: {k: {m: round(v[m], 3) for m in ("recall@1", "recall@5", "MRR")} for k, v in ms.items()}
    print(f"bench: Search recall {json.dumps(short(rankers))}", flush=True)
    if sweep:
        print(f"bench: Search recall, hybrid by lexical/vector weights {json.dumps(short(sweep))}", flush=True)
    texts, sentences = corpus(recall_set)
    print(f"bench: Search load, {args.rows:,} episodes", flush=True)
    result["load"] = load_scale(db, args, texts, sentences) | {"texts": len(texts), "sentences": len(sentences)}
    print(f"bench: Search load {json.dumps(result['load'])}", flush=True)
    sets = query_sets(recall_set)
    result["queries"] = store_queries(db, sets)
    result["latency"] = latency(db, args, sets, log_root)
    save(args.out, "Search", result)
    print("bench: Search latency (ms) " + json.dumps({
        name: {k: [round(p[k]["p50"], 3), round(p[k]["p99"], 3)] if k in p else f"> {args.timeout} s"
               for k in SCRIPTS} for name, p in ((n, r["p50_p99"]) for n, r in result["latency"].items())}))


if __name__ == "__main__":
    main()
