"""Load instrument files, report every problem with its file and line, build the catalogue.

A published version's file never changes (its hash is recorded in each database, app.assessments.catalogue). A
spelling or typography slip found later is corrected beside it, in ``<id>/corrections/<version>.yaml``: each
correction names one string by its place in the file, the text it had and the text it has now, and may change at most
MAX_CORRECTION_EDITS characters of it (anything more is a new version). The loader applies them before validating.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable
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


CORRECTIONS = "corrections"  # the folder beside a version's file that holds its corrections
MAX_CORRECTION_EDITS = 3  # characters a correction may insert, remove or replace in one string


@dataclass(frozen=True)
class Correction:
    """One string of a published version, corrected: ``at`` is its place (``scales.implementation.options.3.label.en``)."""

    at: str
    was: str
    now: str

    @property
    def lang(self) -> str:
        """The language of the corrected string (the last part of ``at``)."""
        return self.at.rsplit(".", 1)[-1]

    def parts(self) -> tuple[str, str, str, str]:
        """(text before, the words as they were, the words as they are, text after): the words that changed, whole."""
        start = 0
        while start < min(len(self.was), len(self.now)) and self.was[start] == self.now[start]:
            start += 1
        end = 0
        while end < min(len(self.was), len(self.now)) - start and self.was[-1 - end] == self.now[-1 - end]:
            end += 1
        def boundary(text: str, i: int) -> bool:  # between two words (or at an end)
            return i in (0, len(text)) or text[i - 1].isspace() or text[i].isspace()

        while not (boundary(self.was, start) and boundary(self.now, start)):
            start -= 1
        while not (boundary(self.was, len(self.was) - end) and boundary(self.now, len(self.now) - end)):
            end -= 1
        return self.was[:start], self.was[start:len(self.was) - end], self.now[start:len(self.now) - end], self.was[len(self.was) - end:]


@dataclass(frozen=True)
class LoadedInstrument:
    instrument: Instrument
    path: Path
    sha256: str  # of the published file alone: corrections never change it
    corrections: tuple[Correction, ...] = ()


def parse_yaml(text: str) -> tuple[Any, Any]:
    """A YAML text's node tree (for the line of every key) and its data, parsed by libyaml where PyYAML has it (the
    instrument files took the pure-Python parser 0.2-0.3 s each to read twice, libyaml 0.02-0.03 s).
    A text libyaml refuses is parsed again by the pure-Python parser, so that the error an author reads, and its line,
    are that parser's whichever is installed."""
    fast = getattr(yaml, "CSafeLoader", None)
    if fast is not None:
        try:
            return yaml.compose(text, Loader=fast), yaml.load(text, Loader=fast)  # noqa: S506 - a safe loader
        except yaml.YAMLError:
            pass
    return yaml.compose(text, Loader=yaml.SafeLoader), yaml.safe_load(text)


def load_text(text: str, label: str, amend: Callable[[dict[str, Any]], list[str]] | None = None) -> Instrument:
    """Parse and validate one instrument file's text; raise InstrumentError listing every problem.

    ``amend`` changes the parsed data before it is validated (the version's corrections) and returns its problems."""
    try:
        root, data = parse_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        what = getattr(exc, "problem", None) or str(exc)
        raise InstrumentError([f"{label}{line}: YAML syntax: {what}"]) from None
    if not isinstance(data, dict):
        raise InstrumentError([f"{label}:1: the file must be a mapping of keys such as id, version, items"])
    found = [f"{label}:{line}: duplicate key '{key}'" for line, key in _duplicate_keys(root)]
    if amend is not None:
        amended = amend(data)
        if amended:
            raise InstrumentError(found + amended)
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
    corrections_file = corrections_path(path)
    corrections: list[Correction] = []
    amend = None
    if corrections_file.is_file():
        def amend(data: dict[str, Any]) -> list[str]:
            found, done = apply_corrections(data, corrections_file, _label_beside(corrections_file, path, label))
            corrections.extend(done)
            return found
    instrument = load_text(text, label, amend)
    return LoadedInstrument(instrument, path, hashlib.sha256(raw).hexdigest(), tuple(corrections))


def corrections_path(path: Path) -> Path:
    """Where the corrections of the version in ``path`` (``<id>/<version>.yaml``) are kept."""
    return path.parent / CORRECTIONS / path.name


def _label_beside(corrections_file: Path, path: Path, label: str) -> str:
    """The corrections file's name as the instrument file's label names that file (relative or not)."""
    return label[: -len(path.name)] + f"{CORRECTIONS}/{path.name}" if label.endswith(path.name) else str(corrections_file)


