"""A real LangGraph agent on pgmem, stopped and resumed in a fresh process.

The agent is a StateGraph over `messages: Annotated[list, add_messages]`: a chat-model
node (langchain-core's GenericFakeChatModel, its replies scripted by the conversation
so far) whose replies call real `@tool` functions through a ToolNode and
tools_condition. For PgmemSaver (graph.invoke) and then AsyncPgmemSaver
(await graph.ainvoke):

  1. this process runs four turns on one thread, two of them calling tools (one with
     two parallel calls), recording every checkpoint the saver stores, and exits the
     saver;
  2. a fresh process (this file, --phase resume) rebuilds the graph on pgmem alone and
     checks that the state's messages equal the original ones (class, content,
     tool_calls, tool_call_id, ids, every field), and the other channels too; that
     every checkpoint read back holds the channel values LangGraph gave the saver
     (pickled in the first process as it saved them); that
     get_state_history returns every checkpoint stored, newest first, each with its
     parent, step and a prefix of the conversation; that update_state on an older
     checkpoint forks (a new checkpoint whose parent is that one, the original history
     intact) and the thread goes on from the fork; that invoke(None, older config)
     replays from there: a "fork" checkpoint whose parent is the older one, and the
     same tool call, tool result and answer as the original run;
  3. an approval graph: the agent's tool call goes to a review node, which calls
     interrupt(), in parallel with an audit node, which finishes. This process stops
     at the interrupt; a fresh process (--phase interrupt-resume) finds the interrupt
     and the audit node's result among pgmem's pending writes, resumes with
     Command(resume=...), and checks that the audit node did not run again (its
     output, which holds a random id, is the one stored), the review got the resume
     value and the tool ran.

Prints one line per saver and a summary; exits non-zero on any failure.

    python graph_test.py --dsn "host=... dbname=..."
"""

from __future__ import annotations

import argparse
import asyncio
import operator
import os
import pickle
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import datetime, timedelta, timezone
from typing import Annotated, Any

from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, AnyMessage, BaseMessage, HumanMessage, ToolMessage
from langchain_core.runnables import RunnableConfig, RunnableLambda
from langchain_core.tools import tool
from langgraph.graph import END, START, StateGraph
from langgraph.graph.message import add_messages
from langgraph.prebuilt import ToolNode, tools_condition
from langgraph.types import Command, interrupt
from langgraph_checkpoint_pgmem import AsyncPgmemSaver, PgmemSaver
from typing_extensions import TypedDict

HERE = os.path.abspath(__file__)


class Failure(AssertionError):
    pass


def check(condition: Any, what: str) -> None:
    if not condition:
        raise Failure(what)


# --- The agent -------------------------------------------------------------------


@tool
def multiply(a: int, b: int) -> int:
    """Multiply two integers."""
    return a * b


@tool
def get_weather(city: str) -> str:
    """Today's weather in a city."""
    return {"Paris": "sunny, 21 °C", "Oslo": "snow, −3 °C"}[city]


TOOLS = [multiply, get_weather]


def call(name: str, args: dict[str, Any], call_id: str) -> dict[str, Any]:
    return {"name": name, "args": args, "id": call_id, "type": "tool_call"}


# What the chat model answers: for each user prompt, its replies in order, the first
# after the prompt and each next one after the tools it called have answered.
SCRIPT: dict[str, list[AIMessage]] = {
    "hello": [AIMessage("Hi! I multiply numbers and know the weather.")],
    "what is 6 times 7?": [
        AIMessage("", tool_calls=[call("multiply", {"a": 6, "b": 7}, "call_mul_6_7")]),
        AIMessage("6 times 7 is 42."),
    ],
    "weather in Paris, and 3 times 5?": [
        AIMessage(
            "Checking both.",
            tool_calls=[
                call("get_weather", {"city": "Paris"}, "call_weather_paris"),
                call("multiply", {"a": 3, "b": 5}, "call_mul_3_5"),
            ],
        ),
        AIMessage("Paris: sunny, 21 °C. And 3 times 5 is 15."),
    ],
    "thanks": [AIMessage("You're welcome! 👋")],
    "and in Oslo?": [
        AIMessage("", tool_calls=[call("get_weather", {"city": "Oslo"}, "call_weather_oslo")]),
        AIMessage("Oslo: snow, −3 °C."),
    ],
}
TURNS = ["hello", "what is 6 times 7?", "weather in Paris, and 3 times 5?", "thanks"]
EPOCH = datetime(2025, 1, 1, tzinfo=timezone.utc)


