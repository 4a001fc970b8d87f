"""What the sync and async savers share: one SQL statement per method, its arguments,
and the tuples made of its rows. pgmem's SQL functions do the work (README, "Use it
from LangGraph"); nothing here keeps state between calls, so any pooler may sit between.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    WRITES_IDX_MAP,
    BaseCheckpointSaver,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
    get_checkpoint_id,
    get_serializable_checkpoint_metadata,
)
from langgraph.checkpoint.serde.base import SerializerProtocol
from psycopg.types.json import Jsonb

from ._codec import Codec

PUT_SQL = "SELECT pgmem_checkpoint_save_json(%s, %s, %s, NULL, %s, %s, %s)"
PUT_WRITES_SQL = (
    "SELECT pgmem_checkpoint_put_writes(%s, %s, %s, %s::text[], %s::text[], %s::text[], "
    "%s::bytea[], %s::integer[], %s, %s)"
)
READ_SQL = (
    "SELECT session_id, checkpoint_ns, checkpoint_id, parent_id, metadata, snapshot::text, "
    "write_task_ids, write_channels, write_types, write_values::text[], write_blobs "
    "FROM pgmem_checkpoint_read(%s, %s, %s, %s, %s, %s)"
)
DELETE_THREAD_SQL = "SELECT pgmem_checkpoint_delete(%s)"
DELETE_FOR_RUNS_SQL = "SELECT pgmem_checkpoint_delete_by_metadata(%s::jsonb[])"
COPY_THREAD_SQL = "SELECT pgmem_checkpoint_copy(%s, %s)"
PRUNE_SQL = "SELECT pgmem_checkpoint_prune(%s::text[], %s)"
SETUP_SQL = "SELECT extversion FROM pg_catalog.pg_extension WHERE extname = 'pgmem'"
# The first pgmem with namespaces, pending writes and pgmem_checkpoint_read.
MIN_VERSION = (0, 5, 0)
PRUNE_KEEP = {"keep_latest": 1, "delete": 0}

# Rows one read returns at most (pgmem's max_rows limit); longer lists take pages.
PAGE_ROWS = 10_000


class ListPage:
    """The arguments of a list's reads, page after page, newest first."""

    def __init__(self, args: list[Any], limit: int | None) -> None:
        self.args = args
        self.left = limit
        self._ask()

    def _ask(self) -> None:
        """max_rows of the next read: a page, or what the limit leaves if less."""
        self.args[4] = PAGE_ROWS if self.left is None else min(PAGE_ROWS, self.left)

    def next(self, rows: Sequence[Any]) -> list[Any] | None:
        """The next page's arguments after these rows, or None when the list is done."""
        asked = self.args[4]
        if self.left is not None:
            self.left -= len(rows)
        if len(rows) < asked or self.left == 0:
            return None
        self.args[3] = rows[-1][2]
        self._ask()
        return self.args


class BasePgmemSaver(BaseCheckpointSaver[int]):
    """LangGraph checkpoints in pgmem: bodies as pgmem snapshots stored as deltas,
    pending writes beside them."""

    def __init__(self, *, serde: SerializerProtocol | None = None) -> None:
        super().__init__(serde=serde)
        self.codec = Codec(self.serde)

    @staticmethod
    def _check_setup(rows: Sequence[Any]) -> None:
        """Refuse a database without pgmem, or with one older than the savers need."""
        if not rows:
            raise RuntimeError("pgmem is not installed in this database: CREATE EXTENSION pgmem")
        version = rows[0][0]
        if tuple(int(p) for p in version.split(".")) < MIN_VERSION:
            raise RuntimeError(
                f"pgmem {version} is older than the {'.'.join(map(str, MIN_VERSION))} the "
                "LangGraph savers need: ALTER EXTENSION pgmem UPDATE"
            )

    def _put_args(
        self, config: RunnableConfig, checkpoint: Checkpoint, metadata: CheckpointMetadata
    ) -> tuple[list[Any], RunnableConfig]:
        conf = config["configurable"]
        thread_id, ns = str(conf["thread_id"]), conf.get("checkpoint_ns", "")
        args = [
            thread_id,
            self.codec.checkpoint(checkpoint),
            checkpoint["id"],
            Jsonb(get_serializable_checkpoint_metadata(config, metadata)),
            conf.get("checkpoint_id"),
            ns,
        ]
        stored = {"thread_id": thread_id, "checkpoint_ns": ns, "checkpoint_id": checkpoint["id"]}
        return args, {"configurable": stored}

    def _put_writes_args(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str,
    ) -> list[Any]:
        channels, types, texts, blobs, idx = [], [], [], [], []
        for i, (channel, value) in enumerate(writes):
            type_, form, blob = self.codec.value(value)
            channels.append(channel)
            types.append(type_)
            texts.append(orjson.dumps(form).decode() if blob is None else None)
            blobs.append(blob)
            idx.append(WRITES_IDX_MAP.get(channel, i))
        conf = config["configurable"]
        return [
            str(conf["thread_id"]),
            conf["checkpoint_id"],
            task_id,
            channels,
            types,
            texts,
            blobs,
            idx,
            task_path,
            conf.get("checkpoint_ns", ""),
        ]

    @staticmethod
    def _get_args(config: RunnableConfig) -> list[Any]:
        conf = config["configurable"]
        return [
            str(conf["thread_id"]),
            conf.get("checkpoint_ns", ""),
            get_checkpoint_id(config),
            None,
            1,
            None,
        ]

    @staticmethod
    def _list_page(
        config: RunnableConfig | None,
        filter: dict[str, Any] | None,
        before: RunnableConfig | None,
        limit: int | None,
    ) -> ListPage:
        conf = config["configurable"] if config else {}
        thread_id = conf.get("thread_id")
        args = [
            str(thread_id) if thread_id is not None else None,
            # Without a namespace in the config, every namespace (as PostgresSaver).
            conf.get("checkpoint_ns"),
            get_checkpoint_id(config) if config else None,
            get_checkpoint_id(before) if before else None,
            None,
            Jsonb(filter) if filter else None,
        ]
        return ListPage(args, limit)

    @staticmethod
    def _delete_for_runs_args(run_ids: Sequence[str]) -> list[Any]:
        return [[Jsonb({"run_id": str(r)}) for r in run_ids]]

    @staticmethod
    def _prune_args(thread_ids: Sequence[str], strategy: str) -> list[Any]:
        if strategy not in PRUNE_KEEP:
            raise ValueError(f"strategy must be one of {sorted(PRUNE_KEEP)}, not {strategy!r}")
        return [[str(t) for t in thread_ids], PRUNE_KEEP[strategy]]

    def _tuple(self, row: Sequence[Any]) -> CheckpointTuple:
        thread_id, ns, checkpoint_id, parent_id, metadata, text = row[:6]
        task_ids, channels, types, values, blobs = row[6:]
        read = self.codec.read_value
        writes = [
            (task_ids[i], channels[i], read(types[i], values[i], blobs[i]))
            for i in range(len(task_ids))
        ]
        return CheckpointTuple(
            config=_config(thread_id, ns, checkpoint_id),
            checkpoint=self.codec.read_checkpoint(text, checkpoint_id),
            metadata=metadata,
            parent_config=_config(thread_id, ns, parent_id) if parent_id else None,
            pending_writes=writes,
        )


def _config(thread_id: str, ns: str, checkpoint_id: str) -> RunnableConfig:
    return {
        "configurable": {
            "thread_id": thread_id,
            "checkpoint_ns": ns,
            "checkpoint_id": checkpoint_id,
        }
    }
