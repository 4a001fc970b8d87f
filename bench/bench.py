"""pgmem against the baselines a user would otherwise write, on real agent traces.

Each pair runs interleaved (A B A B ..., --rounds times) on one server with
synchronous_commit = off; a pair's ratio is computed per round and reported as the
median with its min-max. SQL paths run under pgbench; the codec runs under Criterion.
Writes BENCHMARKS.md and bench/ratios.png (or, with --smoke, a short run's results
under target/bench, checking only that every path works).
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "bench" / "pgbench"


class Server:
    """A connection to the benchmark database and the pgbench that drives it."""

    def __init__(self, port, bindir, dbname="bench"):
        self.port, self.bindir, self.dbname = port, bindir, dbname
        self.dsn = f"host=127.0.0.1 port={port} user=postgres dbname={dbname}"
        self.conn = psycopg.connect(self.dsn, autocommit=True)

    def sql(self, query, params=None):
        return self.conn.execute(query, params)

    def one(self, query, params=None):
        return self.sql(query, params).fetchone()[0]

    def pgbench(self, script, seconds, clients=1, variables=None, log_dir=None):
        """Run one pgbench script; returns tps, mean latency (ms) and, with log_dir,
        every transaction's latency (ms)."""
        cmd = [str(self.bindir / "pgbench"), "-n", "-M", "prepared", "-h", "127.0.0.1",
               "-p", str(self.port), "-U", "postgres", "-c", str(clients), "-j", str(clients),
               "-T", str(seconds), "-f", str(SCRIPTS / script)]
        for name, value in (variables or {}).items():
            cmd += ["-D", f"{name}={value}"]
        if log_dir:
            cmd += ["-l", "--log-prefix", str(Path(log_dir) / "txn")]
        out = subprocess.run(cmd + [self.dbname], capture_output=True, text=True, cwd=log_dir)
        if out.returncode != 0 or "failed transactions: 0 " not in out.stdout:
            raise RuntimeError(f"pgbench {script} failed:\n{out.stdout}\n{out.stderr}")
        tps = float(re.search(r"tps = ([\d.]+)", out.stdout).group(1))
        latency = float(re.search(r"latency average = ([\d.]+) ms", out.stdout).group(1))
        samples = []
        if log_dir:
            for f in Path(log_dir).glob("txn*"):
                samples += [int(line.split()[2]) / 1000 for line in f.read_text().splitlines()]
                f.unlink()
        return {"tps": tps, "latency_ms": latency, "samples": samples}


def interleaved(rounds, a, b, metric, reset=None):
    """Run a and b alternately `rounds` times; per-round values and ratios a/b."""
    results = {"a": [], "b": [], "ratio": []}
    for _ in range(rounds):
        values = []
        for run in (a, b):
            if reset:
                reset()
            values.append(run()[metric])
        results["a"].append(values[0])
        results["b"].append(values[1])
        results["ratio"].append(values[0] / values[1])
    return results


def summary(values):
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


# --- data -------------------------------------------------------------------------

def traces_dir():
    full = ROOT.parent / "shared" / "data" / "agent-traces"
    return Path(os.environ.get("PGMEM_TRACES", full if full.is_dir() else ROOT / "tests/data/agent-traces"))


def corpus_file(name):
    d = traces_dir()
    return next(p for p in (d / f"{name}.json", d / f"{name}.sample.json") if p.exists())


def load_runs():
    return json.loads(corpus_file("taubench_gpt-4o-airline").read_text())


def episode_texts(runs):
    """Real episode contents: each tau-bench run's first user message and every
    ToolBench query."""
    texts = [next(m["content"] for m in r["traj"] if m["role"] == "user") for r in runs]
    for path in sorted(traces_dir().glob("toolbench_*.json")):
        texts += [e["query"] for e in json.loads(path.read_text()).values()]
    return texts


def session_turns(runs):
    """Every run saved turn by turn, in save order: (session number, checkpoint id, the
    trajectory up to and including each assistant message, as JSON text)."""
    for n, run in enumerate(runs, 1):
        traj = run["traj"]
        for i, m in enumerate(traj):
            if m["role"] == "assistant":
                yield n, f"turn-{i:03}", json.dumps(traj[: i + 1])