class AgentState(TypedDict, total=False):
    messages: Annotated[list[AnyMessage], add_messages]
    # Channels besides the messages: a counter (JSON), the tools asked for (a set,
    # which JSON cannot hold: the serializer's bytes) and a timestamp (the same).
    model_calls: Annotated[int, operator.add]
    tools_asked: set[str]
    last_call: datetime


def _reply(state: AgentState) -> tuple[list[BaseMessage], GenericFakeChatModel]:
    messages = state["messages"]
    last_human = max(i for i, m in enumerate(messages) if isinstance(m, HumanMessage))
    replies = sum(isinstance(m, AIMessage) for m in messages[last_human + 1 :])
    reply = SCRIPT[messages[last_human].content][replies].model_copy(deep=True)
    return messages, GenericFakeChatModel(messages=iter([reply]))


def _update(state: AgentState, response: BaseMessage) -> dict[str, Any]:
    calls = state.get("model_calls", 0)
    return {
        "messages": [response],
        "model_calls": 1,
        "tools_asked": set(state.get("tools_asked", set()))
        | {c["name"] for c in response.tool_calls},
        "last_call": EPOCH + timedelta(minutes=calls),
    }


def agent(state: AgentState) -> dict[str, Any]:
    messages, model = _reply(state)
    return _update(state, model.invoke(messages))


async def aagent(state: AgentState) -> dict[str, Any]:
    messages, model = _reply(state)
    return _update(state, await model.ainvoke(messages))


def agent_graph(checkpointer: Any) -> Any:
    builder = StateGraph(AgentState)
    builder.add_node("agent", RunnableLambda(agent, afunc=aagent, name="agent"))
    builder.add_node("tools", ToolNode(TOOLS))
    builder.add_edge(START, "agent")
    builder.add_conditional_edges("agent", tools_condition)
    builder.add_edge("tools", "agent")
    return builder.compile(checkpointer=checkpointer)


# The approval graph: a tool call waits for a human's review (interrupt()), while an
# audit node, in the same step, finishes and leaves its writes pending.


class ReviewState(AgentState, total=False):
    audit: Annotated[list[str], operator.add]


def review(state: ReviewState) -> dict[str, Any]:
    calls = state["messages"][-1].tool_calls
    decision = interrupt({"question": "run these tools?", "calls": [c["name"] for c in calls]})
    return {"audit": [f"review:{decision}"]}


def audit(state: ReviewState) -> dict[str, Any]:
    # A fresh id each time it runs: a resume that ran it again would show.
    return {"audit": [f"audit:{uuid.uuid4()}"]}


def after_agent(state: ReviewState) -> Any:
    return ["review", "audit"] if state["messages"][-1].tool_calls else END


def review_graph(checkpointer: Any) -> Any:
    builder = StateGraph(ReviewState)
    builder.add_node("agent", RunnableLambda(agent, afunc=aagent, name="agent"))
    builder.add_node("review", review)
    builder.add_node("audit", audit)
    builder.add_node("tools", ToolNode(TOOLS))
    builder.add_edge(START, "agent")
    builder.add_conditional_edges("agent", after_agent, ["review", "audit", END])
    builder.add_edge("review", "tools")
    builder.add_edge("tools", "agent")
    return builder.compile(checkpointer=checkpointer)


# --- Savers that record what they store ----------------------------------------------


