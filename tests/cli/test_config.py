"""Bad configuration stops start-up with one clear line saying what to fix."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from app.config import ROOT, ConfigError, Settings, prepare


def run_cli(*args: str, env: dict[str, str] | None = None, stdin: str = "") -> subprocess.CompletedProcess[str]:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("REASSESS_")}
    full_env.update(env or {})
    return subprocess.run([sys.executable, "-m", "app.cli", *args], cwd=ROOT, env=full_env, input=stdin,
                          capture_output=True, text=True, timeout=120)


def test_a_language_without_a_catalog_is_one_clear_line_naming_the_missing_file(tmp_path):
    r = run_cli("migrate", env={"REASSESS_LOCALES": "en,fr", "REASSESS_VAR_DIR": str(tmp_path)})
    assert r.returncode == 2
    missing = ROOT / "locales" / "fr" / "LC_MESSAGES" / "messages.po"
    assert r.stderr.strip() == (f"reassess: error: REASSESS_LOCALES: 'fr' has no catalog: {missing} is missing (`reassess i18n"
                                " export --lang fr` writes one to translate; docs/translating.md)")


def test_a_language_code_that_is_not_one_is_refused(tmp_path):
    r = run_cli("migrate", env={"REASSESS_LOCALES": "en,../etc", "REASSESS_VAR_DIR": str(tmp_path)})
    assert r.returncode == 2 and "REASSESS_LOCALES: '../etc' is not a language code" in r.stderr


def test_unreachable_database_is_one_clear_line(tmp_path):
    r = run_cli("serve", "--port", "1", env={"REASSESS_VAR_DIR": str(tmp_path),
                                              "REASSESS_DATABASE_URL": "postgresql+psycopg://u:p@127.0.0.1:9/none"})
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("reassess: error: REASSESS_DATABASE_URL: cannot connect to postgresql+psycopg://u:***@127.0.0.1:9/none")


def test_unwritable_var_dir_is_one_clear_line(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    r = run_cli("migrate", env={"REASSESS_VAR_DIR": str(blocker / "var")})
    assert r.returncode == 2
    assert r.stderr.startswith("reassess: error: REASSESS_VAR_DIR: cannot write to")
    assert len(r.stderr.strip().splitlines()) == 1


def test_secret_key_generated_once_and_kept(tmp_path):
    first = prepare(Settings(var_dir=tmp_path, _env_file=None))
    second = prepare(Settings(var_dir=tmp_path, _env_file=None))
    assert len(first.secret_key) >= 32 and first.secret_key == second.secret_key
    assert first.database_url == f"sqlite:///{(tmp_path / 'reassess.db').resolve()}"


def test_production_refuses_missing_or_weak_secret(tmp_path):
    with pytest.raises(ConfigError, match="REASSESS_SECRET_KEY must be set"):
        prepare(Settings(env="production", var_dir=tmp_path, _env_file=None))
    with pytest.raises(ConfigError, match="too weak"):
        prepare(Settings(env="production", var_dir=tmp_path, secret_key="short", _env_file=None))
    ok = prepare(Settings(env="production", var_dir=tmp_path, secret_key="x7Gq2LmP9vRt4WzK8bN3cYf6HsJd1AeU5", _env_file=None))
    assert ok.secret_key.startswith("x7G")


def test_user_create_and_token_create(tmp_path):
    env = {"REASSESS_VAR_DIR": str(tmp_path)}
    assert run_cli("migrate", env=env).returncode == 0
    r = run_cli("user", "create", "--email", "Lead@Example.org", "--role", "backbone_admin", "--org", "Backbone One",
                "--password-stdin", env=env, stdin="a long enough password\n")
    assert r.returncode == 0, r.stderr
    assert "lead@example.org: backbone_admin of Backbone One" in r.stdout
    r = run_cli("user", "create", "--email", "x@example.org", "--role", "backbone_admin", "--org", "B2", "--password-stdin",
                env=env, stdin="short\n")
    assert r.returncode == 2 and "password too weak" in r.stderr
    r = run_cli("token", "create", "--email", "lead@example.org", env=env)
    assert r.returncode == 0 and r.stdout.startswith("rsk_")
    r = run_cli("token", "create", "--email", "nobody@example.org", env=env)
    assert r.returncode == 2 and "no user with the email" in r.stderr


def test_token_list_and_revoke(tmp_path):
    env = {"REASSESS_VAR_DIR": str(tmp_path)}
    assert run_cli("migrate", env=env).returncode == 0
    assert run_cli("user", "create", "--email", "t@example.org", "--role", "backbone_admin", "--org", "B", "--no-password",
                   env=env).returncode == 0
    assert run_cli("token", "create", "--email", "t@example.org", "--name", "reporting", env=env).returncode == 0
    listed = run_cli("token", "list", "--email", "t@example.org", env=env)
    assert listed.returncode == 0 and "reporting" in listed.stdout and "active" in listed.stdout
    token_id = listed.stdout.split("\t")[0]
    r = run_cli("token", "revoke", token_id, env=env)
    assert r.returncode == 0 and "revoked" in r.stdout
    assert "revoked" in run_cli("token", "list", "--email", "t@example.org", env=env).stdout
    assert run_cli("token", "revoke", "999", env=env).returncode == 2


def test_trusted_proxies_are_none_by_default_and_read_as_uvicorn_reads_them(monkeypatch):
    monkeypatch.delenv("REASSESS_TRUSTED_PROXIES", raising=False)
    assert Settings(_env_file=None).trusted_proxies == []
    monkeypatch.setenv("REASSESS_TRUSTED_PROXIES", " 127.0.0.1, 10.1.2.3/8 ,::1")
    assert Settings(_env_file=None).trusted_proxies == ["127.0.0.1", "10.0.0.0/8", "::1"]


def test_a_trusted_proxy_that_is_not_an_address_is_one_clear_line(tmp_path):
    r = run_cli("migrate", env={"REASSESS_TRUSTED_PROXIES": "127.0.0.1,proxy.local", "REASSESS_VAR_DIR": str(tmp_path)})
    assert r.returncode == 2
    assert r.stderr.strip().startswith("reassess: error: REASSESS_TRUSTED_PROXIES: 'proxy.local' is not an IP address or network")


def test_the_command_line_takes_its_languages_from_settings(tmp_path):
    out = run_cli("user", "create", "--email", "x@example.org", "--role", "backbone_admin", "--org", "B", "--lang", "es",
                  "--no-password", env={"REASSESS_VAR_DIR": str(tmp_path), "REASSESS_LOCALES": "en"})
    assert out.returncode != 0 and "--lang es: not one of REASSESS_LOCALES (en)" in out.stderr


def test_only_serve_migrate_and_demo_change_the_schema(tmp_path):
    """`reassess report` on a database never migrated says what to do, and leaves the database as it was."""
    env = {"REASSESS_VAR_DIR": str(tmp_path)}
    out = run_cli("report", "1", env=env)
    assert out.returncode == 2 and "run `reassess migrate` first" in out.stderr and "Traceback" not in out.stderr
    import sqlite3

    tables = sqlite3.connect(tmp_path / "reassess.db").execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    assert tables == []
    assert run_cli("migrate", env=env).returncode == 0
    assert run_cli("report", "1", env=env).stderr.strip().endswith("no assessment 1")


def test_the_demo_prints_the_address_it_will_serve_on_and_its_links_follow_the_port(tmp_path, monkeypatch):
    demo = run_cli("demo", "--port", "9000", env={"REASSESS_VAR_DIR": str(tmp_path)})
    assert demo.returncode == 0, demo.stderr
    assert "Open http://127.0.0.1:9000/login" in demo.stdout and ":8000" not in demo.stdout
    import app.config as config

    monkeypatch.setenv("REASSESS_BASE_URL", "recorded, so that the test's own setting is undone after it")
    monkeypatch.delenv("REASSESS_BASE_URL")
    monkeypatch.setenv("REASSESS_VAR_DIR", str(tmp_path))
    config.get_settings.cache_clear()
    config.follow_port("0.0.0.0", 9001)  # what serve does with its --host and --port: links name a reachable address
    assert config.get_settings().base_url == "http://127.0.0.1:9001"
    monkeypatch.setenv("REASSESS_BASE_URL", "https://equity.example.org")  # a base URL that is set wins (a proxy in front)
    config.get_settings.cache_clear()
    config.follow_port("127.0.0.1", 9002)
    assert config.get_settings().base_url == "https://equity.example.org"
    config.get_settings.cache_clear()