def apply_corrections(data: dict[str, Any], corrections_file: Path, label: str) -> tuple[list[str], list[Correction]]:
    """Apply the corrections in ``corrections_file`` to an instrument file's parsed ``data``.

    A correction names one translated text (one language of a title, a question, an option...), never an id, a
    reference or an address; it may change at most MAX_CORRECTION_EDITS characters, and no number or negation (NEGATIONS
    in the text's language). Returns the problems (each with the corrections file's line) and the corrections applied;
    nothing is applied when there is a problem, and a problem stops the version from loading."""
    try:
        text = corrections_file.read_text(encoding="utf-8")
        tree, entries = parse_yaml(text)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        return [f"{label}: cannot be read: {getattr(exc, 'problem', None) or exc}"], []
    if not isinstance(entries, dict) or not isinstance(entries.get(CORRECTIONS), list) or set(entries) != {CORRECTIONS}:
        return [f"{label}:1: the file must hold one key, corrections: a list of entries with at, was and now"], []
    languages = [lang for lang in data.get("languages") or [] if isinstance(lang, str)]
    found: list[str] = []
    done: list[Correction] = []
    seen: dict[tuple[int, Any], str] = {}
    for n, entry in enumerate(entries[CORRECTIONS]):
        line = _line(tree, (CORRECTIONS, n))
        if not isinstance(entry, dict) or not {"at", "was", "now"} <= set(entry) <= {"at", "was", "now", "why"} \
                or not all(isinstance(entry[k], str) for k in entry):
            found.append(f"{label}:{line}: a correction has the texts at, was and now (and why, if you like), nothing else")
            continue
        at, was, now = entry["at"], entry["was"], entry["now"]
        parent, key = _place(data, at, languages)
        if parent is None:
            found.append(f"{label}:{line}: at: the file has no translated text at '{at}' (a correction changes one "
                         f"language's text, such as items.<id>.text.{languages[0] if languages else 'en'})")
            continue
        if (id(parent), key) in seen:
            found.append(f"{label}:{line}: at: '{at}' is corrected already, by '{seen[(id(parent), key)]}'")
            continue
        seen[(id(parent), key)] = at
        current = parent[key]
        if current != was:
            found.append(f"{label}:{line}: was: the string at '{at}' is {current!r}, not {was!r}")
            continue
        edits = _edit_distance(was, now)
        if edits == 0 or edits > MAX_CORRECTION_EDITS:
            found.append(f"{label}:{line}: now: a correction changes 1 to {MAX_CORRECTION_EDITS} characters (this one {edits}); "
                         "publish a new version for a larger change")
            continue
        changed = _meaning_change(was, now, key)
        if changed:
            found.append(f"{label}:{line}: now: a correction changes no {changed}; publish a new version for that")
            continue
        done.append(Correction(at, was, now))
    if found:
        return found, []
    correct(data, done)
    return [], done


# Words that turn a statement around, per language: a correction may not add, remove or change one.
NEGATIONS = {
    "en": {"no", "not", "never", "none", "nobody", "nothing", "neither", "nor", "without", "cannot", "nowhere"},
    "es": {"no", "nunca", "jamás", "ni", "nadie", "nada", "ninguno", "ninguna", "ningún", "sin", "tampoco"},
}


def _meaning_change(was: str, now: str, lang: str) -> str:
    """What a correction would change beyond spelling: "number", "negation", or "" for neither."""
    if re.findall(r"\d", was) != re.findall(r"\d", now):
        return "number"
    words = NEGATIONS.get(lang.split("-")[0], set())

    def negations(text: str) -> list[str]:
        tokens = re.findall(r"[\w']+", text.lower())
        return sorted(t for t in tokens if t in words or t.endswith("n't"))

    return "negation" if negations(was) != negations(now) else ""


def correct(data: dict[str, Any], corrections: Iterable[Correction]) -> None:
    """Apply checked corrections (a loaded version's) to the parsed data of its file."""
    languages = [lang for lang in data.get("languages") or [] if isinstance(lang, str)]
    for correction in corrections:
        parent, key = _place(data, correction.at, languages)
        parent[key] = correction.now


def _place(data: Any, at: str, languages: list[str]) -> tuple[Any, Any]:
    """The text mapping and the language of the translated text at ``at`` (None, None when there is none).

    ``at`` is the keys to it joined by dots; in a list of elements with ids, an element's id; in another list, a
    position from 0. It ends in a language of the version, in a mapping that holds nothing but languages."""
    parent: Any = None
    key: Any = None
    node = data
    for part in at.split("."):
        parent = node
        if isinstance(node, dict) and part in node:
            key = part
        elif isinstance(node, list):
            if node and all(isinstance(e, dict) and "id" in e for e in node):
                key = next((n for n, e in enumerate(node) if str(e["id"]) == part), None)
            else:
                key = int(part) if part.isdigit() and int(part) < len(node) else None
            if key is None:
                return None, None
        else:
            return None, None
        node = parent[key]
    text_mapping = isinstance(parent, dict) and set(parent) <= set(languages)
    return (parent, key) if isinstance(node, str) and key in languages and text_mapping else (None, None)


def _edit_distance(a: str, b: str) -> int:
    """Characters inserted, removed or replaced to make ``b`` from ``a`` (Levenshtein)."""
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


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
    if files is None:
        found += _orphan_corrections(root)
    if found:
        raise InstrumentError(found)
    return catalogue


def _orphan_corrections(root: Path) -> list[str]:
    """A file in a corrections folder beside no version's file (a misspelt name is not ignored)."""
    return [f"{_label(path, root)}:1: corrects no version: there is no {_label(path.parent.parent / (path.stem + '.yaml'), root)}"
            for path in sorted(root.glob(f"*/{CORRECTIONS}/*"))
            if path.is_file() and (path.suffix != ".yaml" or not (path.parent.parent / path.name).is_file())]


def _supersede_problems(catalogue: Catalogue, root: Path) -> list[str]:
    found: list[str] = []
    for entry in catalogue.entries.values():
        inst = entry.instrument
        if inst.changes is None:
            continue
        label = _label(entry.path, root)
        tree, _ = parse_yaml(entry.path.read_text(encoding="utf-8"))
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
