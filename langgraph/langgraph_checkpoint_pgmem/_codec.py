"""How checkpoints and writes become pgmem documents, and back.

A value that JSON represents exactly is stored as JSON, inside the checkpoint's
pgmem_snapshot, so that it compresses and successive checkpoints store only what
changed. LangChain objects (messages above all) are stored in LangChain's own JSON
form and revived by the saver's serializer, as a "json" value. Anything else, and
every channel value when the serializer is not LangGraph's default (an
EncryptedSerializer, say), is stored as the serializer's typed bytes.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Mapping
from typing import Any

import orjson
from langchain_core.load.serializable import Serializable
from langgraph.checkpoint.serde.base import SerializerProtocol
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer

from . import _langchain

# Value types of pending writes stored as JSON: plain, or with LangChain objects that
# the serializer revives ("json" is the serializer's own name for that form).
PLAIN = "pgmem.json"
REVIVED = "json"

# How a JSON value's LangChain forms are revived (_Encoder.revive); _ITEM marks the items
# of a list that is the value itself.
TOP, DEEP, _ITEM = "top", "deep", "item"

# Integral floats this large print without a fraction: they would read back as ints.
_EXACT_FLOAT_BOUND = 1e15
# orjson writes integers of 64 bits.
_INT_MIN, _INT_END = -(2**63), 2**64


class _NotJson(Exception):
    """The value has no exact JSON form."""


class _Encoder:
    """One value's JSON form. `revive` says how LangChain objects in it are revived:
    None when there are none, TOP when they are the value or the items of it, a list
    (as a messages channel), DEEP when any is elsewhere."""

    def __init__(self) -> None:
        self.revive: str | None = None

    def encode(self, value: Any, where: str = TOP) -> Any:
        kind = type(value)
        if value is None or kind is bool:
            return value
        if kind is str:
            # PostgreSQL text (and pgmem) cannot hold NUL.
            if "\x00" in value:
                raise _NotJson
            return value
        if kind is int:
            if _INT_MIN <= value < _INT_END:
                return value
            raise _NotJson
        if kind is float:
            return _exact_float(value)
        if kind is list:
            item = _ITEM if where == TOP else DEEP
            return [self.encode(v, item) for v in value]
        if kind is dict:
            return self._mapping(value)
        if isinstance(value, Serializable) and value.is_lc_serializable():
            return self._langchain(value, where)
        raise _NotJson

    def _mapping(self, value: dict) -> dict:
        out = {}
        for k, v in value.items():
            # "lc" marks LangChain's form: a plain dict must not look like one.
            if type(k) is not str or k == "lc" or "\x00" in k:
                raise _NotJson
            out[k] = self.encode(v, DEEP)
        return out

    def _langchain(self, value: Serializable, where: str) -> dict:
        form = _langchain.form(value)
        if form is None or form.get("type") != "constructor":
            raise _NotJson
        if self.revive != DEEP:
            self.revive = DEEP if where == DEEP else TOP
        return {**form, "id": list(form["id"]), "kwargs": self._mapping(form["kwargs"])}


def _exact_float(value: float) -> float:
    if not math.isfinite(value) or (value == 0 and math.copysign(1, value) < 0):
        raise _NotJson
    if value.is_integer() and abs(value) >= _EXACT_FLOAT_BOUND:
        raise _NotJson
    return value


class Codec:
    """Encodes for one saver's serializer."""

    def __init__(self, serde: SerializerProtocol) -> None:
        self.serde = serde
        # Only LangGraph's default serializer may see values stored in the clear.
        self.json_values = isinstance(serde, JsonPlusSerializer)
        # Its exact class revives LangChain's forms as langchain_core does; a subclass
        # may do otherwise, so it gets them as its own "json" values.
        if type(serde) is JsonPlusSerializer:
            self.revivers = {TOP: _langchain.revive_top, DEEP: _langchain.revive}
        else:
            by_serde = lambda form: serde.loads_typed((REVIVED, orjson.dumps(form)))  # noqa: E731
            self.revivers = {TOP: by_serde, DEEP: by_serde}

    def value(self, value: Any, *, json_ok: bool | None = None) -> tuple[str, Any, bytes | None]:
        """(type, JSON form, None) or (type, None, bytes) for one value."""
        type_, form, blob, _ = self._value(value, json_ok)
        return type_, form, blob

    def _value(self, value: Any, json_ok: bool | None) -> tuple[str, Any, bytes | None, str | None]:
        """As `value`, with how the JSON form's LangChain objects are revived."""
        if self.json_values if json_ok is None else json_ok:
            encoder = _Encoder()
            try:
                form = encoder.encode(value)
            except _NotJson:
                pass
            else:
                return (REVIVED if encoder.revive else PLAIN), form, None, encoder.revive
        type_, blob = self.serde.dumps_typed(value)
        return type_, None, blob, None

    def read_value(self, type_: str, text: str | None, blob: bytes | None) -> Any:
        """A value from its type and its JSON text or its bytes."""
        if blob is not None:
            return self.serde.loads_typed((type_, blob))
        if type_ == REVIVED:
            return self.revivers[DEEP](orjson.loads(text))
        return orjson.loads(text)

    def mapping(self, values: Mapping[str, Any], *, json_ok: bool | None = None) -> dict:
        """A mapping's document: JSON values, how to revive the ones with LangChain
        objects, and typed bytes."""
        doc: dict[str, Any] = {"json": {}, "revive": {}, "bytes": {}}
        for key, value in values.items():
            type_, form, blob, revive = self._value(value, json_ok)
            if blob is None:
                doc["json"][key] = form
                if revive:
                    doc["revive"][key] = revive
            else:
                doc["bytes"][key] = [type_, base64.b64encode(blob).decode()]
        return doc

    def read_mapping(self, doc: Mapping[str, Any]) -> dict[str, Any]:
        values = dict(doc["json"])
        for key, how in doc["revive"].items():
            values[key] = self.revivers[how](values[key])
        for key, (type_, data) in doc["bytes"].items():
            values[key] = self.serde.loads_typed((type_, base64.b64decode(data)))
        return values

    def checkpoint(self, checkpoint: Mapping[str, Any]) -> str:
        """The JSON text pgmem stores for a checkpoint. Its id is the row's checkpoint_id,
        not stored twice: a new id in every checkpoint is what a delta cannot compress."""
        fields = {k: v for k, v in checkpoint.items() if k not in ("channel_values", "id")}
        doc = {
            # Ids, versions and timestamps: stored in the clear whatever the serializer,
            # as LangGraph's own PostgresSaver does.
            "checkpoint": self.mapping(fields, json_ok=True),
            "values": self.mapping(checkpoint["channel_values"]),
        }
        return orjson.dumps(doc).decode()

    def read_checkpoint(self, text: str, checkpoint_id: str) -> dict[str, Any]:
        doc = orjson.loads(text)
        checkpoint = {"id": checkpoint_id, **self.read_mapping(doc["checkpoint"])}
        checkpoint["channel_values"] = self.read_mapping(doc["values"])
        return checkpoint
