"""The adapter's encoding of checkpoints and writes, without a database: what is stored
as JSON comes back equal and of the same type, everything else goes through the
serializer, and LangChain messages of real agent runs survive the round trip.

    python codec_test.py TRACES_DIR
"""

from __future__ import annotations

import datetime
import json
import math
import sys
import uuid
from pathlib import Path

import orjson
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langgraph.checkpoint.base import empty_checkpoint
from langgraph.checkpoint.serde.encrypted import EncryptedSerializer
from langgraph.checkpoint.serde.jsonplus import JsonPlusSerializer
from langgraph_checkpoint_pgmem import _langchain
from langgraph_checkpoint_pgmem._codec import PLAIN, REVIVED, Codec

EXACT = [None, True, False, 0, -(2**63), 2**64 - 1, 1.5, 1e-7, 123456.789, 1e14, "", "é\n\"",
         [], [1, [2, {"a": None}]], {"k": {"nested": [1.0, "x"]}}]
# Values JSON would not give back as they were: each must go through the serializer.
INEXACT = [(1, 2), -0.0, math.inf, math.nan, 1e16, "a\x00b",
           {1: "int key"}, {"lc": 1, "type": "secret", "id": ["OPENAI_API_KEY"]},
           datetime.date(2024, 1, 2), {"a", "b"}, b"bytes", uuid.UUID(int=7), [1, (2,)]]


def same(a, b) -> bool:
    """Equal, and of the same types all the way down."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return a == b


def stored(codec: Codec, value):
    """What a pending write of value reads back as, through its stored text or bytes."""
    type_, form, blob = codec.value(value)
    text = orjson.dumps(form).decode() if blob is None else None
    return type_, codec.read_value(type_, text, blob)


def test_exact_values_are_json():
    codec = Codec(JsonPlusSerializer())
    for value in EXACT:
        type_, back = stored(codec, value)
        assert type_ == PLAIN, (value, type_)
        assert same(back, value), (value, back)


def test_inexact_values_go_through_the_serializer():
    serde = JsonPlusSerializer()
    codec = Codec(serde)
    for value in INEXACT:
        type_, back = stored(codec, value)
        assert type_ not in (PLAIN, REVIVED), (value, type_)
        # Exactly what the serializer alone gives back (it makes tuples lists, say).
        assert same(back, serde.loads_typed(serde.dumps_typed(value))), (value, back)


def messages(traces: Path) -> list:
    runs = json.loads(next(traces.glob("taubench_gpt-4o-airline*.json")).read_text())
    out = []
    for run in runs[:40]:
        for m in run["traj"]:
            content = m.get("content") or ""
            if m["role"] == "assistant":
                calls = [{"name": c["function"]["name"], "id": c["id"],
                          "args": json.loads(c["function"]["arguments"] or "{}")}
                         for c in m.get("tool_calls") or []]
                out.append(AIMessage(content=content, tool_calls=calls, id=str(uuid.uuid4()),
                                     response_metadata={"model": "gpt-4o"}))
            elif m["role"] == "tool":
                out.append(ToolMessage(content=content, tool_call_id=m["tool_call_id"], name=m.get("name")))
            elif m["role"] == "system":
                out.append(SystemMessage(content=content))
            else:
                out.append(HumanMessage(content=content, name="user"))
    return out


def test_message_forms_match_langchain(msgs):
    for m in msgs:
        assert _langchain.form(m) == m.to_json(), m


def test_messages_round_trip(msgs):
    for serde in (JsonPlusSerializer(), _SubclassSerde()):
        codec = Codec(serde)
        type_, back = stored(codec, msgs)
        assert type_ == REVIVED, type_
        assert back == msgs and [type(m) for m in back] == [type(m) for m in msgs]
    assert _SubclassSerde.revived, "a serializer subclass must revive through its own json path"


def test_messages_anywhere_round_trip(msgs):
    codec = Codec(JsonPlusSerializer())
    nested = {"last": msgs[1], "pairs": [[msgs[2], 3]], "plain": {"k": [1]}}
    checkpoint = {**empty_checkpoint(),
                  "channel_values": {"messages": msgs[:8], "one": msgs[3], "nested": nested,
                                     "mixed": [msgs[4], {"m": msgs[5]}, "text"]}}
    text = codec.checkpoint(checkpoint)
    assert orjson.loads(text)["values"]["revive"] == {
        "messages": "top", "one": "top", "nested": "deep", "mixed": "deep"}
    assert codec.read_checkpoint(text, checkpoint["id"]) == checkpoint
    type_, back = stored(codec, nested)
    assert type_ == REVIVED and back == nested and type(back["last"]) is type(msgs[1])


class CitedAnswer(AIMessage):
    """An application's own message class: LangChain's reviver refuses its form."""

    sources: list[str] = []


def test_own_message_classes_go_through_the_serializer():
    serde = JsonPlusSerializer()
    codec = Codec(serde)
    value = [CitedAnswer("Paris.", sources=["wiki"]), AIMessage("plain")]
    type_, back = stored(codec, value)
    assert type_ not in (PLAIN, REVIVED), type_
    assert back == serde.loads_typed(serde.dumps_typed(value))
    # Core messages beside it still go as JSON.
    assert stored(codec, [AIMessage("plain")])[0] == REVIVED


def test_checkpoint_round_trip(msgs):
    codec = Codec(JsonPlusSerializer())
    checkpoint = {**empty_checkpoint(), "channel_versions": {"messages": 3, "other": "2.5"},
                  "channel_values": {"messages": msgs[:30], "count": 3, "when": datetime.date(2024, 5, 6),
                                     "pair": (1, 2)}}
    back = codec.read_checkpoint(codec.checkpoint(checkpoint), checkpoint["id"])
    assert back == {**checkpoint, "channel_values": {**checkpoint["channel_values"], "pair": [1, 2]}}


def test_encrypted_values_are_never_stored_in_the_clear(msgs):
    codec = Codec(EncryptedSerializer.from_pycryptodome_aes(key=b"k" * 16))
    secret = "the customer's passport number"
    checkpoint = {**empty_checkpoint(), "channel_values": {"note": secret, "messages": msgs[:5]}}
    text = codec.checkpoint(checkpoint)
    assert secret not in text and "passport" not in text
    assert codec.read_checkpoint(text, checkpoint["id"]) == checkpoint
    type_, back = stored(codec, secret)
    assert type_ not in (PLAIN, REVIVED) and back == secret


class _SubclassSerde(JsonPlusSerializer):
    revived = False

    def loads_typed(self, data):
        _SubclassSerde.revived |= data[0] == REVIVED
        return super().loads_typed(data)


def main() -> None:
    msgs = messages(Path(sys.argv[1]))
    tests = [(n, f) for n, f in globals().items() if n.startswith("test_")]
    for name, test in tests:
        test(msgs) if test.__code__.co_argcount else test()
    print(f"codec: {len(tests)} tests passed on {len(msgs)} messages")


if __name__ == "__main__":
    main()
