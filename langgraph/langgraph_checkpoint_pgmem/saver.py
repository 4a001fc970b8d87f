"""PgmemSaver: LangGraph's checkpointer API on pgmem, one SQL call a method."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
)
from langgraph.checkpoint.serde.base import SerializerProtocol
from psycopg import Connection, Cursor
from psycopg_pool import ConnectionPool

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


class PgmemSaver(BasePgmemSaver):
    """A LangGraph checkpointer on pgmem.

    `conn` is a Connection or a ConnectionPool. Statements are never prepared and set
    nothing in the session, so a transaction-mode pooler (PgBouncer) may sit in between.
    On a connection that is not in autocommit mode each call runs in a transaction of
    its own (or a savepoint of the caller's).
    """

    def __init__(
        self, conn: Connection | ConnectionPool, *, serde: SerializerProtocol | None = None
    ) -> None:
        super().__init__(serde=serde)
        self.conn = conn

    @classmethod
    @contextmanager
    def from_conn_string(
        cls, conn_string: str, *, serde: SerializerProtocol | None = None
    ) -> Iterator[PgmemSaver]:
        """A saver on a new autocommit connection, closed on exit."""
        with Connection.connect(conn_string, autocommit=True, prepare_threshold=None) as conn:
            yield cls(conn, serde=serde)

    @contextmanager
    def _cursor(self) -> Iterator[Cursor]:
        if isinstance(self.conn, ConnectionPool):
            with self.conn.connection() as conn, conn.cursor(binary=True) as cur:
                yield cur
        elif self.conn.autocommit:
            with self.conn.cursor(binary=True) as cur:
                yield cur
        else:
            with self.conn.transaction(), self.conn.cursor(binary=True) as cur:
                yield cur

    def _rows(self, sql: str, args: Sequence[Any]) -> list[tuple[Any, ...]]:
        with self._cursor() as cur:
            cur.execute(sql, args, prepare=False)
            return cur.fetchall()

    def setup(self) -> None:
        """Check that the database has pgmem 0.5.0 or later. pgmem's extension owns the
        tables, so there is nothing to create (CREATE EXTENSION pgmem did)."""
        self._check_setup(self._rows(SETUP_SQL, []))

    def get_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        rows = self._rows(READ_SQL, self._get_args(config))
        return self._tuple(rows[0]) if rows else None

    def list(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> Iterator[CheckpointTuple]:
        page = self._list_page(config, filter, before, limit)
        args: list[Any] | None = page.args
        while args is not None:
            rows = self._rows(READ_SQL, args)
            for row in rows:
                yield self._tuple(row)
            args = page.next(rows)

    def put(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        args, stored = self._put_args(config, checkpoint, metadata)
        self._rows(PUT_SQL, args)
        return stored

    def put_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        if writes:
            self._rows(PUT_WRITES_SQL, self._put_writes_args(config, writes, task_id, task_path))

    def delete_thread(self, thread_id: str) -> None:
        self._rows(DELETE_THREAD_SQL, [str(thread_id)])

    def delete_for_runs(self, run_ids: Sequence[str]) -> None:
        if run_ids:
            self._rows(DELETE_FOR_RUNS_SQL, self._delete_for_runs_args(run_ids))

    def copy_thread(self, source_thread_id: str, target_thread_id: str) -> None:
        self._rows(COPY_THREAD_SQL, [str(source_thread_id), str(target_thread_id)])

    def prune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        self._rows(PRUNE_SQL, self._prune_args(thread_ids, strategy))