def setup_schema(db, runs):
    """The baselines' tables, and the documents the pgbench scripts read: bench_docs
    (each trajectory) and bench_turns (each session turn by turn, numbered in save order).
    Returns how many turns there are."""
    db.sql("""
        DROP TABLE IF EXISTS bench_docs, bench_turns, baseline_jsonb, baseline_bytea,
            baseline_sessions, baseline_episodes, baseline_episodes_search, sizes_jsonb_pglz, sizes_jsonb_lz4, sizes_pgmem,
            sizes_pgmem_dictionary, sizes_sessions_lz4;
        CREATE TABLE bench_docs (k int PRIMARY KEY, doc text NOT NULL);
        CREATE TABLE bench_turns (k int PRIMARY KEY, session_no int NOT NULL,
            checkpoint_id text NOT NULL, doc text NOT NULL);
        CREATE TABLE baseline_jsonb (session_id text, checkpoint_id text, doc jsonb NOT NULL,
            saved_at timestamptz NOT NULL, PRIMARY KEY (session_id, checkpoint_id));
        CREATE INDEX ON baseline_jsonb (session_id, saved_at DESC, checkpoint_id DESC);
        CREATE TABLE baseline_bytea (LIKE baseline_jsonb INCLUDING ALL);
        ALTER TABLE baseline_bytea ALTER doc TYPE bytea USING NULL, ALTER doc SET STORAGE EXTERNAL;
        CREATE TABLE baseline_sessions (LIKE baseline_jsonb INCLUDING ALL);
        CREATE TABLE baseline_episodes (user_id text, episode_id text, content text NOT NULL,
            metadata jsonb NOT NULL DEFAULT '{}', inserted_at timestamptz NOT NULL,
            PRIMARY KEY (user_id, episode_id));
        CREATE INDEX ON baseline_episodes (user_id, inserted_at DESC, episode_id DESC);
        -- P7 with search: what a user writes by hand to search the episodes' words.
        CREATE TABLE baseline_episodes_search (LIKE baseline_episodes INCLUDING ALL,
            terms tsvector GENERATED ALWAYS AS (to_tsvector('english', content)) STORED);
        CREATE INDEX ON baseline_episodes_search USING gin (terms);
    """)
    with db.conn.cursor().copy("COPY bench_docs (k, doc) FROM STDIN") as copy:
        for k, run in enumerate(runs, 1):
            copy.write_row((k, json.dumps(run["traj"])))
    with db.conn.cursor().copy("COPY bench_turns (k, session_no, checkpoint_id, doc) FROM STDIN") as copy:
        for k, turn in enumerate(session_turns(runs), 1):
            copy.write_row((k, *turn))
    db.sql("VACUUM ANALYZE bench_docs, bench_turns")
    return db.one("SELECT count(*) FROM bench_turns")


def reset_saves(db):
    db.sql("TRUNCATE pgmem_checkpoints, baseline_jsonb, baseline_bytea")


def analyze_saves(db):
    """The save tables as autovacuum leaves a table in use: analyzed once they held
    rows (TRUNCATE keeps the statistics). A table never analyzed gives the planner no
    row counts per session, and it may then look a checkpoint up by the wrong index."""
    db.sql("""
        SELECT count(pgmem_checkpoint_save('warm-' || k % 2, doc::pgmem_snapshot)) FROM bench_docs;
        INSERT INTO baseline_jsonb SELECT 'warm-' || k % 2, k, doc::jsonb, clock_timestamp() FROM bench_docs;
        INSERT INTO baseline_bytea SELECT 'warm-' || k % 2, k, convert_to(doc, 'UTF8'), clock_timestamp()
        FROM bench_docs;
        ANALYZE pgmem_checkpoints, baseline_jsonb, baseline_bytea;
    """)
    reset_saves(db)


# --- the pairs ----------------------------------------------------------------------

def p1_p2_saves(db, args, ndocs):
    v = {"ndocs": ndocs}
    pgmem = lambda: db.pgbench("p1_pgmem_save.sql", args.seconds, 2, v)
    jsonb = lambda: db.pgbench("p1_jsonb_insert.sql", args.seconds, 2, v)
    bytea = lambda: db.pgbench("p2_bytea_insert.sql", args.seconds, 2, v)
    reset = lambda: reset_saves(db)
    return (interleaved(args.rounds, pgmem, jsonb, "tps", reset),
            interleaved(args.rounds, pgmem, bytea, "tps", reset))


