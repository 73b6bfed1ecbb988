"""The offline-first visit form in Chromium on an emulated slow 3G network (issue 15's figures).

`python -m bench --database-url postgres://…/bench_offline offline` re-creates that database at scale 1
(the reference scenario: 305 branches, so the visit form's branch list is the real one), collects the
static files with WhiteNoise's compressed storage (what production serves: gzip), serves them with
gunicorn on 127.0.0.1:8108 and drives Debian's Chromium through Playwright. The network is shaped
with the DevTools protocol (`Network.emulateNetworkConditions`: 400 ms round trip, 400 kbit/s each
way, Chrome's "slow 3G"), after logging in on an unshaped one.

Figures (printed as a markdown table):
  1. the visit form's first load, cold (no cache, no service worker): `loadEventEnd`;
  2. its load from the service worker's cache (offline: the worker answers, no network at all);
  3. the same page online on slow 3G once the worker and its precache are in place;
  4. the precache: the shell and the visit form's assets as gzip sent them (plus the worker's
     own scripts, which the browser keeps beside it);
  5. the sync of 50 visits queued offline, each with one photo made on the phone (1600 x 1200
     JPEG), when the network returns: time, requests, bytes sent, visits on the server after it.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

HOST, PORT = "127.0.0.1", 8108
SLOW_3G = {
    "offline": False,
    "latency": 400,
    "downloadThroughput": 400_000 / 8,
    "uploadThroughput": 400_000 / 8,
}
QUEUED = 50
PASSWORD = "Bench@2020"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


def log(message: str) -> None:
    print(f"[offline bench] {message}", file=sys.stderr, flush=True)


def base_url() -> str:
    return f"http://{HOST}:{PORT}"


@contextlib.contextmanager
def served(database_url: str, static_root: str):
    from django.conf import settings

    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "bench.settings_offline",
        "STATIC_ROOT": static_root,
        "DEBUG": "0",
    }
    env.pop("REDIS_URL", None)  # tasks run in the web process, as in the demo
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
    )
    log_file = tempfile.NamedTemporaryFile(prefix="bench-offline-", suffix=".log", delete=False)  # noqa: SIM115
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "branchtrack.wsgi:application",
            "--bind",
            f"{HOST}:{PORT}",
            "--workers",
            "3",
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
                with urllib.request.urlopen(f"{base_url()}/accounts/login/", timeout=5):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not start; see {log_file.name}") from None
                time.sleep(0.5)
        yield
    finally:
        process.terminate()
        process.wait(timeout=30)
        log(f"gunicorn log: {log_file.name}")


def visitor():
    from org.models import Role, Unit, User

    user, _ = User.objects.get_or_create(
        username="bench-visitor",
        defaults={"role": Role.STAFF, "unit": Unit.objects.order_by("path").first(), "first_name": "调研员"},
    )
    user.set_password(PASSWORD)
    user.save()
    return user


def gzip_size(path: str) -> int:
    request = urllib.request.Request(base_url() + path, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return len(response.read())


def shape_workers(browser_cdp, conditions: dict) -> int:
    """Shape the service worker's own requests too (a page's emulation does not reach them): attach to
    each of our worker targets and emulate the same conditions there. Returns how many were shaped."""
    shaped = 0
    for target in browser_cdp.send("Target.getTargets")["targetInfos"]:
        if target["type"] != "service_worker" or not target["url"].startswith(base_url()):
            continue
        session = browser_cdp.send(
            "Target.attachToTarget", {"targetId": target["targetId"], "flatten": False}
        )
        for number, (method, params) in enumerate(
            [("Network.enable", {}), ("Network.emulateNetworkConditions", conditions)], start=1
        ):
            message = json.dumps({"id": number, "method": method, "params": params})
            browser_cdp.send(
                "Target.sendMessageToTarget", {"sessionId": session["sessionId"], "message": message}
            )
        shaped += 1
    return shaped


def load_seconds(page) -> float:
    return page.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd") / 1000


def offline_command(*, database_url: str) -> int:
    from playwright.sync_api import sync_playwright

    from branchtrack.web.pwa import WORKER_SCRIPTS, precache_entries
    from supervision.models import Campaign, Visit, VisitPhoto

    log("generating scale 1 (the reference scenario)")
    from django.conf import settings

    subprocess.run(
        [sys.executable, "-m", "bench", "--database-url", database_url, "generate", "--scale", "1"],
        cwd=settings.BASE_DIR,
        check=True,
    )
    user = visitor()
    campaign = Campaign.objects.order_by("-year").first()
    form_path = f"/supervision/campaigns/{campaign.pk}/visits/new/"
    rows: list[tuple[str, str, str]] = []
    with (
        tempfile.TemporaryDirectory(prefix="bench-static-") as static_root,
        served(database_url, static_root),
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])

        def new_page(service_workers: str = "allow"):
            context = browser.new_context(
                viewport={"width": 390, "height": 844}, locale="zh-CN", service_workers=service_workers
            )
            page = context.new_page()
            page.set_default_timeout(600_000)
            page.goto(base_url() + "/accounts/login/")
            page.fill("#id_username", user.username)
            page.fill("#id_password", PASSWORD)
            page.click("form.stacked button[type=submit]")
            page.wait_for_url(base_url() + "/")
            log("logged in")
            cdp = context.new_cdp_session(page)
            cdp.send("Network.enable")
            return context, page, cdp

        log("1. cold load")

        # 1. cold: no worker, nothing cached (the login page's own assets excepted: cleared here).
        context, page, cdp = new_page("block")
        cdp.send("Network.clearBrowserCache")
        cdp.send("Network.emulateNetworkConditions", SLOW_3G)
        page.goto(base_url() + form_path, wait_until="load")
        cold = load_seconds(page)
        rows.append(("1. visit form, first load on slow 3G (cold)", f"{cold:.2f} s", "<= 2.5 s"))
        context.close()

        log("2. installing the worker")

        # 2, 3. with the worker: one online visit installs it and keeps the field pages.
        context, page, cdp = new_page()
        page.goto(base_url() + form_path, wait_until="load")
        page.wait_for_selector("html[data-offline-ready='1']", timeout=600_000)
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        context.set_offline(True)
        page.goto(base_url() + form_path, wait_until="load")
        from_cache = load_seconds(page)
        context.set_offline(False)
        rows.append(
            ("2. visit form from the service worker's cache (offline)", f"{from_cache:.2f} s", "<= 0.5 s")
        )
        browser_cdp = browser.new_browser_cdp_session()
        cdp.send("Network.emulateNetworkConditions", SLOW_3G)
        workers = shape_workers(browser_cdp, SLOW_3G)
        page.goto(base_url() + form_path, wait_until="load")
        warm = load_seconds(page)
        rows.append(
            (
                "3. visit form online on slow 3G, worker and precache in place (network first: the page's "
                "HTML comes over the network, its assets from the precache)",
                f"{warm:.2f} s",
                "",
            )
        )
        unshaped = {**SLOW_3G, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}
        cdp.send("Network.emulateNetworkConditions", unshaped)
        shape_workers(browser_cdp, unshaped)

        log("4. precache size")

        # 4. what the precache costs on the wire.
        precached = sum(gzip_size(entry["url"]) for entry in precache_entries())
        from django.templatetags.static import static

        worker = sum(gzip_size(static(path)) for path in WORKER_SCRIPTS) + gzip_size("/sw.js")
        rows.append(
            ("4a. precache (shell + visit form assets), gzip", f"{precached / 1024:.1f} KB", "<= 300 KB")
        )
        rows.append(
            ("4b. the worker's own scripts (Workbox, idb, queue), gzip", f"{worker / 1024:.1f} KB", "")
        )

        log("5. queueing and syncing")

        # 5. 50 visits queued offline, each with a photo, then the network returns on slow 3G.
        before = Visit.objects.count()
        context.set_offline(True)
        page.goto(base_url() + form_path, wait_until="load")
        queued_bytes = page.evaluate(QUEUE_SCRIPT, {"count": QUEUED, "day": campaign.starts_on.isoformat()})
        requests = []
        # The page and the worker's Background Sync may both send (one at a time, by a lock).
        context.on(
            "request", lambda request: requests.append(request.url) if "/sync/" in request.url else None
        )
        started = time.monotonic()
        # Back online (the page's `online` event starts the sync), then shaped at once: the first
        # request may leave a few milliseconds before the shaping applies.
        context.set_offline(False)
        cdp.send("Network.emulateNetworkConditions", SLOW_3G)
        workers = shape_workers(browser_cdp, SLOW_3G)
        deadline, said = time.monotonic() + 3600, time.monotonic()
        while page.get_attribute("#outbox", "data-count") != "0":
            if time.monotonic() > deadline:
                raise RuntimeError("the queue was not sent within an hour")
            if time.monotonic() - said > 30:
                said = time.monotonic()
                log(page.evaluate(QUEUE_STATE))
            page.wait_for_timeout(500)
        took = time.monotonic() - started
        log(f"service workers shaped: {workers}")
        arrived = Visit.objects.count() - before
        photos = VisitPhoto.objects.filter(visit__created_by=user).count()
        rows.append(
            (
                f"5. sync of {QUEUED} queued visits with a photo each, slow 3G",
                f"{took:.0f} s, {len(requests)} requests, {queued_bytes / 1024 / 1024:.1f} MB of photos",
                "",
            )
        )
        rows.append(
            (
                "5b. visits / photos on the server after the sync",
                f"{arrived} / {photos}",
                f"{QUEUED} / {QUEUED}",
            )
        )
        context.close()
        browser.close()
    print("| figure | measured | goal |")
    print("|---|---:|---|")
    for figure, measured, goal in rows:
        print(f"| {figure} | {measured} | {goal} |")
    return 0


QUEUE_STATE = """BranchtrackOutbox.itemsOf(document.body.dataset.user).then(items =>
  items.length + " left; first: " + JSON.stringify(items.slice(0, 1).map(i => [i.state, i.attempts, i.lastResult])))"""

# Runs in the visit form's page, offline: fills the queue as 50 completed forms would (one photo
# each, made like the phone makes it: a 1600 x 1200 JPEG drawn on a canvas).
QUEUE_SCRIPT = """async ({count, day}) => {
  const form = document.querySelector("form[data-offline-visit]");
  const user = document.body.dataset.user;
  const branches = Array.from(form.elements.namedItem("branch").options).filter(o => o.value).slice(0, count);
  const scores = Array.from(form.elements).filter(e => /^score_/.test(e.name)).map(e => e.name);
  let bytes = 0;
  for (let i = 0; i < branches.length; i++) {
    const canvas = document.createElement("canvas");
    canvas.width = 1600; canvas.height = 1200;
    const ctx = canvas.getContext("2d");
    const gradient = ctx.createLinearGradient(0, 0, 1600, 1200);
    gradient.addColorStop(0, `hsl(${i * 7}, 60%, 60%)`); gradient.addColorStop(1, "#223");
    ctx.fillStyle = gradient; ctx.fillRect(0, 0, 1600, 1200);
    for (let k = 0; k < 400; k++) {
      ctx.fillStyle = `hsla(${(k * 37 + i) % 360}, 50%, 50%, 0.5)`;
      ctx.fillRect((k * 97) % 1600, (k * 53) % 1200, 20 + k % 60, 20 + k % 40);
    }
    const blob = await new Promise(resolve => canvas.toBlob(resolve, "image/jpeg", 0.85));
    bytes += blob.size;
    const fields = [["idempotency_key", crypto.randomUUID()], ["branch", branches[i].value], ["visited_on", day],
      ["visitors", "调研员"], ["overall_comment", "离线记录"], ["action", "complete"],
      ["template", form.dataset.template], ["device_time", new Date().toISOString()], ["findings", "[]"]];
    scores.forEach(name => fields.push([name, "8"]));
    await BranchtrackOutbox.putItem({
      key: fields[0][1], user, kind: "visit", url: form.dataset.syncUrl, photoUrl: form.dataset.photoUrl,
      formUrl: form.dataset.formUrl, title: branches[i].text, fields,
      photos: [{key: crypto.randomUUID(), item: "", findingKey: "", blob, name: "photo.jpg"}],
      createdAt: new Date().toISOString(), attempts: 0, state: "waiting", lastResult: null
    });
  }
  window.branchtrackQueued();  // as the form does: the badge, and Background Sync asked for
  return bytes;
}"""
