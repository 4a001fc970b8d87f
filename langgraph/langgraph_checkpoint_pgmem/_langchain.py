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

_REVIVER = Reviver(allowed_objects="core")
_UNKNOWN = object()


class _Field:
    __slots__ = ("info", "required", "factory")

    def __init__(self, info: Any) -> None:
        self.info = info
        self.required = info.is_required()
        self.factory = info.default_factory if info.default_factory in (dict, list) else None


# Per class: (lc id, its fields) when the direct form is known to be exact, else None.
_CLASSES: dict[type, tuple[list[str], dict[str, _Field]] | None] = {}


def form(value: Serializable) -> dict[str, Any]:
    """`value.to_json()`: the constructor form, kwargs holding only useful fields."""
    cls = type(value)
    spec = _CLASSES.get(cls, _UNKNOWN)
    if spec is _UNKNOWN:
        spec = _CLASSES[cls] = _spec(value)
    if spec is None:
        return value.to_json()
    return _direct(value, *spec)


def _spec(value: Serializable) -> tuple[list[str], dict[str, _Field]] | None:
    cls = type(value)
    # Only classes known to have no secrets, and attributes of their own at most.
    if not cls.__module__.startswith("langchain_core.messages."):
        return None
    fields = {
        name: _Field(info) for name, info in cls.model_fields.items() if not info.exclude
    }
    spec = (value.lc_id(), fields)
    return spec if _direct(value, *spec) == value.to_json() else None


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
        return _REVIVER(revived) if "lc" in revived else revived
    return value