def load_sessions(db, runs):
    """Every run saved turn by turn (after each assistant message), into pgmem and into
    the hand-written jsonb table, in the same order."""
    db.sql("TRUNCATE pgmem_checkpoints, baseline_sessions")
    with db.conn.transaction():
        for n, cid, doc in session_turns(runs):
            db.sql("SELECT pgmem_checkpoint_save(%s, %s, %s)", (f"session-{n}", doc, cid))
            db.sql("INSERT INTO baseline_sessions VALUES (%s, %s, %s::jsonb, clock_timestamp())",
                   (f"session-{n}", cid, doc))
    db.sql("VACUUM ANALYZE pgmem_checkpoints, baseline_sessions")


def p3_load(db, args, nsessions):
    v = {"nsessions": nsessions}
    return interleaved(args.rounds,
                       lambda: db.pgbench("p3_pgmem_load.sql", args.seconds, 1, v),
                       lambda: db.pgbench("p3_jsonb_load.sql", args.seconds, 1, v),
                       "latency_ms")


def p4_sizes(db):
    """Stored bytes of each trajectory alone (whole sessions: session_storage)."""
    db.sql("""
        CREATE TABLE sizes_jsonb_pglz (k int, doc jsonb COMPRESSION pglz);
        CREATE TABLE sizes_jsonb_lz4 (k int, doc jsonb COMPRESSION lz4);
        CREATE TABLE sizes_pgmem (k int, doc pgmem_snapshot);
        -- Built from text, so each value is compressed by its own table's method.
        INSERT INTO sizes_jsonb_pglz SELECT k, doc::jsonb FROM bench_docs;
        INSERT INTO sizes_jsonb_lz4 SELECT k, doc::jsonb FROM bench_docs;
        INSERT INTO sizes_pgmem SELECT k, doc::pgmem_snapshot FROM bench_docs;
    """)
    per_doc = lambda other: db.one(f"""
        SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY pg_column_size(p.doc)::float8
                                                  / pg_column_size(o.doc))
        FROM sizes_pgmem p JOIN {other} o USING (k)""")
    column_sum = lambda table: db.one(f"SELECT sum(pg_column_size(doc))::float8 FROM {table}")
    pgmem_docs = column_sum("sizes_pgmem")
    return {
        "per trajectory vs jsonb pglz (median)": per_doc("sizes_jsonb_pglz"),
        "per trajectory vs jsonb lz4 (median)": per_doc("sizes_jsonb_lz4"),
        "all trajectories vs jsonb pglz (sum)": pgmem_docs / column_sum("sizes_jsonb_pglz"),
        "all trajectories vs jsonb lz4 (sum)": pgmem_docs / column_sum("sizes_jsonb_lz4"),
        **with_dictionary(db),
    }


def with_dictionary(db):
    """P4 again with a 64 KB dictionary trained from the odd-numbered trajectories,
    measured on the even-numbered ones it never saw."""
    dictionary = db.one("""
        SELECT pgmem_dictionary_train(array_agg(doc::pgmem_snapshot))
        FROM bench_docs WHERE k % 2 = 1""")
    db.sql(f"""
        SET pgmem.compression_dictionary = {int(dictionary)};
        CREATE TABLE sizes_pgmem_dictionary (k int, doc pgmem_snapshot);
        INSERT INTO sizes_pgmem_dictionary SELECT k, doc::pgmem_snapshot FROM bench_docs WHERE k % 2 = 0;
        RESET pgmem.compression_dictionary;
    """)
    ratio = lambda agg: db.one(f"""
        SELECT {agg} FROM (SELECT pg_column_size(d.doc)::float8 AS d, pg_column_size(p.doc)::float8 AS p,
                                  pg_column_size(j.doc)::float8 AS j
                           FROM sizes_pgmem_dictionary d JOIN sizes_pgmem p USING (k)
                           JOIN sizes_jsonb_pglz j USING (k)) s""")
    return {
        "dictionary: per trajectory vs jsonb pglz (median, not trained on)":
            ratio("percentile_cont(0.5) WITHIN GROUP (ORDER BY d / j)"),
        "dictionary: all trajectories vs jsonb pglz (sum, not trained on)": ratio("sum(d) / sum(j)"),
        "dictionary: all trajectories vs pgmem without one (sum, not trained on)": ratio("sum(d) / sum(p)"),
    }


