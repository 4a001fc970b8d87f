"""LangChain objects in LangChain's own JSON form, made and revived without the detours
of `dumpd` (a JSON round trip) and the serializer's `json` path (another), which cost
more than everything else a checkpoint's save or read does in Python.

`form` gives what `Serializable.to_json` gives; for the message classes of
langchain_core it computes it from the fields directly, once checked against
`to_json` on the class's first object. `revive` gives what LangGraph's default
serializer makes of the form: langchain_core's Reviver restricted to its core classes.
"""

from __future__ import annotations

from typing import Any

from langchain_core.load.load import Reviver
from langchain_core.load.serializable import Serializable, _try_neq_default
from langchain_core.messages import BaseMessage

_REVIVER = Reviver(allowed_objects="core")
_UNKNOWN = object()
# Per LangChain id, the message class the Reviver made of it: its checks depend on the
# id alone (and the template check it also runs concerns prompts, not messages).
_MESSAGES: dict[tuple[str, ...], type[BaseMessage]] = {}


class _Field:
    __slots__ = ("info", "required", "factory")

    def __init__(self, info: Any) -> None:
        self.info = info
        self.required = info.is_required()
        self.factory = info.default_factory if info.default_factory in (dict, list) else None


# Per class: how its objects become forms. _SLOW: by `to_json`; None: they do not, as
# their form would not revive to an equal object of the class (an application's own
# message class, which the core reviver refuses, say); else (lc id, fields), made
# directly, known to equal `to_json`.
_CLASSES: dict[type, Any] = {}
_SLOW = "to_json"


def form(value: Serializable) -> dict[str, Any] | None:
    """`value.to_json()`, the constructor form, when it revives to an equal object of
    the same class; None when it does not."""
    cls = type(value)
    spec = _CLASSES.get(cls, _UNKNOWN)
    if spec is _UNKNOWN:
        spec = _CLASSES[cls] = _spec(value)
    if spec is None:
        return None
    if spec is _SLOW:
        return value.to_json()
    return _direct(value, *spec)


def _spec(value: Serializable) -> Any:
    cls = type(value)
    slow = value.to_json()
    try:
        revived = _object(slow) if slow.get("type") == "constructor" else None
    except Exception:
        revived = None
    if type(revived) is not cls or revived != value:
        return None
    # Only classes known to have no secrets, and attributes of their own at most.
    if not cls.__module__.startswith("langchain_core.messages."):
        return _SLOW
    fields = {
        name: _Field(info) for name, info in cls.model_fields.items() if not info.exclude
    }
    spec = (value.lc_id(), fields)
    return spec if _direct(value, *spec) == slow else _SLOW


def _direct(value: Serializable, lc_id: list[str], fields: dict[str, _Field]) -> dict[str, Any]:
    kwargs = {}
    for key, v in value.__dict__.items():
        field = fields.get(key)
        if field is None:
            continue
        if field.required or _truthy(v) or (
            not (field.factory is not None and type(v) is field.factory)
            and _try_neq_default(v, field.info)
        ):
            kwargs[key] = v
    # AIMessage's tool calls, for one: the classes checked have no other attributes.
    kwargs.update(value.lc_attributes)
    return {"lc": 1, "type": "constructor", "id": lc_id, "kwargs": kwargs}


def _truthy(v: Any) -> bool:
    try:
        return bool(v)
    except Exception:
        return False


def revive(value: Any) -> Any:
    """A JSON value with LangChain forms in it, the forms revived (innermost first)."""
    kind = type(value)
    if kind is list:
        return [revive(v) for v in value]
    if kind is dict:
        revived = {k: revive(v) for k, v in value.items()}
        return _object(revived) if "lc" in revived else revived
    return value


def revive_top(value: Any) -> Any:
    """`revive` for a value whose forms are itself or the items of it, a list, with no
    form inside a form (a list of messages): nothing else needs to be walked."""
    if type(value) is list:
        return [_object(v) if type(v) is dict and "lc" in v else v for v in value]
    return _object(value) if type(value) is dict and "lc" in value else value


def _object(form: dict[str, Any]) -> Any:
    lc_id = form.get("id")
    cls = _MESSAGES.get(tuple(lc_id)) if type(lc_id) is list else None
    if cls is not None and form.get("lc") == 1 and form.get("type") == "constructor":
        return cls(**form.get("kwargs", {}))
    revived = _REVIVER(form)
    if isinstance(revived, BaseMessage) and type(revived).__module__.startswith("langchain_core.messages."):
        _MESSAGES[tuple(lc_id)] = type(revived)
    return revived
