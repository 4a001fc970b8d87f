"""LangGraph's checkpointer conformance suite (langgraph-checkpoint-conformance) against
pgmem: AsyncPgmemSaver as the suite drives it, then PgmemSaver through the same
scenarios. Exits non-zero unless, for each, every test of all 8 capabilities passes.

    python conformance.py --dsn "host=... dbname=..." [--without-pgmem "host=... dbname=postgres"]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import AsyncIterator
from typing import Any

from langgraph.checkpoint.conformance import checkpointer_test, validate
from langgraph.checkpoint.conformance.capabilities import Capability
from langgraph.checkpoint.conformance.report import ProgressCallbacks
from langgraph_checkpoint_pgmem import AsyncPgmemSaver, PgmemSaver
from psycopg import Connection

# The suite's size in langgraph-checkpoint-conformance 0.0.2, over 8 capabilities.
EXPECTED_TESTS = 81


class SyncDriven(PgmemSaver):
    """PgmemSaver under the suite, which calls the async API: each async method runs
    the sync one, so the scenarios exercise PgmemSaver's own code."""

    async def aget_tuple(self, config):
        return self.get_tuple(config)

    async def alist(self, config, **kwargs: Any):
        for item in self.list(config, **kwargs):
            yield item

    async def aput(self, config, checkpoint, metadata, new_versions):
        return self.put(config, checkpoint, metadata, new_versions)

    async def aput_writes(self, config, writes, task_id, task_path=""):
        self.put_writes(config, writes, task_id, task_path)

    async def adelete_thread(self, thread_id):
        self.delete_thread(thread_id)

    async def adelete_for_runs(self, run_ids):
        self.delete_for_runs(run_ids)

    async def acopy_thread(self, source_thread_id, target_thread_id):
        self.copy_thread(source_thread_id, target_thread_id)

    async def aprune(self, thread_ids, *, strategy="keep_latest"):
        self.prune(thread_ids, strategy=strategy)


async def check_setup(dsn: str, without: str | None) -> None:
    """setup() accepts a database with pgmem and refuses `without`, one without it."""
    for setup in (_async_setup, _sync_setup):
        await setup(dsn)
        if without is None:
            continue
        try:
            await setup(without)
        except RuntimeError as e:
            assert "CREATE EXTENSION pgmem" in str(e), e
        else:
            raise AssertionError("setup() accepted a database without pgmem")
    print(f"setup: accepts pgmem's database{', refuses one without pgmem' if without else ''}")


async def _async_setup(dsn: str) -> None:
    async with AsyncPgmemSaver.from_conn_string(dsn) as saver:
        await saver.setup()


async def _sync_setup(dsn: str) -> None:
    with PgmemSaver.from_conn_string(dsn) as saver:
        saver.setup()


async def run(dsn: str, without: str | None) -> bool:
    await check_setup(dsn, without)
    @checkpointer_test(name="AsyncPgmemSaver")
    async def async_saver() -> AsyncIterator[AsyncPgmemSaver]:
        async with AsyncPgmemSaver.from_conn_string(dsn) as saver:
            yield saver

    @checkpointer_test(name="PgmemSaver")
    async def sync_saver() -> AsyncIterator[PgmemSaver]:
        with Connection.connect(dsn, autocommit=True, prepare_threshold=None) as conn:
            yield SyncDriven(conn)

    ok = True
    for registered in (async_saver, sync_saver):
        report = await validate(registered, progress=ProgressCallbacks.verbose())
        report.print_report()
        results = [report.results.get(cap.value) for cap in Capability]
        passed = sum(r.tests_passed for r in results if r)
        failed = sum(r.tests_failed for r in results if r)
        missing = [cap.value for cap, r in zip(Capability, results) if not (r and r.detected)]
        print(f"{registered.name}: {passed} passed, {failed} failed, not detected: {missing or 'none'}")
        ok &= passed == EXPECTED_TESTS and failed == 0 and not missing
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dsn", required=True)
    parser.add_argument("--without-pgmem", metavar="DSN",
                        help="a database without pgmem, which setup() must refuse")
    args = parser.parse_args()
    sys.exit(0 if asyncio.run(run(args.dsn, args.without_pgmem)) else 1)


if __name__ == "__main__":
    main()