def p6_casts(db, args):
    """The casts between jsonb and pgmem_snapshot over every trajectory (p4_sizes'
    tables), each against the same conversion through JSON text."""
    pair = lambda name: interleaved(args.rounds,
                                    lambda: db.pgbench(f"p6_{name}.sql", args.seconds, 1, {}),
                                    lambda: db.pgbench(f"p6_{name}_text.sql", args.seconds, 1, {}),
                                    "latency_ms")
    return pair("to_jsonb"), pair("from_jsonb")


def relation_bytes(db, table, payload):
    """A table's bytes on disk (heap with its maps, TOAST, indexes) and its payload."""
    return dict(zip(("table", "indexes", "total", "payload"), db.sql(f"""
        SELECT pg_table_size('{table}'), pg_indexes_size('{table}'), pg_total_relation_size('{table}'),
               (SELECT sum({payload})::bigint FROM {table})""").fetchone()))


def session_storage(db):
    """All sessions saved turn by turn (load_sessions): pgmem_checkpoints against the
    hand-written jsonb table (pglz, and a copy with lz4), same indexes, vacuumed;
    pgmem's payload is its frames' bytes, jsonb's the stored (compressed) documents."""
    db.sql("""
        CREATE TABLE sizes_sessions_lz4 (LIKE baseline_sessions INCLUDING ALL);
        ALTER TABLE sizes_sessions_lz4 ALTER doc SET COMPRESSION lz4;
        -- Built from text, so each value is compressed with lz4.
        INSERT INTO sizes_sessions_lz4 SELECT session_id, checkpoint_id, doc::text::jsonb, saved_at
        FROM baseline_sessions ORDER BY saved_at;
    """)
    db.sql("VACUUM ANALYZE pgmem_checkpoints, baseline_sessions, sizes_sessions_lz4")
    pgmem = relation_bytes(db, "pgmem_checkpoints", "octet_length(frame)")
    pglz = relation_bytes(db, "baseline_sessions", "pg_column_size(doc)")
    lz4 = relation_bytes(db, "sizes_sessions_lz4", "pg_column_size(doc)")
    stats = db.sql("SELECT * FROM pgmem_checkpoint_stats()")
    names = [c.name for c in stats.description]
    return {
        # As a pair measured once: the ratio and its two sides.
        "ratio": [pgmem["total"] / pglz["total"]], "a": [pgmem["total"]], "b": [pglz["total"]],
        "bytes": {"pgmem": pgmem, "jsonb pglz": pglz, "jsonb lz4": lz4},
        "ratios": {
            "total vs jsonb pglz": pgmem["total"] / pglz["total"],
            "total vs jsonb lz4": pgmem["total"] / lz4["total"],
            "payload vs jsonb pglz": pgmem["payload"] / pglz["payload"],
            "payload vs jsonb lz4": pgmem["payload"] / lz4["payload"],
        },
        "stats": dict(zip(names, stats.fetchone())),
        "keyframe_interval": int(db.one("SHOW pgmem.checkpoint_keyframe_interval")),
    }


def p8_turns(db, args, nturns):
    """Saves after every turn: each of 2 clients saves the real sessions in order, turn by
    turn, into sessions of its own, so that every save's base is the previous turn.
    Also returns what pgmem stored in its last round."""
    v = {"nturns": nturns, "n": 0}
    stored = {}

    def pgmem():
        result = db.pgbench("p8_pgmem_turns.sql", args.seconds, 2, v)
        stats = db.sql("SELECT checkpoints, keyframes, stored_ratio FROM pgmem_checkpoint_stats()").fetchone()
        stored.update(zip(("checkpoints", "keyframes", "stored_ratio"), stats))
        return result

    jsonb = lambda: db.pgbench("p8_jsonb_turns.sql", args.seconds, 2, v)
    pair = interleaved(args.rounds, pgmem, jsonb, "tps", lambda: reset_saves(db))
    return pair | {"stored": stored}


def frame_hashes(db):
    """Each checkpoint's frame hash now, in a temp table, for rekeyed() to compare with."""
    db.sql("""DROP TABLE IF EXISTS frames_before;
              CREATE TEMP TABLE frames_before AS
              SELECT session_id, checkpoint_id, md5(frame) AS hash FROM pgmem_checkpoints""")


