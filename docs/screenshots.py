"""Takes the README's screenshots of the demo's claim page: desktop, phone and dark mode.

    .venv/bin/python docs/screenshots.py

Loads the demo into a throwaway SQLite database, serves it with the development server and
photographs the published claim carried by the most outlets with Debian's Chromium.
"""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-background-networking", "--disable-component-update"]
SHOTS = {
    "claim-desktop.png": {"viewport": {"width": 1280, "height": 1000}},
    "claim-phone.png": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
    "claim-dark.png": {"viewport": {"width": 1280, "height": 1000}, "color_scheme": "dark"},
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"the demo server did not answer at {url}")


def busiest_claim_path(env: dict) -> str:
    """The address of the published claim that the most outlets carry."""
    code = (
        "from django.db.models import Count\n"
        "from annotations.models import Claim\n"
        "claim = (Claim.objects.filter(status='published')"
        ".annotate(n=Count('annotations__article__outlet', distinct=True)).order_by('-n', 'pk')"
        ".first())\n"
        "print(claim.get_absolute_url())\n"
    )
    out = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", code],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip().splitlines()[-1]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        env = os.environ | {"DATABASE_URL": f"sqlite:///{tmp}/demo.sqlite3", "DEBUG": "true"}
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "manage.py", "demo", f"127.0.0.1:{port}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_for(base + "/")
            url = base + busiest_claim_path(env)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                for name, options in SHOTS.items():
                    context = browser.new_context(**options)
                    page = context.new_page()
                    page.goto(url, wait_until="networkidle")
                    page.screenshot(path=ROOT / "docs" / name)
                    context.close()
                    print(f"docs/{name}: {url}")
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
