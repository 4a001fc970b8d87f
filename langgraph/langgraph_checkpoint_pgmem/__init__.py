"""LangGraph checkpointers on pgmem: `AsyncPgmemSaver` and `PgmemSaver`."""

from .aio import AsyncPgmemSaver
from .saver import PgmemSaver

__all__ = ["AsyncPgmemSaver", "PgmemSaver"]