class Log:
    """Every checkpoint a saver stored, in order: (thread, id, parent id, step, source),
    and its channel values as LangGraph gave them to the saver (pickled then, so that
    nothing read back from pgmem can stand in for them)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.saved: list[tuple[str, str, str | None, int, str]] = []
        self.values: dict[str, bytes] = {}

    @staticmethod
    def freeze(checkpoint: Any) -> bytes:
        return pickle.dumps(checkpoint["channel_values"])

    def record(self, config: RunnableConfig, checkpoint: Any, metadata: Any, values: bytes) -> None:
        conf = config["configurable"]
        check(conf.get("checkpoint_ns", "") == "", "a checkpoint outside the root namespace")
        with self.lock:
            if checkpoint["id"] not in self.values:
                self.values[checkpoint["id"]] = values
                self.saved.append(
                    (
                        str(conf["thread_id"]),
                        checkpoint["id"],
                        conf.get("checkpoint_id"),
                        metadata["step"],
                        metadata["source"],
                    )
                )

    def of(self, thread_id: str) -> list[tuple[str, str | None, int, str]]:
        with self.lock:
            return [s[1:] for s in self.saved if s[0] == thread_id]

    def values_of(self, thread_id: str) -> dict[str, bytes]:
        with self.lock:
            return {s[1]: self.values[s[1]] for s in self.saved if s[0] == thread_id}


class RecordingSaver(PgmemSaver):
    log: Log

    def put(self, config, checkpoint, metadata, new_versions):
        values = Log.freeze(checkpoint)
        stored = super().put(config, checkpoint, metadata, new_versions)
        self.log.record(config, checkpoint, metadata, values)
        return stored


class RecordingAsyncSaver(AsyncPgmemSaver):
    log: Log

    async def aput(self, config, checkpoint, metadata, new_versions):
        values = Log.freeze(checkpoint)
        stored = await super().aput(config, checkpoint, metadata, new_versions)
        self.log.record(config, checkpoint, metadata, values)
        return stored


class Driver:
    """One graph API for both savers: PgmemSaver's graphs run with invoke, get_state
    and the other sync methods; AsyncPgmemSaver's with ainvoke, aget_state..."""

    def __init__(self, kind: str, graph: Any) -> None:
        self.is_async = kind == "async"
        self.graph = graph

    async def invoke(self, value: Any, config: RunnableConfig) -> dict[str, Any]:
        if self.is_async:
            return await self.graph.ainvoke(value, config)
        return self.graph.invoke(value, config)

    async def state(self, config: RunnableConfig) -> Any:
        if self.is_async:
            return await self.graph.aget_state(config)
        return self.graph.get_state(config)

    async def history(self, config: RunnableConfig) -> list[Any]:
        if self.is_async:
            return [s async for s in self.graph.aget_state_history(config)]
        return list(self.graph.get_state_history(config))

    async def update(self, config: RunnableConfig, values: dict[str, Any]) -> RunnableConfig:
        if self.is_async:
            return await self.graph.aupdate_state(config, values)
        return self.graph.update_state(config, values)


@asynccontextmanager
async def saver(kind: str, dsn: str, log: Log) -> AsyncIterator[Any]:
    """A recording saver of this kind on its own connection, closed on exit."""
    if kind == "async":
        async with RecordingAsyncSaver.from_conn_string(dsn) as s:
            s.log = log
            yield s
    else:
        with RecordingSaver.from_conn_string(dsn) as s:
            s.log = log
            yield s


# --- Checks --------------------------------------------------------------------------


def describe(m: BaseMessage) -> tuple[Any, ...]:
    return (
        type(m).__name__,
        m.content,
        m.id,
        getattr(m, "tool_calls", None),
        getattr(m, "tool_call_id", None),
        getattr(m, "name", None),
    )


def same_messages(got: list[BaseMessage], want: list[BaseMessage], what: str) -> None:
    check(len(got) == len(want), f"{what}: {len(got)} messages, expected {len(want)}")
    for i, (g, w) in enumerate(zip(got, want)):
        check(
            describe(g) == describe(w),
            f"{what}: message {i} is {describe(g)}, expected {describe(w)}",
        )
        check(
            type(g) is type(w) and g.model_dump() == w.model_dump(),
            f"{what}: message {i} differs: {g.model_dump()} != {w.model_dump()}",
        )


