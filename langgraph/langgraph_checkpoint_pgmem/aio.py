"""AsyncPgmemSaver: LangGraph's async checkpointer API on pgmem, one SQL call a method."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
)
from langgraph.checkpoint.serde.base import SerializerProtocol
from psycopg import AsyncConnection, AsyncCursor
from psycopg_pool import AsyncConnectionPool

from ._base import (
    COPY_THREAD_SQL,
    DELETE_FOR_RUNS_SQL,
    DELETE_THREAD_SQL,
    PRUNE_SQL,
    PUT_SQL,
    PUT_WRITES_SQL,
    READ_SQL,
    SETUP_SQL,
    BasePgmemSaver,
)


class AsyncPgmemSaver(BasePgmemSaver):
    """A LangGraph checkpointer on pgmem for asyncio.

    `conn` is an AsyncConnection or an AsyncConnectionPool. Statements are never
    prepared and set nothing in the session, so a transaction-mode pooler (PgBouncer)
    may sit in between. On a connection that is not in autocommit mode each call runs
    in a transaction of its own (or a savepoint of the caller's).
    """

    def __init__(
        self,
        conn: AsyncConnection | AsyncConnectionPool,
        *,
        serde: SerializerProtocol | None = None,
    ) -> None:
        super().__init__(serde=serde)
        self.conn = conn
        self.loop = asyncio.get_running_loop()

    @classmethod
    @asynccontextmanager
    async def from_conn_string(
        cls, conn_string: str, *, serde: SerializerProtocol | None = None
    ) -> AsyncIterator[AsyncPgmemSaver]:
        """A saver on a new autocommit connection, closed on exit."""
        async with await AsyncConnection.connect(
            conn_string, autocommit=True, prepare_threshold=None
        ) as conn:
            yield cls(conn, serde=serde)

    @asynccontextmanager
    async def _cursor(self) -> AsyncIterator[AsyncCursor]:
        if isinstance(self.conn, AsyncConnectionPool):
            async with self.conn.connection() as conn, conn.cursor(binary=True) as cur:
                yield cur
        elif self.conn.autocommit:
            async with self.conn.cursor(binary=True) as cur:
                yield cur
        else:
            async with self.conn.transaction(), self.conn.cursor(binary=True) as cur:
                yield cur

    async def _rows(self, sql: str, args: Sequence[Any]) -> list[tuple[Any, ...]]:
        async with self._cursor() as cur:
            await cur.execute(sql, args, prepare=False)
            return await cur.fetchall()

    async def setup(self) -> None:
        """Check that the database has pgmem 0.5.0 or later. pgmem's extension owns the
        tables, so there is nothing to create (CREATE EXTENSION pgmem did)."""
        self._check_setup(await self._rows(SETUP_SQL, []))

    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        rows = await self._rows(READ_SQL, self._get_args(config))
        return self._tuple(rows[0]) if rows else None

    async def alist(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[CheckpointTuple]:
        page = self._list_page(config, filter, before, limit)
        args: list[Any] | None = page.args
        while args is not None:
            rows = await self._rows(READ_SQL, args)
            for row in rows:
                yield self._tuple(row)
            args = page.next(rows)

    async def aput(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        args, stored = self._put_args(config, checkpoint, metadata)
        await self._rows(PUT_SQL, args)
        return stored

    async def aput_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        if writes:
            await self._rows(PUT_WRITES_SQL, self._put_writes_args(config, writes, task_id, task_path))

    async def adelete_thread(self, thread_id: str) -> None:
        await self._rows(DELETE_THREAD_SQL, [str(thread_id)])

    async def adelete_for_runs(self, run_ids: Sequence[str]) -> None:
        if run_ids:
            await self._rows(DELETE_FOR_RUNS_SQL, self._delete_for_runs_args(run_ids))

    async def acopy_thread(self, source_thread_id: str, target_thread_id: str) -> None:
        await self._rows(COPY_THREAD_SQL, [str(source_thread_id), str(target_thread_id)])

    async def aprune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        await self._rows(PRUNE_SQL, self._prune_args(thread_ids, strategy))

    # The sync API, for a graph run with invoke() in another thread than the loop's.
    def _sync(self, coro: Any) -> Any:
        try:
            if asyncio.get_running_loop() is self.loop:
                coro.close()
                raise asyncio.InvalidStateError(
                    "AsyncPgmemSaver's sync methods cannot run in its event loop's thread: "
                    "use the async methods (ainvoke, astream) or PgmemSaver"
                )
        except RuntimeError:
            pass
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result()

    def get_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        return self._sync(self.aget_tuple(config))

    def list(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> Iterator[CheckpointTuple]:
        async def collect() -> list[CheckpointTuple]:
            return [t async for t in self.alist(config, filter=filter, before=before, limit=limit)]

        yield from self._sync(collect())

    def put(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        return self._sync(self.aput(config, checkpoint, metadata, new_versions))

    def put_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        self._sync(self.aput_writes(config, writes, task_id, task_path))

    def delete_thread(self, thread_id: str) -> None:
        self._sync(self.adelete_thread(thread_id))
