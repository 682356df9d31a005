"""Load instrument files, report every problem with its file and line, build the catalogue."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from app.instruments.schema import Instrument
from app.instruments.validation import Loc, problems


class InstrumentError(Exception):
    """One or more problems in instrument files; ``problems`` holds one line per problem."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class LoadedInstrument:
    instrument: Instrument
    path: Path
    sha256: str


def load_text(text: str, label: str) -> Instrument:
    """Parse and validate one instrument file's text; raise InstrumentError listing every problem."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        what = getattr(exc, "problem", None) or str(exc)
        raise InstrumentError([f"{label}{line}: YAML syntax: {what}"]) from None
    if not isinstance(data, dict):
        raise InstrumentError([f"{label}:1: the file must be a mapping of keys such as id, version, items"])
    found = [f"{label}:{line}: duplicate key '{key}'" for line, key in _duplicate_keys(root)]
    try:
        instrument = Instrument.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            loc = tuple(error["loc"])
            found.append(f"{label}:{_line(root, loc)}: {_where(data, loc)}: {_message(error)}")
        raise InstrumentError(found) from None
    for loc, message in problems(instrument):
        found.append(f"{label}:{_line(root, loc)}: {_where(data, loc)}: {message}")
    if found:
        raise InstrumentError(found)
    return instrument


def load_file(path: Path, label: str | None = None) -> LoadedInstrument:
    raw = path.read_bytes()
    label = label or str(path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InstrumentError([f"{label}: the file is not valid UTF-8 (byte {exc.start})"]) from None
    instrument = load_text(text, label)
    return LoadedInstrument(instrument, path, hashlib.sha256(raw).hexdigest())


@dataclass
class Catalogue:
    """Every published instrument version, loaded once at start-up, immutable."""

    entries: dict[tuple[str, str], LoadedInstrument] = field(default_factory=dict)

    def get(self, instrument_id: str, version: str) -> Instrument:
        return self.entries[(instrument_id, version)].instrument

    def find(self, instrument_id: str, version: str) -> Instrument | None:
        entry = self.entries.get((instrument_id, version))
        return entry.instrument if entry else None

    def loaded(self, instrument_id: str, version: str) -> LoadedInstrument:
        return self.entries[(instrument_id, version)]

    def all(self) -> list[Instrument]:
        return [e.instrument for _, e in sorted(self.entries.items(), key=lambda kv: (kv[0][0], version_key(kv[0][1])))]

    def latest(self, instrument_id: str) -> Instrument | None:
        versions = [i for i in self.all() if i.id == instrument_id]
        return versions[-1] if versions else None


def version_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split("."))


def load_catalogue(root: Path, files: list[Path] | None = None) -> Catalogue:
    """Load ``root/<id>/<version>.yaml`` (or the given files); all-or-nothing."""
    catalogue = Catalogue()
    found: list[str] = []
    paths = files if files is not None else sorted(root.glob("*/*.yaml"))
    for path in paths:
        label = _label(path, root)
        try:
            entry = load_file(path, label)
        except InstrumentError as exc:
            found += exc.problems
            continue
        inst = entry.instrument
        if files is None and (path.parent.name != inst.id or path.stem != inst.version):
            found.append(f"{label}:1: the file declares {inst.id} {inst.version}; it must lie at {inst.id}/{inst.version}.yaml")
            continue
        if inst.key in catalogue.entries:
            found.append(f"{label}:1: {inst.id} {inst.version} is already defined in {catalogue.entries[inst.key].path}")
            continue
        catalogue.entries[inst.key] = entry
    found += _supersede_problems(catalogue, root)
    if found:
        raise InstrumentError(found)
    return catalogue


def _supersede_problems(catalogue: Catalogue, root: Path) -> list[str]:
    found: list[str] = []
    for entry in catalogue.entries.values():
        inst = entry.instrument
        if inst.changes is None:
            continue
        label = _label(entry.path, root)
        tree = yaml.compose(entry.path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
        older = catalogue.find(inst.id, inst.changes.supersedes) or _superseded(entry, root)
        if isinstance(older, Path):
            found.append(f"{label}:{_line(tree, ('changes', 'supersedes'))}: changes.supersedes: {inst.id} {inst.changes.supersedes} "
                         f"cannot be compared: {_label(older, root)} has problems of its own")
            continue
        if older is None:
            found.append(f"{label}:{_line(tree, ('changes', 'supersedes'))}: changes.supersedes: {inst.id} {inst.changes.supersedes} "
                         f"is not in the catalogue (no {inst.id}/{inst.changes.supersedes}.yaml)")
            continue
        for kind, before in (("items", {i.id for i in older.items}), ("domains", {d.id for d in older.domains})):
            changes = getattr(inst.changes, kind)
            olds: list[tuple[Loc, str]] = [
                *((("changes", kind, "renamed", old), old) for old in changes.renamed),
                *((("changes", kind, "retired", n), old) for n, old in enumerate(changes.retired)),
                *((("changes", kind, "merged", new, n), old) for new, merged in changes.merged.items() for n, old in enumerate(merged)),
            ]
            for loc, old in olds:
                if old not in before:
                    found.append(f"{label}:{_line(tree, loc)}: changes.{kind}: '{old}' is not in version {older.version}")
    return found


def _superseded(entry: LoadedInstrument, root: Path) -> Instrument | Path | None:
    """The version ``entry`` supersedes, from a file beside it or under ``root`` (when checking single files).

    The path of that file instead when it does not load (its own problems are its own messages); None without one.
    """
    inst = entry.instrument
    assert inst.changes is not None
    name = f"{inst.changes.supersedes}.yaml"
    for path in (entry.path.parent / name, root / inst.id / name):
        if path.is_file():
            try:
                older = load_file(path).instrument
            except InstrumentError:
                return path
            if older.key == (inst.id, inst.changes.supersedes):
                return older
    return None


def _label(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve().parent))
    except ValueError:
        return str(path)


def _duplicate_keys(node: Any) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key, value in node.value:
            if key.value in seen:
                found.append((key.start_mark.line + 1, key.value))
            seen.add(key.value)
            found += _duplicate_keys(value)
    elif isinstance(node, yaml.SequenceNode):
        for value in node.value:
            found += _duplicate_keys(value)
    return found


def _line(node: Any, loc: Loc) -> int:
    """The line of the deepest node that ``loc`` reaches in the YAML tree."""
    line = node.start_mark.line + 1 if node is not None else 1
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next(((k, v) for k, v in node.value if k.value == str(part)), None)
            if match is None:
                break
            key, node = match
            line = key.start_mark.line + 1
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def _where(data: Any, loc: Loc) -> str:
    """``items[3] (lead-04).domain``: a location a person can find in the file."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
            if isinstance(data, list) and part < len(data):
                data = data[part]
                if isinstance(data, dict) and isinstance(data.get("id"), str):
                    out += f" ({data['id']})"
                continue
        else:
            out += f".{part}" if out else str(part)
            if isinstance(data, dict):
                data = data.get(part)
                continue
        data = None
    return out or "file"


def _message(error: Any) -> str:
    kind, loc = error["type"], error["loc"]
    if kind == "extra_forbidden":
        return f"unknown key '{loc[-1]}'"
    if kind == "missing":
        return f"missing key '{loc[-1]}'"
    msg = str(error["msg"])
    return msg.removeprefix("Value error, ")
