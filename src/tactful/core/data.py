"""One loader for every YAML file tactful reads: the data it ships and the policies users write.

Each file has a typed model (pydantic) next to the code that uses it: the rule catalogue and
rule files in :mod:`tactful.core.ruleset`, policy layers in :mod:`tactful.core.policy`,
platform limits in :mod:`tactful.networks.length`, and so on. A file is parsed with libyaml
(``yaml.CSafeLoader``; the pure-Python loader only where libyaml is missing), validated
against its model, and cached by the module that owns it, so it is read once per process.

An error names the file, the line and the field, and says what to do::

    rules/en/work.yml line 42, rules[3].severity: 'blocker' is not one of info, warn, block;
    fix the value

Example::

    limits = Source.package("tactful.networks", "limits.yml").load(LimitsFile)
"""

from __future__ import annotations

import difflib
import re
import string
import types
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    RootModel,
    ValidationError,
)

from tactful.errors import PolicyError, RuleDataError, TactfulError

__all__ = [
    "DataModel",
    "Fraction",
    "PositiveWholeNumber",
    "Source",
    "Text",
    "WholeNumber",
    "placeholders",
]

# libyaml parses our data files about ten times faster than the pure-Python loader.
_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

M = TypeVar("M", bound=BaseModel)
Path_ = Sequence[str | int]