def rekeyed(db):
    """Per session, the checkpoints whose frame changed since frame_hashes(): re-keyed."""
    return dict(db.sql("""
        SELECT c.session_id, count(*) FROM pgmem_checkpoints c
        JOIN frames_before b USING (session_id, checkpoint_id)
        WHERE md5(c.frame) <> b.hash GROUP BY c.session_id""").fetchall())


def check_rekeyed(db):
    """Every checkpoint re-keyed since frame_hashes() loads as the document saved (the
    baseline's copy); returns how many were re-keyed, per session."""
    counts = rekeyed(db)
    wrong = db.one("""
        SELECT count(*) FROM pgmem_checkpoints c
        JOIN frames_before f USING (session_id, checkpoint_id)
        JOIN baseline_sessions b USING (session_id, checkpoint_id)
        WHERE md5(c.frame) <> f.hash
          AND (SELECT l.snapshot::jsonb FROM pgmem_checkpoint_load(c.session_id, c.checkpoint_id) l)
              IS DISTINCT FROM b.doc""")
    if wrong or not counts:
        raise RuntimeError(f"{sum(counts.values())} checkpoints re-keyed, {wrong} of them load wrong")
    return counts


def rekey_delete(db, nsessions):
    """Delete one keyframe that others are stored against in each of up to `nsessions`
    sessions longer than the keyframe interval (a keyframe after the session's first
    when there is one), one timed pgmem_checkpoint_delete call per session."""
    picks = db.sql("""
        SELECT session_id, checkpoint_id, first FROM (
            SELECT DISTINCT ON (k.session_id) k.session_id, k.checkpoint_id,
                   NOT EXISTS (SELECT FROM pgmem_checkpoints e WHERE e.session_id = k.session_id
                               AND (e.saved_at, e.checkpoint_id) < (k.saved_at, k.checkpoint_id)) AS first
            FROM pgmem_checkpoints k
            WHERE k.base_id IS NULL
              AND EXISTS (SELECT FROM pgmem_checkpoints d
                          WHERE d.session_id = k.session_id AND d.base_id = k.checkpoint_id)
              AND (SELECT count(*) FROM pgmem_checkpoints n WHERE n.session_id = k.session_id)
                  > current_setting('pgmem.checkpoint_keyframe_interval')::int
            ORDER BY k.session_id, 3, k.saved_at) picked
        ORDER BY session_id LIMIT %s""", (nsessions,)).fetchall()
    if not picks:
        raise RuntimeError("no session has a keyframe that others are stored against")
    frame_hashes(db)
    ms = []
    for sid, cid, _ in picks:
        t = time.perf_counter()
        db.sql("SELECT pgmem_checkpoint_delete(%s, %s)", (sid, cid))
        ms.append(1000 * (time.perf_counter() - t))
    counts = check_rekeyed(db)
    per_rekeyed = [t / counts[sid] for t, (sid, _, _) in zip(ms, picks) if counts.get(sid)]
    return {"calls": len(ms), "first_keyframes": sum(first for _, _, first in picks),
            "rekeyed": sum(counts.values()), "ms_per_call": summary(ms),
            "ms_per_rekeyed": summary(per_rekeyed)}


def rekey_prune(db):
    """pgmem_checkpoint_prune(NULL, 1) over every session: one timed call."""
    sessions = db.one("SELECT count(DISTINCT session_id) FROM pgmem_checkpoints")
    frame_hashes(db)
    t = time.perf_counter()
    deleted = db.one("SELECT pgmem_checkpoint_prune(NULL, 1)")
    ms = 1000 * (time.perf_counter() - t)
    n = sum(check_rekeyed(db).values())
    return {"sessions": sessions, "deleted": deleted, "rekeyed": n, "ms": ms, "ms_per_rekeyed": ms / n}


def load_episodes(db, texts, users, per_user):
    """users x per_user episodes, cycling the real contents, into pgmem (one
    store_many per user) and into the hand-written table (same rows)."""
    db.sql("TRUNCATE pgmem_episodes, baseline_episodes")
    with db.conn.transaction():
        for u in range(1, users + 1):
            contents = [texts[(u * 7919 + i) % len(texts)] for i in range(per_user)]
            db.sql("SELECT pgmem_episode_store_many(%s, %s)", (f"user-{u}", contents))
    db.sql("""INSERT INTO baseline_episodes SELECT user_id, episode_id, content, metadata, inserted_at
              FROM pgmem_episodes""")
    db.sql("VACUUM ANALYZE pgmem_episodes, baseline_episodes")


