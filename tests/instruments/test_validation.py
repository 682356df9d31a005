"""Each validation rule with a malformed file: the exact message names the file, the line and what is wrong.

The service and ``reassess instruments check`` report every problem, one line each, and refuse a broken file.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from app.cli import main as cli_main
from app.config import ROOT
from app.instruments.loader import InstrumentError, load_catalogue, load_file
from app.main import create_app
from tests.instruments.minimal import MINIMAL, MINIMAL_STRINGS, line_of, replace_once, write

LABEL = "surveys/mini/1.0.yaml"  # files are labelled relative to the folder that holds surveys/
REASSESS = Path(sys.executable).with_name("reassess")


def _without_guidance(text: str) -> str:
    start = text.index("    guidance:\n")
    return text[:start] + text[text.index("  - id: leadership-02\n"):]


# name -> (the broken file's text, the expected messages as a function of that text)
Case = tuple[str, Callable[[str], list[str]]]
CASES: dict[str, Case] = {
    "yaml syntax: a colon inside a plain value": (
        replace_once(MINIMAL, "    domain: leadership\n    step: 4", "    domain: leadership: governance\n    step: 4"),
        lambda t: [f"{LABEL}:{line_of(t, 'leadership: governance')}: YAML syntax: mapping values are not allowed here"],
    ),
    "yaml syntax: a tab for indentation": (
        replace_once(MINIMAL, "    focus: policy\n", "\tfocus: policy\n"),
        lambda t: [f"{LABEL}:{line_of(t, chr(9))}: YAML syntax: found character '\\t' that cannot start any token"],
    ),
    "unknown key in an item": (
        replace_once(MINIMAL, "    focus: policy\n", "    focus: policy\n    colour: red\n"),
        lambda t: [f"{LABEL}:{line_of(t, 'colour: red')}: items[0] (leadership-01).colour: unknown key 'colour'"],
    ),
    "unknown key at the top": (
        replace_once(MINIMAL, "source_language: en\n", "source_language: en\nlanguage: es\n"),
        lambda t: [f"{LABEL}:{line_of(t, 'language: es')}: language: unknown key 'language'"],
    ),
    "duplicate item id": (
        replace_once(MINIMAL, "  - id: leadership-02\n", "  - id: leadership-01\n"),
        lambda t: [f"{LABEL}:{_nth_line(t, '- id: leadership-01', 2)}: items[1] (leadership-01).id: duplicate item id 'leadership-01'"],
    ),
    "duplicate id between an item and a closing question": (
        MINIMAL.replace("respondent:\n", "closing:\n  - {id: leadership-02, type: long_text, text: {en: \"Strengths?\", es: \"¿Fortalezas?\"}}\n"
                        "respondent:\n"),
        lambda t: [f"{LABEL}:{line_of(t, '{id: leadership-02')}: closing[0] (leadership-02).id: duplicate item id 'leadership-02'"],
    ),
    "item in an unknown domain": (
        replace_once(MINIMAL, "    domain: leadership\n    step: 4", "    domain: leadershp\n    step: 4"),
        lambda t: [f"{LABEL}:{line_of(t, 'domain: leadershp')}: items[1] (leadership-02).domain: "
                   "item 'leadership-02': unknown domain 'leadershp'"],
    ),
    "unknown scale": (
        replace_once(MINIMAL, "    scale: implementation\n", "    scale: agreement\n"),
        lambda t: [f"{LABEL}:{line_of(t, 'scale: agreement')}: items[0] (leadership-01).scale: "
                   "item 'leadership-01': unknown scale 'agreement'"],
    ),
    "level bounds not starting at 0": (
        replace_once(MINIMAL, "    min_score: 0\n", "    min_score: 10\n"),
        lambda t: [f"{LABEL}:{line_of(t, 'min_score: 10')}: levels[0] (emerging).min_score: the first readiness level must start at 0"],
    ),
    "level bounds not increasing": (
        replace_once(MINIMAL, "    min_score: 50\n", "    min_score: 0\n"),
        lambda t: [f"{LABEL}:{_nth_line(t, 'min_score: 0', 2)}: levels[1] (leading).min_score: level 'leading' starts at 0, "
                   "which is not above 'emerging' (0); lower bounds must increase"],
    ),
    "level bounds decreasing": (
        replace_once(MINIMAL, "    min_score: 0\n", "    min_score: 0\n    name: {en: Emerging, es: Incipiente}\n    description: "
                     "{en: Little is in place., es: Hay poco establecido.}\n  - id: developing\n    min_score: 60\n"),
        lambda t: [f"{LABEL}:{line_of(t, 'min_score: 50')}: levels[2] (leading).min_score: level 'leading' starts at 50, "
                   "which is not above 'developing' (60); lower bounds must increase"],
    ),
    "a string missing in es": (
        replace_once(MINIMAL, ", es: Describa cómo la dirección rinde cuentas.", ""),
        lambda t: [f"{LABEL}:{line_of(t, 'text: {en: Describe how')}: items[1] (leadership-02).text: the text is missing in 'es'"],
    ),
    "a string missing in en": (
        replace_once(MINIMAL, "title: {en: Leadership, es: Liderazgo}", "title: {es: Liderazgo}"),
        lambda t: [f"{LABEL}:{line_of(t, 'title: {es: Liderazgo}')}: domains[0] (leadership).title: the text is missing in 'en'"],
    ),
    "a guidance action missing in es": (
        replace_once(MINIMAL, "{en: Put it to a board vote., es: Sométala a votación de la junta.}", "{en: Put it to a board vote.}"),
        lambda t: [f"{LABEL}:{line_of(t, '{en: Put it to a board vote.}')}: items[0] (leadership-01).guidance.actions[1]: "
                   "the text is missing in 'es'"],
    ),
    "a string in an undeclared language": (
        replace_once(MINIMAL, "{en: Staff, es: Personal}", "{en: Staff, es: Personal, fr: Personnel}"),
        lambda t: [f"{LABEL}:{line_of(t, 'fr: Personnel')}: respondent.role_group.options[0] (staff).label.fr: 'fr' is not a declared language"],
    ),
    "missing growth guidance on a rated item": (
        _without_guidance(MINIMAL),
        lambda t: [f"{LABEL}:{line_of(t, '- id: leadership-01')}: items[0] (leadership-01): item 'leadership-01': a rated item needs growth guidance"],
    ),
    "more than three growth actions": (
        replace_once(MINIMAL, "        - {en: Put it to a board vote., es: Sométala a votación de la junta.}\n",
                     "        - {en: Put it to a board vote., es: Sométala a votación de la junta.}\n" * 3),
        lambda t: [f"{LABEL}:{line_of(t, '      actions:')}: items[0] (leadership-01).guidance.actions: "
                   "List should have at most 3 items after validation, not 4"],
    ),
    "a duplicate key": (
        replace_once(MINIMAL, "    step: 1\n", "    step: 1\n    step: 2\n"),
        lambda t: [f"{LABEL}:{line_of(t, 'step: 2')}: duplicate key 'step'"],
    ),
    "a version not in quotes": (
        replace_once(MINIMAL, 'version: "1.0"', "version: 1.0"),
        lambda t: [f'{LABEL}:2: version: write the version in quotes, for example "1.0"'],
    ),
}


def _nth_line(text: str, needle: str, n: int) -> int:
    """The 1-based line of the n-th occurrence of ``needle``."""
    at = -1
    for _ in range(n):
        at = text.index(needle, at + 1)
    return text[:at].count("\n") + 1


def test_the_minimal_instrument_is_valid(tmp_path):
    write(tmp_path / "surveys", MINIMAL)
    catalogue = load_catalogue(tmp_path / "surveys")
    assert [i.key for i in catalogue.all()] == [("mini", "1.0")]


@pytest.mark.parametrize("case", list(CASES), ids=list(CASES))
def test_a_malformed_file_gives_the_exact_message(tmp_path, case):
    text, expected = CASES[case]
    write(tmp_path / "surveys", text)
    with pytest.raises(InstrumentError) as caught:
        load_catalogue(tmp_path / "surveys")
    assert caught.value.problems == expected(text)
    assert str(caught.value) == "\n".join(expected(text))


@pytest.mark.parametrize("lang", ["en", "es"])
def test_translation_completeness_is_checked_per_language(tmp_path, lang):
    """Every string lacking one declared language is reported on its own line, naming that language and no other."""
    other = {"en": "es", "es": "en"}[lang]
    # Drop ``lang`` from the level names and the domain title: three strings, three problems.
    text = MINIMAL
    for full, kept in (("{en: Emerging, es: Incipiente}", {"en": "{en: Emerging}", "es": "{es: Incipiente}"}),
                       ("{en: Leading, es: Referente}", {"en": "{en: Leading}", "es": "{es: Referente}"}),
                       ("{en: Leadership, es: Liderazgo}", {"en": "{en: Leadership}", "es": "{es: Liderazgo}"})):
        text = replace_once(text, full, kept[other])
    path = write(tmp_path / "surveys", text)
    with pytest.raises(InstrumentError) as caught:
        load_file(path, LABEL)
    assert caught.value.problems == [
        f"{LABEL}:{line_of(text, 'name: ' + _kept('Emerging', 'Incipiente', other))}: levels[0] (emerging).name: the text is missing in '{lang}'",
        f"{LABEL}:{line_of(text, 'name: ' + _kept('Leading', 'Referente', other))}: levels[1] (leading).name: the text is missing in '{lang}'",
        f"{LABEL}:{line_of(text, 'title: ' + _kept('Leadership', 'Liderazgo', other))}: domains[0] (leadership).title: the text is missing in '{lang}'",
    ]


def _kept(en: str, es: str, lang: str) -> str:
    return "{" + f"{lang}: {en if lang == 'en' else es}" + "}"


def test_a_newly_declared_language_needs_every_string(tmp_path):
    text = replace_once(MINIMAL, "languages: [en, es]", "languages: [en, es, fr]")
    path = write(tmp_path / "surveys", text)
    with pytest.raises(InstrumentError) as caught:
        load_file(path, LABEL)
    problems = caught.value.problems
    assert len(problems) == MINIMAL_STRINGS
    assert all(p.endswith(": the text is missing in 'fr'") and p.startswith(f"{LABEL}:") for p in problems)
    assert problems[0] == f"{LABEL}:3: title: the text is missing in 'fr'"
    assert problems[-1] == f"{LABEL}:{line_of(text, '{en: Staff')}: respondent.role_group.options[0] (staff).label: the text is missing in 'fr'"


# -- every problem, one line each: the catalogue, the service, the command ------------------------------------

def _broken_folder(root: Path) -> tuple[Path, list[str]]:
    """Three broken files under root/surveys; the problems the catalogue must report, in order."""
    surveys = root / "surveys"
    # alpha: three problems found by the cross-reference rules
    alpha = MINIMAL.replace("id: mini\n", "id: alpha\n")
    alpha = replace_once(alpha, "    domain: leadership\n    step: 4", "    domain: governance\n    step: 4")
    alpha = replace_once(alpha, ", es: Describa cómo la dirección rinde cuentas.", "")
    alpha = _without_guidance(alpha)
    write(surveys, alpha, "alpha")
    # beta: a YAML syntax error
    beta = replace_once(MINIMAL.replace("id: mini\n", "id: beta\n"), "    focus: policy\n", "\tfocus: policy\n")
    write(surveys, beta, "beta")
    # gamma: an unknown key and a duplicate key
    gamma = MINIMAL.replace("id: mini\n", "id: gamma\n")
    gamma = replace_once(gamma, "    step: 4\n", "    step: 4\n    step: 3\n    required: true\n")
    write(surveys, gamma, "gamma")
    expected = [
        f"surveys/alpha/1.0.yaml:{line_of(alpha, 'text: {en: Describe how')}: items[1] (leadership-02).text: the text is missing in 'es'",
        f"surveys/alpha/1.0.yaml:{line_of(alpha, '- id: leadership-01')}: items[0] (leadership-01): item 'leadership-01': "
        "a rated item needs growth guidance",
        f"surveys/alpha/1.0.yaml:{line_of(alpha, 'domain: governance')}: items[1] (leadership-02).domain: "
        "item 'leadership-02': unknown domain 'governance'",
        f"surveys/beta/1.0.yaml:{line_of(beta, chr(9))}: YAML syntax: found character '\\t' that cannot start any token",
        f"surveys/gamma/1.0.yaml:{line_of(gamma, 'step: 3')}: duplicate key 'step'",
        f"surveys/gamma/1.0.yaml:{line_of(gamma, 'required: true')}: items[1] (leadership-02).required: unknown key 'required'",
    ]
    return surveys, expected


def test_load_catalogue_reports_every_problem_of_every_file(tmp_path):
    surveys, expected = _broken_folder(tmp_path)
    write(surveys, MINIMAL)  # a good file beside them does not hide anything
    with pytest.raises(InstrumentError) as caught:
        load_catalogue(surveys)
    assert sorted(caught.value.problems) == sorted(expected)
    assert len(caught.value.problems) == len(expected)


def test_a_file_must_lie_at_its_id_and_version(tmp_path):
    write(tmp_path / "surveys", MINIMAL, "mini", "1.1")
    with pytest.raises(InstrumentError) as caught:
        load_catalogue(tmp_path / "surveys")
    assert caught.value.problems == ["surveys/mini/1.1.yaml:1: the file declares mini 1.0; it must lie at mini/1.0.yaml"]


def test_the_service_refuses_to_start_with_a_broken_file(tmp_path, settings, engine):
    surveys, expected = _broken_folder(tmp_path)
    with pytest.raises(InstrumentError) as caught:
        create_app(settings.model_copy(update={"surveys_dir": surveys}), engine=engine)
    assert sorted(caught.value.problems) == sorted(expected)


def test_reassess_serve_exits_with_the_messages(tmp_path):
    """The real command: it stops before serving, prints one line per problem and exits non-zero."""
    surveys, expected = _broken_folder(tmp_path)
    env = {**os.environ, "REASSESS_SURVEYS_DIR": str(surveys), "REASSESS_VAR_DIR": str(tmp_path / "var"),
           "REASSESS_DATABASE_URL": f"sqlite:///{tmp_path / 'serve.db'}", "REASSESS_ENV": "development"}
    run = subprocess.run([str(REASSESS), "serve", "--port", "1"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode == 1, run.stderr
    assert "running at" not in run.stdout
    lines = run.stderr.strip().splitlines()
    assert sorted(lines[:-1]) == sorted(expected)
    assert lines[-1] == f"reassess: {len(expected)} problem(s) in instrument files"


def test_instruments_check_path_exits_non_zero_with_the_messages(tmp_path):
    surveys, expected = _broken_folder(tmp_path)
    files = [surveys / name / "1.0.yaml" for name in ("alpha", "beta", "gamma")]
    run = subprocess.run([str(REASSESS), "instruments", "check", *map(str, files)], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert run.returncode == 1
    assert run.stdout == ""
    # Files outside the surveys folder are named by the path given.
    expected = [line.replace("surveys/", f"{surveys}/", 1) for line in expected]
    assert run.stderr.splitlines() == [*expected, f"reassess: {len(expected)} problem(s) in instrument files"]


def test_instruments_check_of_a_folder(tmp_path, capsys):
    surveys, expected = _broken_folder(tmp_path)
    assert cli_main(["instruments", "check", "--surveys-dir", str(surveys)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert sorted(err[:-1]) == sorted(expected)
    # One instrument's folder is a folder of files too.
    assert cli_main(["instruments", "check", str(surveys / "beta")]) == 1
    assert capsys.readouterr().err.splitlines() == [expected[3].replace("surveys/", f"{surveys}/", 1),
                                                    "reassess: 1 problem(s) in instrument files"]


def test_instruments_check_a_good_file(tmp_path, capsys):
    path = write(tmp_path / "surveys", MINIMAL)
    assert cli_main(["instruments", "check", str(path)]) == 0
    assert capsys.readouterr().out == "ok  mini 1.0: 1 domains, 2 items (1 rated), languages en, es\n"


def test_instruments_check_a_path_that_does_not_exist(tmp_path, capsys):
    missing, empty = tmp_path / "nothing.yaml", tmp_path / "empty"
    empty.mkdir()
    assert cli_main(["instruments", "check", str(missing)]) == 2
    assert capsys.readouterr().err == f"reassess: error: {missing}: no such file or folder\n"
    assert cli_main(["instruments", "check", str(empty)]) == 2
    assert capsys.readouterr().err == f"reassess: error: {empty}: no instrument files (*.yaml) in this folder\n"


def test_a_new_version_of_a_broken_file_names_both(tmp_path):
    surveys = tmp_path / "surveys"
    broken = replace_once(MINIMAL, "    scale: implementation\n", "    scale: agreement\n")
    write(surveys, broken)
    newer = replace_once(MINIMAL, 'version: "1.0"', 'version: "1.1"') + 'changes:\n  supersedes: "1.0"\n'
    write(surveys, newer, version="1.1")
    with pytest.raises(InstrumentError) as caught:
        load_catalogue(surveys)
    assert caught.value.problems == [
        f"{LABEL}:{line_of(broken, 'scale: agreement')}: items[0] (leadership-01).scale: item 'leadership-01': unknown scale 'agreement'",
        f"surveys/mini/1.1.yaml:{line_of(newer, 'supersedes:')}: changes.supersedes: mini 1.0 cannot be compared: "
        f"{LABEL} has problems of its own",
    ]


def test_libyaml_reads_every_instrument_file_as_the_pure_python_parser_does():
    """Instrument files are parsed by libyaml (`parse_yaml`: the pure-Python parser took most of an app's start-up);
    every shipped file gives the same data and the same line for every key, and a file libyaml refuses gets the
    pure-Python parser's message (the YAML syntax cases above)."""
    import yaml

    from app.instruments.loader import parse_yaml

    assert yaml.__with_libyaml__, "PyYAML without libyaml: instrument files would be parsed ten times slower"

    def lines(node) -> list:  # type: ignore[no-untyped-def]
        if isinstance(node, yaml.MappingNode):
            return [(k.value, k.start_mark.line, *lines(v)) for k, v in node.value]
        if isinstance(node, yaml.SequenceNode):
            return [lines(v) for v in node.value]
        return [node.start_mark.line]

    files = sorted((ROOT / "surveys").rglob("*.yaml"))
    assert len(files) >= 4
    for path in files:
        text = path.read_text(encoding="utf-8")
        root, data = parse_yaml(text)
        assert data == yaml.safe_load(text), path
        assert lines(root) == lines(yaml.compose(text, Loader=yaml.SafeLoader)), path
    with pytest.raises(yaml.YAMLError, match="mapping values are not allowed here"):
        parse_yaml("a: b: c\n")
