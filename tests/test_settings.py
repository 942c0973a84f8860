"""The security settings hold: CSP everywhere, nothing inline, a clean deploy check."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE_DIRS = [ROOT / "templates", *ROOT.glob("*/templates")]

# A <script> tag without a src attribute, a style="" attribute, a <style> tag.
INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc\s*=)[^>]*>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE)
STYLE_TAG = re.compile(r"<style\b", re.IGNORECASE)


def run_manage(*args, env, skip_dotenv=False):
    """Runs manage.py with only `env` (plus PATH) in the environment.

    With skip_dotenv the repository's .env is not read, so a developer's own
    settings there cannot change what a production start looks like.
    """
    if skip_dotenv:
        command = [
            sys.executable,
            "-c",
            "import sys, parallax.env;"
            "parallax.env.load_dotenv = lambda path: None;"
            "from django.core.management import execute_from_command_line;"
            "execute_from_command_line(['manage.py', *sys.argv[1:]])",
            *args,
        ]
    else:
        command = [sys.executable, "manage.py", *args]
    return subprocess.run(
        command,
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], "DJANGO_SETTINGS_MODULE": "parallax.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "url",
    ["/", "/admin/login/", "/no-such-page/", "/static/css/parallax.css"],
    ids=["home", "admin-login", "not-found", "static-file"],
)
def test_every_response_carries_a_strict_csp(client, db, url):
    response = client.get(url)

    policy = response.headers.get("Content-Security-Policy", "")
    assert "script-src 'self'" in policy
    assert "default-src 'self'" in policy
    assert "'unsafe-inline'" not in policy
    assert "'unsafe-eval'" not in policy


def test_not_found_page_is_a_404(client, db):
    assert client.get("/no-such-page/").status_code == 404


@pytest.mark.parametrize(
    "path", [p for d in TEMPLATE_DIRS for p in sorted(d.rglob("*.html"))], ids=str
)
def test_templates_have_no_inline_script_or_style(path):
    source = path.read_text(encoding="utf-8")

    assert not INLINE_SCRIPT.search(source), "inline <script>: move it to static/js/"
    assert not STYLE_ATTRIBUTE.search(source), "style= attribute: use a class in static/css/"
    assert not STYLE_TAG.search(source), "<style> tag: move it to static/css/"


def test_inline_patterns_catch_what_they_should():
    assert INLINE_SCRIPT.search('<script type="module">go()</script>')
    assert not INLINE_SCRIPT.search('<script type="module" src="/static/js/a.js"></script>')
    assert STYLE_ATTRIBUTE.search('<p class="x" style="color: red">')
    assert not STYLE_ATTRIBUTE.search('<p data-style="x">')
    assert STYLE_TAG.search("<STYLE>p {}</STYLE>")


def test_deploy_check_passes_with_production_settings(tmp_path):
    result = run_manage(
        "check",
        "--deploy",
        env={
            "DEBUG": "false",
            "SECRET_KEY": "k" * 20 + "production-like-secret-key-for-the-deploy-check-0123456789",
            "ALLOWED_HOSTS": "parallax.example.org",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
        },
        skip_dotenv=True,
    )

    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_refuses_to_start_without_secret_key(tmp_path):
    # SECRET_KEY="" is set on purpose: the .env loader never overrides a variable
    # that exists, so a developer's .env cannot supply a key here.
    result = run_manage(
        "check",
        env={
            "DEBUG": "false",
            "SECRET_KEY": "",
            "ALLOWED_HOSTS": "parallax.example.org",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'nokey.sqlite3'}",
        },
    )

    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_refuses_to_start_without_allowed_hosts(tmp_path):
    result = run_manage(
        "check",
        env={
            "DEBUG": "false",
            "SECRET_KEY": "x" * 60,
            "ALLOWED_HOSTS": "",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'nohosts.sqlite3'}",
        },
    )

    assert result.returncode != 0
    assert "ALLOWED_HOSTS is not set" in result.stderr


def test_suite_runs_production_like_whatever_the_dotenv_says():
    assert settings.DEBUG is False
    assert settings.SECRET_KEY


def test_dotenv_never_overrides_the_environment(tmp_path, monkeypatch):
    from parallax.env import load_dotenv

    dotenv = tmp_path / ".env"
    dotenv.write_text("# comment\nPARALLAX_A=from-file\nPARALLAX_B='quoted'\n")
    monkeypatch.setenv("PARALLAX_A", "from-environment")
    monkeypatch.delenv("PARALLAX_B", raising=False)

    load_dotenv(dotenv)

    assert os.environ["PARALLAX_A"] == "from-environment"
    assert os.environ["PARALLAX_B"] == "quoted"
