"""Argo CD's Lua runtime for argocd-cm scripts (health checks and resource actions), in lupa.

Argo CD runs these scripts in gopher-lua (Lua 5.1) with only the package, base and table libraries and
an `os` reduced to `time` and `date` (`util/lua/lua.go`, `runLuaWithResourceActionParameters`:
`SkipOpenLibs` unless `useOpenLibs`; `oslib_safe.go`). The object becomes the global `obj`
(`decodeValue`: maps are tables, lists are 1-based arrays, numbers are Lua numbers, nulls are absent);
the returned table comes back through JSON (`luajson.Encode`), where an empty table is `[]`, which
`cleanReturnedObj` turns back into `{}` where the input had a map.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from lupa import lua51

ARGOCD = Path(__file__).resolve().parents[3] / "deploy" / "argocd"
ACTIONS_DIR = ARGOCD / "actions"
# What discovery may say about an action (`ResourceAction` in Argo CD's types.go).
DISCOVERY_FIELDS = {"disabled", "displayName", "iconClass", "params"}

# Lua 5.1 as Argo CD configures it: base, package and table; `os` reduced to time/date; nothing else.
SANDBOX = """
local safe_os = {time = os.time, date = os.date}
debug.setmetatable("", nil)
string, math, io, debug, coroutine, python = nil, nil, nil, nil, nil, nil
os = safe_os
package.loaded.os = safe_os
"""


def new_runtime() -> Any:
    lua = lua51.LuaRuntime(register_eval=False, register_builtins=False)
    lua.execute(SANDBOX)
    return lua


def to_lua(lua: Any, value: Any) -> Any:
    """The value as Argo CD's `decodeValue` hands it to Lua."""
    if isinstance(value, Mapping):
        table = lua.table()
        for key, item in value.items():
            if item is not None:
                table[str(key)] = to_lua(lua, item)
        return table
    if isinstance(value, list):
        array = lua.table()
        for index, item in enumerate(value, start=1):
            array[index] = to_lua(lua, item)
        return array
    if isinstance(value, bool | str):
        return value
    if isinstance(value, int | float):
        return float(value)  # gopher-lua numbers are float64
    raise TypeError(f"no Lua form for {value!r}")


def from_lua(value: Any, before: Any = None) -> Any:
    """A returned Lua value as Argo CD reads it back (JSON, then `cleanReturnedObj` against `before`)."""
    if lua51.lua_type(value) == "table":
        items = dict(value.items())
        if not items:
            return {} if isinstance(before, Mapping) else []
        if all(isinstance(key, int) for key in items) and set(items) == set(range(1, len(items) + 1)):
            old = before if isinstance(before, list) else []
            return [
                from_lua(items[i], old[i - 1] if i <= len(old) else None) for i in range(1, len(items) + 1)
            ]
        old_map = before if isinstance(before, Mapping) else {}
        return {str(k): from_lua(v, old_map.get(str(k))) for k, v in items.items()}
    if isinstance(value, float) and value.is_integer():
        return int(value)  # JSON has one number type; an integral float64 encodes without a fraction
    if lua51.lua_type(value) is not None:
        raise TypeError(f"no JSON form for the Lua {lua51.lua_type(value)} {value!r}")
    return value


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def action_lua(name: str) -> str:
    return (ACTIONS_DIR / name / "action.lua").read_text()


def run_discovery(obj: Mapping[str, Any], script: str | None = None) -> dict[str, dict[str, Any]]:
    lua = new_runtime()
    lua.globals().obj = to_lua(lua, obj)
    result = from_lua(
        lua.execute(script if script is not None else (ACTIONS_DIR / "discovery.lua").read_text()), {}
    )
    assert isinstance(result, dict), "discovery must return a table of action name -> table"
    for name, action in result.items():
        assert isinstance(action, dict) and set(action) <= DISCOVERY_FIELDS, (name, action)
        assert isinstance(action.get("disabled", False), bool), (name, action)
    return result


def run_action(name: str, obj: Mapping[str, Any]) -> dict[str, Any]:
    lua = new_runtime()
    lua.globals().obj = to_lua(lua, obj)
    result = from_lua(lua.execute(action_lua(name)), obj)
    assert isinstance(result, dict), "an action returns the modified object"
    return result


def merge_patch(before: Any, after: Any) -> Any:
    """RFC 7386 merge patch from before to after, as `jsonpatch.CreateMergePatch` makes it."""
    if not (isinstance(before, dict) and isinstance(after, dict)):
        return after
    patch: dict[str, Any] = {key: None for key in before if key not in after}
    for key, value in after.items():
        if key not in before:
            patch[key] = value
        elif before[key] != value:
            patch[key] = merge_patch(before[key], value)
    return patch


def plain(obj: Mapping[str, Any]) -> dict[str, Any]:
    """The object as Argo CD hands it to Lua (nulls are absent), for comparing with what comes back."""

    def strip(value: Any) -> Any:
        if isinstance(value, Mapping):
            return {str(k): strip(v) for k, v in value.items() if v is not None}
        if isinstance(value, list):
            return [strip(v) for v in value]
        return value

    result: dict[str, Any] = strip(obj)
    return result