class DataModel(BaseModel):
    """Base of every file model: an unknown key is an error, a loaded value never changes."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _text(value: str) -> str:
    value = value.strip()
    if not value:
        raise ValueError("must not be empty; write the text")
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _fraction(value: Any) -> Any:
    if not _is_number(value) or not 0 <= value <= 1:
        raise ValueError(f"{_show(value)} is not a number between 0 and 1; fix the value")
    return float(value)


def _whole(value: Any) -> Any:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValueError(f"{_show(value)} is not a whole number, 0 or more; fix the value")
    return value


def _positive(value: Any) -> Any:
    if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
        raise ValueError(f"{_show(value)} is not a positive whole number; fix the value")
    return value


def placeholders(*allowed: str) -> Callable[[str], str]:
    """A check that a ``str.format`` template names only ``allowed`` placeholders."""

    def check(template: str) -> str:
        try:
            names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
        except ValueError as exc:
            raise ValueError(f"{exc}; write {{{{ and }}}} for a literal brace") from None
        unknown = sorted(names - set(allowed))
        if unknown:
            raise ValueError(
                f"unknown placeholder {{{unknown[0]}}}; use only "
                + ", ".join(f"{{{a}}}" for a in allowed)
            )
        return template

    return check


# YAML reads "1000" and 2.5 as what they are; a count or a limit in a data file is a whole
# number as written, so these check the value before pydantic would convert it.
Text = Annotated[str, AfterValidator(_text)]
"""Non-empty text, surrounding whitespace removed."""
Fraction = Annotated[float, BeforeValidator(_fraction)]
"""A number in [0, 1] (a score, a threshold)."""
WholeNumber = Annotated[int, BeforeValidator(_whole)]
PositiveWholeNumber = Annotated[int, BeforeValidator(_positive)]


@dataclass(frozen=True, slots=True)
class Source:
    """One YAML document and how messages name it. ``text`` is None for data that never was
    a file (an account's policy from the store): messages then name no line."""

    name: str
    text: str | None = None
    error: type[TactfulError] = RuleDataError

    @classmethod
    def package(
        cls, package: str, relative: str, *, error: type[TactfulError] = RuleDataError
    ) -> Source:
        """A file shipped inside ``package`` (``"tactful.networks"``, ``"limits.yml"``)."""
        path: Traversable = resources.files(package)
        for part in relative.split("/"):
            path = path.joinpath(part)
        shown = "/".join([*package.split(".")[1:], relative])
        return cls.read(path, shown, error=error)

    @classmethod
    def read(
        cls, path: Traversable, name: str, *, error: type[TactfulError] = RuleDataError
    ) -> Source:
        try:
            return cls(name, path.read_text(encoding="utf-8"), error)
        except FileNotFoundError:
            raise error(f"{name} not found; check the path") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise error(f"{name} cannot be read ({exc}); save it as UTF-8 text") from None

    @classmethod
    def file(cls, path: str | Path, *, error: type[TactfulError] = PolicyError) -> Source:
        """A file a user names (``--policy team.yml``); the message shows the path as given."""
        return cls.read(Path(path), str(path), error=error)

    def parse(self) -> Any:
        """The YAML document as Python values (an empty file is an empty mapping)."""
        if self.text is None:
            return {}
        try:
            data = yaml.load(self.text, Loader=_LOADER)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = f" line {mark.line + 1}" if mark is not None else ""
            problem = getattr(exc, "problem", None) or "cannot be parsed"
            raise self.error(
                f"{self.name}{line}: not valid YAML ({problem}); fix the file and run again"
            ) from None
        return {} if data is None else data

    def load(self, model: type[M], *, context: Mapping[str, Any] | None = None) -> M:
        """Parse and validate against ``model``."""
        return self.validate(model, self.parse(), context=context)

    def validate(self, model: type[M], data: Any, *, context: Mapping[str, Any] | None = None) -> M:
        """Validate already-parsed ``data`` (from this source) against ``model``."""
        try:
            return model.model_validate({} if data is None else data, context=context)
        except ValidationError as exc:
            raise self._explain(model, data, exc) from None

    def error_at(self, path: Path_, problem: str, fix: str = "fix the value") -> TactfulError:
        """An error about the value at ``path`` (``("rules", 3, "check")``) that the model
        alone cannot see (a duplicate across files, a cross-reference)."""
        line = self._line(path) if self.text is not None else None
        return self.error(self._message(path, line, problem, fix))

    # ------------------------------------------------------------------ messages

    def _message(self, path: Path_, line: int | None, problem: str, fix: str) -> str:
        where = self.name + (f" line {line}" if line is not None else "")
        field = _dotted(path)
        head = f"{where}, {field}" if field else where
        return f"{head}: {problem}" + (f"; {fix}" if fix else "")

    def _explain(self, model: type[BaseModel], data: Any, exc: ValidationError) -> TactfulError:
        errors = _root_causes(exc.errors(include_url=False))
        first = errors[0]
        loc = tuple(first["loc"])
        path, key = _clean_path(data, loc, first["type"])
        problem, fix = _problem(first, key, model, loc, at_root=not path)
        line = self._line(path if key is None or first["type"] == "missing" else [*path, key])
        message = self._message(path, line if self.text is not None else None, problem, fix)
        if len(errors) > 1:
            message += f" ({len(errors) - 1} more in this file)"
        return self.error(message)

    def _line(self, path: Path_) -> int | None:
        """1-based line of the value at ``path`` (of its key, for a mapping entry)."""
        if self.text is None:
            return None
        try:
            node = yaml.compose(self.text, Loader=_LOADER)
        except yaml.YAMLError:
            return None
        if node is None:
            return 1
        line = node.start_mark.line
        for elem in path:
            if isinstance(node, yaml.MappingNode):
                for key_node, value_node in node.value:
                    if str(key_node.value) == str(elem):
                        line, node = key_node.start_mark.line, value_node
                        break
                else:
                    break
            elif isinstance(node, yaml.SequenceNode) and isinstance(elem, int):
                if not 0 <= elem < len(node.value):
                    break
                node = node.value[elem]
                line = node.start_mark.line
            else:
                break
        return line + 1


def _root_causes(errors: list[Any]) -> list[Any]:
    """The errors worth reporting, the most telling first: a list that is "too short" only
    because its items failed is dropped, and where a key is missing next to an unknown one
    (a misspelling) the unknown key comes first."""
    locs = [tuple(e["loc"]) for e in errors]
    kept = [
        e
        for e, loc in zip(errors, locs, strict=True)
        if e["type"] != "too_short" or not any(o[: len(loc)] == loc and o != loc for o in locs)
    ]
    first = kept[0]
    if first["type"] == "missing":
        parent = tuple(first["loc"])[:-1]
        for e in kept:
            if e["type"] == "extra_forbidden" and tuple(e["loc"])[:-1] == parent:
                kept.remove(e)
                kept.insert(0, e)
                break
    return kept


def _dotted(path: Path_) -> str:
    out = ""
    for elem in path:
        out += f"[{elem}]" if isinstance(elem, int) else (f".{elem}" if out else str(elem))
    return out


def _clean_path(data: Any, loc: Sequence[Any], kind: str) -> tuple[list[str | int], Any]:
    """The part of pydantic's ``loc`` that exists in the file, and the key the error is about.

    ``loc`` also holds names that are not in the file: the model a shorthand was read as, a
    ``[key]`` marker, or a missing key. A missing or unknown key is returned separately (the
    message names it); a field below a scalar (``rules.offense: loud`` read as a mapping with
    ``severity``) stays in the path.
    """
    path: list[str | int] = []
    cur = data
    for i, elem in enumerate(loc):
        last = i == len(loc) - 1
        if isinstance(cur, Mapping):
            if elem in cur:
                if last and kind == "extra_forbidden":
                    return path, elem
                path.append(elem)
                cur = cur[elem]
            elif last and kind == "missing":
                return path, elem
        elif isinstance(cur, list) and isinstance(elem, int) and 0 <= elem < len(cur):
            path.append(elem)
            cur = cur[elem]
        elif not isinstance(cur, list | Mapping) and isinstance(elem, str) and elem != "[key]":
            path.append(elem)
            cur = None
    return path, None


_NOUNS = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "list_type": "a list",
    "tuple_type": "a list",
    "set_type": "a list",
    "frozen_set_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
}