def like_script(got: list[BaseMessage], want: list[BaseMessage], what: str) -> None:
    """The same conversation, ids aside (a rerun gives new ones)."""
    strip = lambda m: describe(m)[:2] + describe(m)[3:]  # noqa: E731
    check(len(got) == len(want), f"{what}: {len(got)} messages, expected {len(want)}")
    for i, (g, w) in enumerate(zip(got, want)):
        check(strip(g) == strip(w), f"{what}: message {i} is {strip(g)}, expected {strip(w)}")
        check(g.id, f"{what}: message {i} has no id")


def cid(config: RunnableConfig | None) -> str | None:
    return config["configurable"]["checkpoint_id"] if config else None


def expected_conversation(turns: list[str]) -> list[BaseMessage]:
    """The messages the script gives for these turns (ids aside)."""
    out: list[BaseMessage] = []
    for prompt in turns:
        out.append(HumanMessage(prompt))
        for reply in SCRIPT[prompt]:
            out.append(reply)
            for c in reply.tool_calls:
                result = {t.name: t for t in TOOLS}[c["name"]].invoke(c["args"])
                out.append(ToolMessage(str(result), tool_call_id=c["id"], name=c["name"]))
    return out


def check_history(
    history: list[Any], saved: list[tuple[str, str | None, int, str]], what: str
) -> None:
    """get_state_history against what the saver stored: every checkpoint, newest
    first, with its parent, step and source."""
    got = [
        (cid(s.config), cid(s.parent_config), s.metadata["step"], s.metadata["source"])
        for s in history
    ]
    want = list(reversed(saved))
    check(
        len(got) == len(want), f"{what}: {len(got)} checkpoints in the history, {len(want)} stored"
    )
    for i, (g, w) in enumerate(zip(got, want)):
        check(g == w, f"{what}: history[{i}] is {g}, expected {w}")
    check(got[-1][1] is None, f"{what}: the oldest checkpoint has a parent")
    ids = [g[0] for g in got]
    check(len(set(ids)) == len(ids), f"{what}: a checkpoint listed twice")


def same_values(got: dict[str, Any], want: dict[str, Any], what: str) -> None:
    """Channel values: the same channels, each equal and of the same type."""
    check(got.keys() == want.keys(), f"{what}: channels {sorted(got)}, expected {sorted(want)}")
    for key, value in want.items():
        if isinstance(value, list) and value and isinstance(value[0], BaseMessage):
            same_messages(got[key], value, f"{what}, {key}")
        else:
            check(
                got[key] == value and type(got[key]) is type(value),
                f"{what}: {key} is {got[key]!r}, expected {value!r}",
            )


async def check_stored(s: Any, thread_id: str, frozen: dict[str, bytes], what: str) -> None:
    """Every checkpoint read back from pgmem holds the channel values it was given."""
    check(frozen, f"{what}: no checkpoint recorded")
    for checkpoint_id, values in frozen.items():
        config = {"configurable": {"thread_id": thread_id, "checkpoint_id": checkpoint_id}}
        if isinstance(s, AsyncPgmemSaver):
            stored = await s.aget_tuple(config)
        else:
            stored = s.get_tuple(config)
        check(stored is not None, f"{what}: checkpoint {checkpoint_id} is gone")
        same_values(
            stored.checkpoint["channel_values"],
            pickle.loads(values),
            f"{what}: checkpoint {checkpoint_id}",
        )