def pick_terms(db):
    """A common and a rare word of the episode contents (share of episodes holding it)."""
    rows = db.sql("""
        WITH sample AS (SELECT episode_id, content FROM pgmem_episodes LIMIT 20000),
        words AS (
            SELECT w, count(DISTINCT episode_id) AS n
            FROM sample, regexp_split_to_table(lower(content), '[^a-z]+') AS w
            WHERE length(w) >= 6 GROUP BY w),
        total AS (SELECT count(*)::float8 AS n FROM sample)
        SELECT words.w, words.n / total.n FROM words, total ORDER BY words.n DESC""").fetchall()
    common = rows[0]
    rare = min(rows, key=lambda r: abs(r[1] - 0.005))
    return {"common": common, "rare": rare}


def p5_search(db, args, users, terms, log_root):
    out = {}
    for kind, (term, share) in terms.items():
        v = {"nusers": users, "term": term}
        samples = {"pgmem": [], "ilike": []}

        def run(script, key):
            log = tempfile.mkdtemp(dir=log_root)
            result = db.pgbench(script, args.seconds, 1, v, log_dir=log)
            samples[key] += result["samples"]
            return result

        pair = interleaved(args.rounds, lambda: run("p5_pgmem_search.sql", "pgmem"),
                           lambda: run("p5_ilike.sql", "ilike"), "latency_ms")
        out[f"search, {kind} term"] = {"term": term, "share": share, "pair": pair,
                                        "p50_p99": {k: percentiles(s) for k, s in samples.items()}}
    sim = {"nusers": users, "term": "please book me a flight to Seattle"}
    log = tempfile.mkdtemp(dir=log_root)
    r = db.pgbench("p5_pgmem_similarity.sql", args.seconds * args.rounds, 1, sim, log_dir=log)
    out["similarity search"] = {"term": sim["term"], "p50_p99": {"pgmem": percentiles(r["samples"])}}
    return out