def _show(value: Any) -> str:
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if value is None:
        return "empty"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _problem(
    err: Mapping[str, Any], key: Any, model: type[BaseModel], loc: Sequence[Any], *, at_root: bool
) -> tuple[str, str]:
    """(what is wrong, what to do) for one pydantic error."""
    kind = err["type"]
    value = err.get("input")
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return f"{key!r} is missing", "add it"
    if kind == "extra_forbidden":
        allowed = _allowed_keys(model, loc[:-1])
        close = difflib.get_close_matches(str(key), allowed, n=1)
        if close:
            return f"unknown key {key!r} (did you mean {close[0]!r}?)", "fix its spelling"
        also = f" (allowed: {', '.join(allowed)})" if allowed else ""
        return f"unknown key {key!r}{also}", "remove it or fix its spelling"
    if kind in ("enum", "literal_error"):
        options = ", ".join(re.findall(r"'([^']*)'", str(ctx.get("expected", ""))))
        return f"{_show(value)} is not one of {options}", "fix the value"
    if kind in ("value_error", "assertion_error"):
        text = str(ctx.get("error", err["msg"]))
        problem, _, fix = text.partition("; ")
        return problem, fix or "fix the value"
    if kind in _NOUNS:
        noun = _NOUNS[kind]
        if at_root and noun == "a mapping":
            return f"the file must be a YAML mapping (key: value lines), not {_show(value)}", (
                "see the format in docs/"
            )
        return f"must be {noun}, not {_show(value)}", "fix the value"
    if kind == "too_short":
        n = ctx.get("min_length", 1)
        return f"needs at least {n} item{'s' if n != 1 else ''}", "add one"
    msg = str(err["msg"])
    return msg[:1].lower() + msg[1:], "fix the value"


def _allowed_keys(model: type[BaseModel], loc: Sequence[Any]) -> list[str]:
    """The keys the model allows at ``loc`` (for "unknown key" messages)."""
    target: Any = model
    for elem in loc:
        target = _unwrap(target)
        if isinstance(target, type) and issubclass(target, RootModel):
            target = _unwrap(target.model_fields["root"].annotation)
        if isinstance(target, type) and issubclass(target, BaseModel):
            fields = {(f.alias or name): f for name, f in target.model_fields.items()}
            if elem in fields:
                target = fields[elem].annotation
            elif elem != target.__name__:
                return []
            continue
        origin, args = get_origin(target), get_args(target)
        if origin in (list, tuple, set, frozenset) and isinstance(elem, int) and args:
            target = args[0]
        elif origin is dict and len(args) == 2:
            if elem != "[key]":
                target = args[1]
        else:
            return []
    target = _unwrap(target)
    if isinstance(target, type) and issubclass(target, BaseModel):
        return sorted((f.alias or name) for name, f in target.model_fields.items())
    return []


def _unwrap(target: Any) -> Any:
    """``X`` from ``Annotated[X, ...]`` and from ``X | None``."""
    while True:
        origin = get_origin(target)
        if origin is Annotated:
            target = get_args(target)[0]
        elif origin in (Union, types.UnionType):
            members = [a for a in get_args(target) if a is not type(None)]
            if len(members) != 1:
                return target
            target = members[0]
        else:
            return target
