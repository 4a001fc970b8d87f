"""pgmem's LangGraph checkpointer against LangGraph's own PostgresSaver, side by side.

The 200 tau-bench conversations are replayed as a LangGraph run writes them: one
checkpoint per message (the messages channel holding the conversation so far, as
LangChain messages), and before it the message as the pending write of the step that
produced it. Each saver replays the same conversations into an empty database, in
alternating order, --rounds times; then, its tables analyzed, get_tuple (the latest, and
a checkpoint by id) and list (a whole thread, as get_state_history reads it) are timed
on what it stored.
Per round: the median latency of each operation and the total bytes of every table
(heap, TOAST, indexes); ratios are pgmem / PostgresSaver. Both savers are the sync
ones, built the way their from_conn_string builds them.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
import uuid
from pathlib import Path

from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langgraph.checkpoint.base import empty_checkpoint
from langgraph.checkpoint.postgres import PostgresSaver
from langgraph_checkpoint_pgmem import PgmemSaver
from psycopg import Connection
from psycopg.rows import dict_row

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import corpus_file, summary  # noqa: E402

TABLES = {
    "pgmem": ["pgmem_checkpoints", "pgmem_checkpoint_writes"],
    "PostgresSaver": ["checkpoints", "checkpoint_blobs", "checkpoint_writes"],
}


def message(m: dict, n: int):
    """A tau-bench (OpenAI-style) message as the LangChain message a graph keeps."""
    mid = str(uuid.uuid5(uuid.NAMESPACE_OID, f"{n}"))
    content = m.get("content") or ""
    role = m["role"]
    if role == "assistant":
        calls = [
            {"name": c["function"]["name"], "args": json.loads(c["function"]["arguments"] or "{}"),
             "id": c["id"], "type": "tool_call"}
            for c in m.get("tool_calls") or []
        ]
        return AIMessage(content=content, tool_calls=calls, id=mid)
    if role == "tool":
        return ToolMessage(content=content, tool_call_id=m["tool_call_id"], name=m.get("name"), id=mid)
    if role == "system":
        return SystemMessage(content=content, id=mid)
    return HumanMessage(content=content, id=mid)


def conversations(limit: int | None):
    runs = json.loads(corpus_file("taubench_gpt-4o-airline").read_text())[:limit]
    return [[message(m, i * 1000 + j) for j, m in enumerate(run["traj"])] for i, run in enumerate(runs)]


def replay(saver, thread_id: str, messages: list, put_ms: list[float]) -> list[str]:
    """Write one conversation as a run does; returns its checkpoint ids, oldest first."""
    config = {"configurable": {"thread_id": thread_id, "checkpoint_ns": ""}}
    checkpoint = empty_checkpoint()
    version = None
    ids = []
    for step, msg in enumerate(messages):
        if ids:
            # The step's task wrote the message against the checkpoint it started from.
            saver.put_writes(config, [("messages", [msg])], str(uuid.uuid4()), task_path="agent")
        version = saver.get_next_version(version, None)
        checkpoint = {
            **empty_checkpoint(),
            "v": 4,
            "channel_values": {"messages": messages[: step + 1]},
            "channel_versions": {"__start__": 1, "messages": version},
            "versions_seen": {"agent": {"messages": version}},
        }
        metadata = {"source": "loop", "step": step, "parents": {}, "run_id": thread_id}
        start = time.perf_counter()
        config = saver.put(config, checkpoint, metadata, {"messages": version})
        put_ms.append((time.perf_counter() - start) * 1000)
        ids.append(checkpoint["id"])
    return ids


def timed(fn, samples: list[float]):
    start = time.perf_counter()
    result = fn()
    samples.append((time.perf_counter() - start) * 1000)
    return result


def reads(saver, threads: dict[str, list[str]], rng: random.Random) -> dict[str, list[float]]:
    ms = {"get_tuple latest": [], "get_tuple by id": [], "list thread": []}
    for thread_id, ids in threads.items():
        latest = {"configurable": {"thread_id": thread_id, "checkpoint_ns": ""}}
        tup = timed(lambda: saver.get_tuple(latest), ms["get_tuple latest"])
        assert tup.checkpoint["id"] == ids[-1]
        by_id = {"configurable": {**latest["configurable"], "checkpoint_id": rng.choice(ids)}}
        tup = timed(lambda: saver.get_tuple(by_id), ms["get_tuple by id"])
        assert tup.checkpoint["id"] == by_id["configurable"]["checkpoint_id"]
        listed = timed(lambda: list(saver.list(latest)), ms["list thread"])
        assert [t.checkpoint["id"] for t in listed] == ids[::-1]
    return ms


def total_bytes(conn: Connection, tables: list[str]) -> int:
    conn.execute("CHECKPOINT")
    sizes = conn.execute("SELECT sum(pg_total_relation_size(t::regclass))::bigint AS n FROM unnest(%s::text[]) t",
                         [tables])
    return sizes.fetchone()["n" if conn.row_factory is dict_row else 0]


class Contender:
    def __init__(self, name: str, dsn: str):
        self.name = name
        if name == "pgmem":
            self.conn = Connection.connect(dsn, autocommit=True, prepare_threshold=None)
            self.saver = PgmemSaver(self.conn)
        else:
            self.conn = Connection.connect(dsn, autocommit=True, prepare_threshold=0, row_factory=dict_row)
            self.saver = PostgresSaver(self.conn)
            self.saver.setup()

    def reset(self):
        self.conn.execute(f"TRUNCATE {', '.join(TABLES[self.name])}")

    def round(self, convs: list, seed: int) -> dict:
        self.reset()
        put_ms: list[float] = []
        threads = {}
        for i, msgs in enumerate(convs):
            thread_id = f"tau-{i}"
            threads[thread_id] = replay(self.saver, thread_id, msgs, put_ms)
        # Statistics, as autovacuum keeps them on a live database: the reads' plans
        # should not depend on whether it has come by since the tables were filled.
        self.conn.execute(f"ANALYZE {', '.join(TABLES[self.name])}")
        ms = reads(self.saver, threads, random.Random(seed))
        ms["put"] = put_ms
        out = {op: statistics.median(v) for op, v in ms.items()}
        out["bytes"] = total_bytes(self.conn, TABLES[self.name])
        out["checkpoints"] = len(put_ms)
        return out


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dsn", required=True)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--conversations", type=int, default=None, help="the first n only")
    parser.add_argument("--out", type=Path, required=True,
                        help="bench.py's results JSON, to which this adds \"LangGraph\"")
    args = parser.parse_args()
    convs = conversations(args.conversations)
    pgmem, pg = Contender("pgmem", args.dsn), Contender("PostgresSaver", args.dsn)
    rounds = []
    for r in range(args.rounds):
        order = (pgmem, pg) if r % 2 == 0 else (pg, pgmem)
        rounds.append({c.name: c.round(convs, seed=r) for c in order})
        print(f"bench: LangGraph round {r + 1}: " + json.dumps(rounds[-1]), flush=True)
    ops = [k for k in rounds[0]["pgmem"] if k != "checkpoints"]
    result = {
        "conversations": len(convs),
        "checkpoints": rounds[0]["pgmem"]["checkpoints"],
        "rounds": rounds,
        "ratio": {op: summary([r["pgmem"][op] / r["PostgresSaver"][op] for r in rounds]) for op in ops},
    }
    results = json.loads(args.out.read_text()) if args.out.exists() else {}
    args.out.write_text(json.dumps(results | {"LangGraph": result}, indent=1))
    print(f"bench: LangGraph ratios {json.dumps({k: round(v['median'], 3) for k, v in result['ratio'].items()})}")


if __name__ == "__main__":
    main()
