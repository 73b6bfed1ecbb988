"""Load test: gunicorn serving the bench settings, wrk driving it with a logged-in session cookie."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

HOST = "127.0.0.1"
PORT = 8107
WRK_SCRIPT = Path(__file__).resolve().parent / "wrk_report.lua"


class LoadToolMissing(Exception):
    pass


@dataclass(frozen=True)
class LoadResult:
    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    errors: int
    status_errors: int

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def session_cookie(username: str) -> str:
    """A session for the user in the bench database, as the browser would hold it after logging in."""
    from django.test import Client

    from org.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


@contextmanager
def gunicorn(*, database_url: str, workers: int, log):
    log_file = tempfile.NamedTemporaryFile(prefix="bench-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "0",
    }
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "branchtrack.wsgi:application",
            "--bind",
            f"{HOST}:{PORT}",
            "--workers",
            str(workers),
            "--timeout",
            "600",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://{HOST}:{PORT}/bench/trivial/", timeout=5) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not start; see {log_file.name}") from None
                time.sleep(0.5)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log(f"gunicorn log: {log_file.name}")


def check_page(path: str, cookie: str) -> None:
    request = urllib.request.Request(f"http://{HOST}:{PORT}{path}", headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=600) as response:
        if response.status != 200 or response.url.rstrip("/").endswith("login"):
            raise RuntimeError(f"{path} answered {response.status} at {response.url}")


def wrk(path: str, *, cookie: str, seconds: int, connections: int) -> LoadResult:
    if shutil.which("wrk") is None:
        raise LoadToolMissing("wrk is not installed (apt-get install wrk)")
    command = [
        "wrk",
        f"-t{min(2, connections)}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "120s",
        "-s",
        str(WRK_SCRIPT),
        "-H",
        f"Cookie: {cookie}",
        f"http://{HOST}:{PORT}{path}",
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("BENCH-WRK "))
    return LoadResult(**json.loads(line[len("BENCH-WRK ") :]))
