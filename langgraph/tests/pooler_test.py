"""The LangGraph checkpointers through PgBouncer in transaction mode, many clients at once.

N clients share one saver on a connection pool (psycopg_pool, autocommit, no prepared
statements) whose connections go through PgBouncer, itself with a smaller pool of
server connections: first N threads with PgmemSaver on a ConnectionPool
(graph.invoke), then N asyncio tasks with AsyncPgmemSaver on an AsyncConnectionPool
(await graph.ainvoke). Each client, started together with the others:

  - runs the agent of graph_test.py for four turns (tools called in two) on a thread
    of its own, then checks its state (the conversation the script gives) and its
    whole history (every checkpoint its saver stored for that thread and no other,
    newest first, each with its parent, each state a prefix of the last);
  - runs the approval graph of graph_test.py on a second thread: stops at the
    interrupt, reads the pending writes, resumes with Command(resume=...), and checks
    that the audit node ran once and the review got the resume value.

With --admin-dsn (PgBouncer's console) it also samples SHOW POOLS while the clients
run, and checks that PgBouncer served more clients at once than it had server
connections, and never more server connections than --pool-size.

Prints one line per saver and a summary; exits non-zero on any failure.

    python pooler_test.py --dsn "host=... port=BOUNCER dbname=..." --clients 8 \
        --admin-dsn "host=... port=BOUNCER dbname=pgbouncer" --pool-size 3
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import threading
import time
import traceback
import uuid
from typing import Any

# graph_test.py is imported from beside this file, leaving no __pycache__ in the checkout.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import psycopg  # noqa: E402
from graph_test import (  # noqa: E402
    TURNS,
    Driver,
    Log,
    RecordingAsyncSaver,
    RecordingSaver,
    agent_graph,
    check,
    check_history,
    check_stored,
    cid,
    expected_conversation,
    like_script,
    review_graph,
    same_messages,
)
from langchain_core.messages import HumanMessage  # noqa: E402
from langgraph.types import Command  # noqa: E402
from psycopg_pool import AsyncConnectionPool, ConnectionPool  # noqa: E402

# What the pools give each connection: nothing a transaction-mode pooler cannot carry.
POOL_KWARGS = {"autocommit": True, "prepare_threshold": None}


async def client(kind: str, saver: Any, log: Log, run: str, i: int) -> None:
    """One client: a conversation and an interrupted approval, each on its own thread."""
    turns = TURNS[i % len(TURNS) :] + TURNS[: i % len(TURNS)]
    thread_id = f"pooled-{kind}-{run}-{i}"
    config = {"configurable": {"thread_id": thread_id}}
    d = Driver(kind, agent_graph(saver))
    for prompt in turns:
        await d.invoke({"messages": [HumanMessage(prompt)]}, config)
    state = await d.state(config)
    what = f"{kind} client {i}"
    like_script(state.values["messages"], expected_conversation(turns), f"{what}: state")
    check(state.values["model_calls"] == 6, f"{what}: model_calls {state.values['model_calls']}")
    saved = log.of(thread_id)
    check(cid(state.config) == saved[-1][0], f"{what}: the head is not the last checkpoint stored")
    history = await d.history(config)
    check_history(history, saved, f"{what}: history")
    await check_stored(saver, thread_id, log.values_of(thread_id), f"{what}: stored")
    for snap in history:
        msgs = snap.values.get("messages", [])
        same_messages(
            msgs, state.values["messages"][: len(msgs)], f"{what}: checkpoint {cid(snap.config)}"
        )

    thread_id = f"pooled-review-{kind}-{run}-{i}"
    config = {"configurable": {"thread_id": thread_id}}
    d = Driver(kind, review_graph(saver))
    values = await d.invoke({"messages": [HumanMessage("what is 6 times 7?")]}, config)
    check(len(values.get("__interrupt__", ())) == 1, f"{what}: no interrupt: {values}")
    state = await d.state(config)
    check(state.next == ("review",), f"{what}: waiting on {state.next}")
    audit = [t.result for t in state.tasks if t.name == "audit"]
    check(
        audit == [{"audit": values["audit"]}],
        f"{what}: audit task {audit}, output {values['audit']}",
    )
    values = await d.invoke(Command(resume=f"approved-{i}"), config)
    check(
        values["audit"] == [audit[0]["audit"][0], f"review:approved-{i}"],
        f"{what}: audit after the resume {values['audit']}",
    )
    like_script(
        values["messages"], expected_conversation(["what is 6 times 7?"]), f"{what}: approval"
    )
    check_history(await d.history(config), log.of(thread_id), f"{what}: approval history")
    await check_stored(saver, thread_id, log.values_of(thread_id), f"{what}: approval, stored")


class PoolWatch:
    """Samples PgBouncer's SHOW POOLS for one database while the clients run."""

    def __init__(self, admin_dsn: str | None, dbname: str) -> None:
        self.admin_dsn, self.dbname = admin_dsn, dbname
        self.max_clients = self.max_servers = self.max_waiting = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.error: BaseException | None = None

    def __enter__(self) -> PoolWatch:
        if self.admin_dsn:
            self.thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop.set()
        if self.admin_dsn:
            self.thread.join()

    def _run(self) -> None:
        try:
            with psycopg.connect(self.admin_dsn, autocommit=True, prepare_threshold=None) as conn:
                while True:
                    cur = conn.execute("SHOW POOLS")
                    names = [c.name for c in cur.description]
                    for row in cur.fetchall():
                        pool = dict(zip(names, row))
                        if pool["database"] != self.dbname:
                            continue
                        servers = sum(
                            pool[k]
                            for k in ("sv_active", "sv_idle", "sv_used", "sv_tested", "sv_login")
                        )
                        self.max_clients = max(
                            self.max_clients, pool["cl_active"] + pool["cl_waiting"]
                        )
                        self.max_waiting = max(self.max_waiting, pool["cl_waiting"])
                        self.max_servers = max(self.max_servers, servers)
                    if self.stop.wait(0.02):
                        return
        except BaseException as e:  # noqa: BLE001
            self.error = e

    def verify(self, kind: str, clients: int, pool_size: int | None) -> str:
        if not self.admin_dsn:
            return ""
        check(self.error is None, f"{kind}: SHOW POOLS failed: {self.error!r}")
        check(
            self.max_clients >= clients, f"{kind}: PgBouncer saw at most {self.max_clients} clients"
        )
        if pool_size is not None:
            check(self.max_clients > pool_size, f"{kind}: no more clients than server connections")
            check(
                0 < self.max_servers <= pool_size,
                f"{kind}: PgBouncer used {self.max_servers} server connections, pool {pool_size}",
            )
        return (
            f"; PgBouncer: up to {self.max_clients} clients on {self.max_servers} server "
            f"connections, up to {self.max_waiting} waiting"
        )


