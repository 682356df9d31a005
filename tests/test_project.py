"""Project-wide checks: migrations match the models, the Spanish catalog is complete, packaging is sound."""

from __future__ import annotations

import re
import subprocess
import tomllib

from alembic import command
from alembic.config import Config
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from app.config import ROOT


def test_alembic_check_is_clean(engine):
    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.attributes["skip_logging"] = True
    with engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.check(cfg)  # raises if the models and the migrations differ


def _extracted() -> set[str]:
    method_map = [("app/**.py", "python"), ("app/**/templates/**.html", "jinja2")]
    options = {"app/**/templates/**.html": {"extensions": "jinja2.ext.i18n", "trimmed": "true"}}
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy": None}
    found = set()
    for _file, _line, message, _comments, _ctx in extract_from_dir(str(ROOT), method_map, options, keywords=keywords):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_user_facing_string_is_translated_into_spanish():
    with (ROOT / "locales/es/LC_MESSAGES/messages.po").open("rb") as fh:
        catalog = read_po(fh, locale="es")
    translated = {
        (m.id if isinstance(m.id, str) else m.id[0])
        for m in catalog
        if m.id and not m.fuzzy and (all(m.string) if isinstance(m.string, tuple) else m.string)
    }
    missing = sorted(_extracted() - translated)
    assert not missing, f"run scripts/i18n-update and translate: {missing[:20]}"


def test_spanish_catalog_passes_msgfmt_check():
    r = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(ROOT / "locales/es/LC_MESSAGES/messages.po")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_placeholders_survive_translation():
    with (ROOT / "locales/es/LC_MESSAGES/messages.po").open("rb") as fh:
        catalog = read_po(fh, locale="es")
    pattern = re.compile(r"%\(\w+\)s")
    for m in catalog:
        if not m.id or not m.string:
            continue
        ids = m.id if isinstance(m.id, tuple) else (m.id,)
        strings = m.string if isinstance(m.string, tuple) else (m.string,)
        expected = set(pattern.findall(ids[-1])) | set(pattern.findall(ids[0]))
        for s in strings:
            assert set(pattern.findall(s)) <= expected, (m.id, s)


def test_dockerfile_uses_the_lock_a_slim_python_and_runs_as_non_root():
    docker = (ROOT / "Dockerfile").read_text()
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert re.search(r"^FROM python:3\.1[1-9]-slim(-\w+)? AS build", docker, re.M)
    assert "-c requirements.lock" in docker or "--constraint requirements.lock" in docker
    assert re.search(r"^USER (?!root)\w+", docker, re.M)
    assert 'ENTRYPOINT ["reassess"]' in docker and 'CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]' in docker
    for package in ("libpango-1.0-0", "fonts-dejavu-core", "fonts-noto-core"):
        assert package in docker
    assert pyproject["project"]["scripts"]["reassess"] == "app.cli:main"


def test_lock_pins_every_dependency():
    lock = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"not pinned: {line}"
            lock[name.lower().replace("_", "-")] = version
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    wanted = pyproject["project"]["dependencies"] + pyproject["project"]["optional-dependencies"]["test"]
    for requirement in wanted:
        name = re.split(r"[<>=\[ ]", requirement)[0].lower().replace("_", "-")
        assert name in lock, f"{name} is not in requirements.lock"


def test_migrations_import_nothing_of_the_application():
    """A migration must not change when the application's code does: it imports only SQLAlchemy and Alembic."""
    import ast

    for path in sorted((ROOT / "migrations" / "versions").glob("*.py")):
        tree = ast.parse(path.read_text())
        names = [a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names]
        names += [n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        assert not [m for m in names if m == "app" or m.startswith("app.")], path.name


def test_the_scoring_engine_imports_nothing_but_the_instruments_schema():
    """At run time too (import-linter checks the source): importing app.scoring loads no database, web or YAML code."""
    import subprocess
    import sys

    code = ("import sys, app.scoring\n"
            "allowed = {'app.instruments', 'app.instruments.schema', 'app.instruments.mapping'}\n"
            "heavy = sorted(m for m in sys.modules if m.split('.')[0] in {'sqlalchemy', 'fastapi', 'starlette', 'jinja2', 'yaml', 'httpx'})\n"
            "mine = sorted(m for m in sys.modules if m.startswith('app.') and m not in allowed and not m.startswith('app.scoring'))\n"
            "print(heavy, mine)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert out == "[] []"


def test_no_module_of_the_application_is_in_an_import_circle():
    """import-linter checks circles among the modules of each package; this checks the whole tree, across packages
    (imports made only for type checking left out, as the contracts do)."""
    import grimp

    graph = grimp.build_graph("app", cache_dir=None, exclude_type_checking_imports=True)
    modules = sorted(m for m in graph.modules if m.startswith("app"))
    circles = []
    for m in modules:
        for imported in graph.find_modules_directly_imported_by(m):
            if imported.startswith("app") and graph.find_shortest_chain(importer=imported, imported=m):
                circles.append(f"{m} -> {imported}")
    assert not circles, circles