def percentiles(samples):
    s = sorted(samples)
    return {"p50": s[len(s) // 2], "p90": s[min(len(s) - 1, int(len(s) * 0.9))],
            "p99": s[min(len(s) - 1, int(len(s) * 0.99))], "n": len(s)}


def p5_indexes(db, args, users, terms, log_root):
    """The rare-term search under each candidate index on the user's episodes."""
    variants = {
        "btree (user_id, inserted_at DESC, episode_id DESC) only": [],
        "+ pg_trgm GIN (content)": ["CREATE INDEX probe ON pgmem_episodes USING gin (content gin_trgm_ops)"],
        "+ btree_gin + pg_trgm GIN (user_id, content)":
            ["CREATE INDEX probe ON pgmem_episodes USING gin (user_id, content gin_trgm_ops)"],
    }
    db.sql("CREATE EXTENSION IF NOT EXISTS pg_trgm; CREATE EXTENSION IF NOT EXISTS btree_gin")
    out = {}
    for name, ddl in variants.items():
        db.sql("DROP INDEX IF EXISTS probe")
        for statement in ddl:
            db.sql(statement)
        db.sql("ANALYZE pgmem_episodes")
        row = {}
        for kind, (term, _) in terms.items():
            log = tempfile.mkdtemp(dir=log_root)
            r = db.pgbench("p5_pgmem_search.sql", args.seconds, 1, {"nusers": users, "term": term}, log_dir=log)
            row[kind] = percentiles(r["samples"])
        out[name] = row
    db.sql("DROP INDEX IF EXISTS probe")
    return out


def p7_store_many(db, args, texts):
    """store_many against COPY of the same rows: into the hand-written table (P7), and
    into one that also indexes the episodes' words for search (P7 search)."""
    n = args.store_many
    contents = [texts[i % len(texts)] for i in range(n)]
    metadata = [json.dumps({"i": i}) for i in range(n)]

    def pgmem():
        t = time.perf_counter()
        db.sql("SELECT pgmem_episode_store_many('p7', %s, %s::jsonb[])", (contents, metadata))
        return {"rows_per_s": n / (time.perf_counter() - t)}

    def copy(table):
        def run():
            t = time.perf_counter()
            with db.conn.cursor().copy(
                    f"COPY {table} (user_id, episode_id, content, metadata, inserted_at) FROM STDIN") as c:
                for content, meta in zip(contents, metadata):
                    c.write_row(("p7", str(uuid.uuid4()), content, meta, "now"))
            return {"rows_per_s": n / (time.perf_counter() - t)}
        return run

    reset = lambda: db.sql("TRUNCATE pgmem_episodes, baseline_episodes, baseline_episodes_search")
    return (interleaved(args.rounds, pgmem, copy("baseline_episodes"), "rows_per_s", reset),
            interleaved(args.rounds, pgmem, copy("baseline_episodes_search"), "rows_per_s", reset))


def p6_codec(args):
    """Criterion's medians for the codec benches, from target/criterion."""
    cmd = ["cargo", "bench", "-p", "pgmem-codec", "--bench", "codec", "--", "--noplot"]
    if args.smoke:
        cmd += ["--warm-up-time", "0.2", "--measurement-time", "0.5", "--sample-size", "10"]
    subprocess.run(cmd, check=True, cwd=ROOT, capture_output=True)
    base = ROOT / "target" / "criterion" / "tau-bench trajectories"
    median = lambda name: json.loads((base / name / "new" / "estimates.json").read_text())["median"]["point_estimate"]
    enc, dec = median("encode"), median("decode")
    zc, zd = median("zstd compress"), median("zstd decompress")
    # Time ratios equal throughput ratios inverted: same bytes in every bench.
    return {"encode vs zstd compress (throughput)": zc / enc, "decode vs zstd decompress (throughput)": zd / dec,
            "encode: share of time outside zstd": 1 - zc / enc, "decode: share of time outside zstd": 1 - zd / dec,
            "encode_ms": enc / 1e6, "decode_ms": dec / 1e6, "zstd_compress_ms": zc / 1e6,
            "zstd_decompress_ms": zd / 1e6}


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--bindir", type=Path, required=True)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--per-user", type=int, default=1000)
    parser.add_argument("--store-many", type=int, default=10000)
    parser.add_argument("--rekey-sessions", type=int, default=50,
                        help="sessions in which a keyframe is deleted")
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--out", type=Path, required=True, help="results JSON")
    args = parser.parse_args()
    db = Server(args.port, args.bindir)
    runs = load_runs()
    texts = episode_texts(runs)
    log_root = tempfile.mkdtemp(prefix="pgmem-bench-")
    os.chmod(log_root, 0o755)
    results = {"settings": vars(args) | {"bindir": str(args.bindir), "out": str(args.out)},
               "corpus": {"trajectories": len(runs), "episode_texts": len(texts)}}
    step = lambda name: print(f"bench: {name}", flush=True)
    nturns = setup_schema(db, runs)
    results["corpus"]["turns"] = nturns
    step("P1, P2 saves")
    analyze_saves(db)
    results["P1"], results["P2"] = p1_p2_saves(db, args, len(runs))
    step("P8 saves after every turn")
    results["P8"] = p8_turns(db, args, nturns)
    step("sessions saved turn by turn")
    load_sessions(db, runs)
    step("P3 load latest")
    results["P3"] = p3_load(db, args, len(runs))
    step("P4 stored bytes")
    results["P4"] = p4_sizes(db)
    step("P6 casts")
    results["P6 to jsonb"], results["P6 from jsonb"] = p6_casts(db, args)
    step("session storage")
    results["P4 sessions"] = session_storage(db)
    step("re-keying: keyframe deletes, prune")
    results["re-key"] = {"delete": rekey_delete(db, args.rekey_sessions), "prune": rekey_prune(db)}
    step(f"episodes: {args.users} users x {args.per_user}")
    load_episodes(db, texts, args.users, args.per_user)
    terms = pick_terms(db)
    step(f"P5 searches (common {terms['common'][0]!r}, rare {terms['rare'][0]!r})")
    results["P5"] = p5_search(db, args, args.users, terms, log_root)
    results["P5 indexes"] = p5_indexes(db, args, args.users, terms, log_root)
    step("P7 store_many vs COPY")
    results["P7"], results["P7 search"] = p7_store_many(db, args, texts)
    step("P6 codec (Criterion)")
    results["P6"] = p6_codec(args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1))
    print(f"bench: results in {args.out}")


if __name__ == "__main__":
    sys.exit(main())