def run_sync(dsn: str, clients: int, run: str) -> list[str]:
    errors: list[str] = []
    log = Log()
    start = threading.Barrier(clients)
    with ConnectionPool(dsn, min_size=clients, max_size=clients, kwargs=POOL_KWARGS) as pool:
        pool.wait()
        saver = RecordingSaver(pool)
        saver.log = log

        def worker(i: int) -> None:
            try:
                start.wait()
                asyncio.run(client("sync", saver, log, run, i))
            except BaseException:  # noqa: BLE001
                errors.append(f"sync client {i}: {traceback.format_exc()}")

        threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    return errors


async def run_async(dsn: str, clients: int, run: str) -> list[str]:
    log = Log()
    async with AsyncConnectionPool(
        dsn, min_size=clients, max_size=clients, kwargs=POOL_KWARGS, open=False
    ) as pool:
        await pool.wait()
        saver = RecordingAsyncSaver(pool)
        saver.log = log
        results = await asyncio.gather(
            *(client("async", saver, log, run, i) for i in range(clients)), return_exceptions=True
        )
    return [
        f"async client {i}: {''.join(traceback.format_exception(r))}"
        for i, r in enumerate(results)
        if isinstance(r, BaseException)
    ]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dsn", required=True, help="through PgBouncer")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--admin-dsn", help="PgBouncer's admin console, to watch SHOW POOLS")
    parser.add_argument("--pool-size", type=int, help="PgBouncer's default_pool_size")
    args = parser.parse_args()
    dbname = psycopg.conninfo.conninfo_to_dict(args.dsn)["dbname"]
    run = uuid.uuid4().hex[:8]
    ok = True
    for kind in ("sync", "async"):
        started = time.monotonic()
        with PoolWatch(args.admin_dsn, dbname) as watch:
            if kind == "sync":
                errors = run_sync(args.dsn, args.clients, run)
            else:
                errors = asyncio.run(run_async(args.dsn, args.clients, run))
        try:
            seen = watch.verify(kind, args.clients, args.pool_size)
        except AssertionError as e:
            errors.append(str(e))
        if errors:
            ok = False
            for e in errors:
                print(f"pooler_test: {e}")
            print(f"pooler_test: {kind} FAILED ({len(errors)} errors)")
        else:
            print(
                f"pooler_test: {kind} ok ({time.monotonic() - started:.1f} s): "
                f"{args.clients} clients, "
                f"each {len(TURNS)} turns and an interrupt resumed, every history complete{seen}"
            )
    print(
        f"pooler_test: {'ok' if ok else 'FAILED'}: "
        "PgmemSaver and AsyncPgmemSaver on connection pools "
        f"through a transaction-mode pooler, {args.clients} clients each"
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