async def run_turns(d: Driver, config: RunnableConfig, turns: list[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for prompt in turns:
        values = await d.invoke({"messages": [HumanMessage(prompt)]}, config)
    return values


# --- Phases --------------------------------------------------------------------------


async def phase_turns(kind: str, dsn: str, thread_id: str, expected_file: str) -> None:
    """Several turns, then everything the fresh process needs to check, pickled."""
    log = Log()
    config: RunnableConfig = {"configurable": {"thread_id": thread_id}}
    async with saver(kind, dsn, log) as s:
        d = Driver(kind, agent_graph(s))
        values = await run_turns(d, config, TURNS)
        like_script(values["messages"], expected_conversation(TURNS), f"{kind}: the run's output")
        check(any(isinstance(m, ToolMessage) for m in values["messages"]), f"{kind}: no tool ran")
        check(
            values["tools_asked"] == {"multiply", "get_weather"},
            f"{kind}: tools_asked {values['tools_asked']}",
        )
        check(values["model_calls"] == 6, f"{kind}: model_calls {values['model_calls']}")
        # The state as this process last saw it: its values come from the run itself.
        final = values
    with open(expected_file, "wb") as f:
        pickle.dump(
            {"values": final, "saved": log.of(thread_id), "frozen": log.values_of(thread_id)}, f
        )


async def phase_resume(kind: str, dsn: str, thread_id: str, expected_file: str) -> None:
    """In a fresh process, from pgmem alone: state, history, fork, replay."""
    with open(expected_file, "rb") as f:
        expected = pickle.load(f)
    original: dict[str, Any] = expected["values"]
    saved = expected["saved"]
    log = Log()
    thread: RunnableConfig = {"configurable": {"thread_id": thread_id}}
    async with saver(kind, dsn, log) as s:
        d = Driver(kind, agent_graph(s))

        # The state, every channel, as the first process left it.
        state = await d.state(thread)
        same_messages(state.values["messages"], original["messages"], f"{kind}: resumed messages")
        for key in ("model_calls", "tools_asked", "last_call"):
            check(
                state.values[key] == original[key]
                and type(state.values[key]) is type(original[key]),
                f"{kind}: resumed {key} is {state.values[key]!r}, expected {original[key]!r}",
            )
        check(state.next == (), f"{kind}: resumed state has next {state.next}")
        check(
            cid(state.config) == saved[-1][0], f"{kind}: latest checkpoint is not the last stored"
        )

        # Every checkpoint as LangGraph gave it to the saver in the first process.
        await check_stored(s, thread_id, expected["frozen"], f"{kind}: stored")

        # The history: every checkpoint, newest first, each state a prefix of the last.
        history = await d.history(thread)
        check_history(history, saved, f"{kind}: history")
        for snap in history:
            msgs = snap.values.get("messages", [])
            same_messages(
                msgs, original["messages"][: len(msgs)], f"{kind}: checkpoint {cid(snap.config)}"
            )
        before = {cid(snap.config): snap.values for snap in history}

        # Fork: edit the answer of turn 2 at the checkpoint that ended it.
        n2 = len(expected_conversation(TURNS[:2]))
        end2 = next(
            snap
            for snap in history
            if snap.next == () and len(snap.values.get("messages", [])) == n2
        )
        answer = end2.values["messages"][-1]
        check(answer.content == "6 times 7 is 42.", f"{kind}: turn 2 ended with {answer.content!r}")
        edited = AIMessage("6 × 7 = 42 (edited)", id=answer.id)
        fork = await d.update(end2.config, {"messages": [edited]})
        forked = await d.state(fork)
        check(cid(fork) not in before, f"{kind}: update_state did not make a new checkpoint")
        check(
            cid(forked.parent_config) == cid(end2.config),
            f"{kind}: the fork's parent is not the edited checkpoint",
        )
        check(
            forked.metadata["source"] == "update",
            f"{kind}: the fork's source is {forked.metadata['source']}",
        )
        same_messages(
            forked.values["messages"],
            [*end2.values["messages"][:-1], edited],
            f"{kind}: the fork's messages",
        )
        after = await d.history(thread)
        check(cid(after[0].config) == cid(fork), f"{kind}: the fork is not the newest checkpoint")
        check_history(after[1:], saved, f"{kind}: the original history after the fork")
        for snap in after[1:]:
            same_messages(
                snap.values.get("messages", []),
                before[cid(snap.config)].get("messages", []),
                f"{kind}: checkpoint {cid(snap.config)} after the fork",
            )
        # The thread goes on from the fork.
        values = await d.invoke({"messages": [HumanMessage("and in Oslo?")]}, fork)
        want = [*forked.values["messages"], *expected_conversation(["and in Oslo?"])]
        like_script(values["messages"], want, f"{kind}: the turn after the fork")
        same_messages(
            values["messages"][:n2], forked.values["messages"], f"{kind}: the fork's prefix"
        )
        latest = await d.state(thread)
        same_messages(
            latest.values["messages"],
            values["messages"],
            f"{kind}: the thread's head after the fork",
        )
        check(
            latest.values["tools_asked"] == {"multiply", "get_weather"},
            f"{kind}: tools_asked after the fork",
        )

        # Replay: from the checkpoint where turn 2's prompt waits for the agent.
        n1 = len(expected_conversation(TURNS[:1]))
        asked = next(
            snap
            for snap in history
            if snap.next == ("agent",) and len(snap.values.get("messages", [])) == n1 + 1
        )
        check(
            asked.values["messages"][-1].content == TURNS[1],
            f"{kind}: replay point is not turn 2's prompt",
        )
        first_new = len(log.of(thread_id))
        values = await d.invoke(None, asked.config)
        want = expected_conversation(TURNS[:2])
        like_script(values["messages"], want, f"{kind}: the replay's output")
        same_messages(
            values["messages"][: n1 + 1], asked.values["messages"], f"{kind}: the replay's prefix"
        )
        check(
            values["messages"][n1 + 1].id != original["messages"][n1 + 1].id,
            f"{kind}: the replay did not call the model again",
        )
        replayed = log.of(thread_id)[first_new:]
        check(replayed, f"{kind}: the replay stored no checkpoint")
        check(
            replayed[0][1] == cid(asked.config) and replayed[0][3] == "fork",
            f"{kind}: the replay began with {replayed[0]}, not a fork of {cid(asked.config)}",
        )
        for prev, nxt in zip(replayed, replayed[1:]):
            check(
                nxt[1] == prev[0],
                f"{kind}: the replay's checkpoints do not chain: {prev} then {nxt}",
            )
        latest = await d.state(thread)
        check(
            cid(latest.config) == replayed[-1][0],
            f"{kind}: the head is not the replay's last checkpoint",
        )
        same_messages(
            latest.values["messages"], values["messages"], f"{kind}: the head after the replay"
        )
        # The whole history now: the original run, the fork and its turn, the replay.
        final = await d.history(thread)
        stored_here = log.of(thread_id)
        check_history(final, [*saved, *stored_here], f"{kind}: the history at the end")
        await check_stored(s, thread_id, log.values_of(thread_id), f"{kind}: fork and replay")


async def phase_interrupt(kind: str, dsn: str, thread_id: str, expected_file: str) -> None:
    """Run the approval graph until its interrupt."""
    log = Log()
    config: RunnableConfig = {"configurable": {"thread_id": thread_id}}
    async with saver(kind, dsn, log) as s:
        d = Driver(kind, review_graph(s))
        values = await d.invoke({"messages": [HumanMessage("what is 6 times 7?")]}, config)
        interrupts = values.get("__interrupt__")
        check(
            interrupts and len(interrupts) == 1, f"{kind}: expected one interrupt, got {interrupts}"
        )
        check(
            interrupts[0].value == {"question": "run these tools?", "calls": ["multiply"]},
            f"{kind}: interrupt value {interrupts[0].value}",
        )
        check(
            "audit" in values and len(values["audit"]) == 1, f"{kind}: audit {values.get('audit')}"
        )
        # The audit node's output, as stored among the checkpoint's pending writes.
        stored = s.get_tuple(config) if kind == "sync" else await s.aget_tuple(config)
        pending = [(ch, v) for _, ch, v in stored.pending_writes]
        check(
            any(ch == "__interrupt__" for ch, _ in pending),
            f"{kind}: no interrupt among pending writes {pending}",
        )
        audits = [v for ch, v in pending if ch == "audit"]
        check(
            len(audits) == 1 and audits[0][0].startswith("audit:"),
            f"{kind}: audit pending writes {audits}",
        )
        with open(expected_file, "wb") as f:
            pickle.dump(
                {
                    "audit": audits[0][0],
                    "interrupt_id": interrupts[0].id,
                    "messages": values["messages"],
                    "saved": log.of(thread_id),
                    "frozen": log.values_of(thread_id),
                },
                f,
            )


async def phase_interrupt_resume(kind: str, dsn: str, thread_id: str, expected_file: str) -> None:
    """In a fresh process: find the interrupt, resume it, check the audit ran once."""
    with open(expected_file, "rb") as f:
        expected = pickle.load(f)
    log = Log()
    config: RunnableConfig = {"configurable": {"thread_id": thread_id}}
    async with saver(kind, dsn, log) as s:
        d = Driver(kind, review_graph(s))
        state = await d.state(config)
        check(state.next == ("review",), f"{kind}: waiting on {state.next}, expected ('review',)")
        check(
            [i.id for i in state.interrupts] == [expected["interrupt_id"]],
            f"{kind}: interrupts {state.interrupts}",
        )
        done = {t.name: t.result for t in state.tasks if t.result is not None}
        check(done.get("audit") == {"audit": [expected["audit"]]}, f"{kind}: finished tasks {done}")
        same_messages(
            state.values["messages"], expected["messages"], f"{kind}: messages at the interrupt"
        )

        values = await d.invoke(Command(resume="approved"), config)
        check(
            "__interrupt__" not in values,
            f"{kind}: interrupted again: {values.get('__interrupt__')}",
        )
        check(
            values["audit"] == [expected["audit"], "review:approved"],
            f"{kind}: audit after the resume is {values['audit']}: not the stored one, the review",
        )
        want = expected_conversation(["what is 6 times 7?"])
        like_script(values["messages"], want, f"{kind}: messages after the resume")
        same_messages(
            values["messages"][:2], expected["messages"], f"{kind}: messages before the interrupt"
        )
        latest = await d.state(config)
        check(latest.next == () and not latest.interrupts, f"{kind}: not finished: {latest.next}")
        history = await d.history(config)
        check_history(
            history, [*expected["saved"], *log.of(thread_id)], f"{kind}: the approval history"
        )
        frozen = {**expected["frozen"], **log.values_of(thread_id)}
        await check_stored(s, thread_id, frozen, f"{kind}: approval, stored")


PHASES: dict[str, Callable[..., Any]] = {
    "turns": phase_turns,
    "resume": phase_resume,
    "interrupt": phase_interrupt,
    "interrupt-resume": phase_interrupt_resume,
}


def fresh_process(phase: str, kind: str, dsn: str, thread_id: str, expected_file: str) -> None:
    """The phase in a new Python process, which shares nothing with this one but pgmem."""
    result = subprocess.run(
        [
            sys.executable,
            HERE,
            "--dsn",
            dsn,
            "--phase",
            phase,
            "--saver",
            kind,
            "--thread",
            thread_id,
            "--expected",
            expected_file,
        ],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise Failure(f"{kind}: {phase} in a fresh process failed:\n{result.stdout}{result.stderr}")


def run_all(dsn: str) -> bool:
    ok = True
    run = uuid.uuid4().hex[:8]
    with tempfile.TemporaryDirectory() as tmp:
        for kind in ("sync", "async"):
            started = time.monotonic()
            try:
                thread_id = f"graph-{kind}-{run}"
                expected = os.path.join(tmp, f"{kind}-turns.pickle")
                asyncio.run(phase_turns(kind, dsn, thread_id, expected))
                fresh_process("resume", kind, dsn, thread_id, expected)
                thread_id = f"review-{kind}-{run}"
                expected = os.path.join(tmp, f"{kind}-interrupt.pickle")
                asyncio.run(phase_interrupt(kind, dsn, thread_id, expected))
                fresh_process("interrupt-resume", kind, dsn, thread_id, expected)
            except Exception as e:  # noqa: BLE001
                ok = False
                print(f"graph_test: {kind} FAILED: {type(e).__name__}: {e}")
            else:
                print(
                    f"graph_test: {kind} ok ({time.monotonic() - started:.1f} s): "
                    f"{len(TURNS)} turns with tools, resumed in a fresh process; "
                    "history, fork, replay; interrupt resumed in a fresh process"
                )
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dsn", required=True)
    parser.add_argument("--phase", choices=sorted(PHASES))
    parser.add_argument("--saver", choices=["sync", "async"])
    parser.add_argument("--thread")
    parser.add_argument("--expected")
    args = parser.parse_args()
    if args.phase:
        asyncio.run(PHASES[args.phase](args.saver, args.dsn, args.thread, args.expected))
        return
    ok = run_all(args.dsn)
    print(
        f"graph_test: {'ok' if ok else 'FAILED'}: "
        "PgmemSaver and AsyncPgmemSaver, resumed from pgmem alone"
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
