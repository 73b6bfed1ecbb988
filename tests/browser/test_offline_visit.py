"""A whole visit in airplane mode, on a phone: the form opens, keeps what is typed, queues the visit
with a finding and its (downscaled) photo, survives a reload, and sends it exactly once when the
network returns; a visit the server refuses stays in the queue with its reason until discarded."""

import os
import zlib
from struct import pack

import pytest
from playwright.sync_api import expect

from supervision.models import ChecklistItem, Finding, Visit, VisitPhoto
from tests.supervision.factories import CampaignFactory

pytestmark = pytest.mark.browser

PORTRAIT = (1200, 2400)  # a tall photo: the phone's copy must stay tall (800 x 1600)


def noisy_png(path, width: int, height: int) -> int:
    """A PNG that does not compress (noise), like a camera's photo: big before the phone shrinks it."""
    raw = b"".join(b"\x00" + os.urandom(width * 3) for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return pack(">I", len(data)) + kind + data + pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    data = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw, 1))
        + chunk(b"IEND", b"")
    )
    path.write_bytes(data)
    return len(data)


def queue_count(page) -> str:
    return page.get_by_test_id("outbox").get_attribute("data-count") or "0"


def fill_scores(form, campaign, score: str = "8") -> None:
    for item in ChecklistItem.objects.filter(area__template=campaign.template).order_by(
        "area__order", "order"
    ):
        form.get_by_label(item.text, exact=True).fill(score)


def test_a_whole_visit_in_airplane_mode_arrives_exactly_once(offline_journey, org, tmp_path):
    journey, page = offline_journey, offline_journey.page
    campaign = CampaignFactory(name="2020年走遍支部", scope=[org.company])
    photo_path = tmp_path / "site.png"
    original_size = noisy_png(photo_path, *PORTRAIT)
    # The second queued visit is dated after the campaign: the server refuses it when it arrives.
    journey.expect_status(400, f"/supervision/campaigns/{campaign.pk}/visits/sync/")
    context = page.context

    journey.login(org.staff)
    form_path = f"/supervision/campaigns/{campaign.pk}/visits/new/?branch={org.city_branch.pk}"
    journey.goto(form_path)
    # One online visit is enough: the worker is running and has kept the field pages.
    expect(page.locator("html")).to_have_attribute("data-offline-ready", "1", timeout=60_000)
    assert page.evaluate("navigator.serviceWorker.ready.then(r => !!r.active)")

    context.set_offline(True)
    page.reload()  # served by the service worker: the form opens without a network
    form = page.get_by_test_id("visit-form")
    expect(form).to_be_visible()
    form.get_by_label(journey.t("Date of visit")).fill("2020-06-15")
    fill_scores(form, campaign)
    form.get_by_label(journey.t("Overall comment")).fill("离线完成的调研")

    # Autosave: a reload in the middle keeps every entry and says the draft was restored.
    page.wait_for_timeout(400)
    page.reload()
    form = page.get_by_test_id("visit-form")
    expect(form.get_by_label(journey.t("Overall comment"))).to_have_value("离线完成的调研")
    expect(page.locator("[data-draft-notice]")).to_be_visible()

    form.get_by_role("button", name=journey.t("Add a finding")).click()
    finding = form.locator("[data-finding]").first
    finding.get_by_label(journey.t("Kind")).select_option("problem")
    finding.get_by_label(journey.t("Title")).fill("党员台账缺页")
    finding.get_by_label(journey.t("Due date")).fill("2020-07-31")
    finding.get_by_label(journey.t("Photo")).set_input_files(photo_path)
    expect(finding.get_by_test_id("photo-thumb")).to_be_visible()
    form.get_by_role("button", name=journey.t("Complete visit")).click()

    expect(page.locator("[data-queued-notice]")).to_be_visible()
    expect(page.get_by_test_id("outbox-badge")).to_have_text(journey.t("1 visit waiting to send"))

    # A second visit, dated after the campaign ended.
    form.get_by_label(journey.t("Date of visit")).fill("2021-01-05")
    fill_scores(form, campaign, "7")
    form.get_by_role("button", name=journey.t("Complete visit")).click()
    expect(page.get_by_test_id("outbox")).to_have_attribute("data-count", "2")

    page.reload()  # still there after a reload, still offline
    expect(page.get_by_test_id("outbox")).to_have_attribute("data-count", "2")
    page.get_by_test_id("outbox-badge").click()
    expect(page.get_by_test_id("outbox-item")).to_have_count(2)
    journey.screenshot("offline-queue", at=page.get_by_test_id("outbox"))
    assert not Visit.objects.filter(campaign=campaign).exists()
    # Keep the queue as it is now, to replay it after it was sent.
    page.evaluate(
        "BranchtrackOutbox.itemsOf(document.body.dataset.user).then(items => { window.replay = items; })"
    )

    context.set_offline(False)  # the `online` event sends the queue
    expect(page.get_by_test_id("outbox")).to_have_attribute("data-count", "1")
    refused = page.get_by_test_id("outbox-item")
    expect(refused).to_have_attribute("data-state", "refused")
    expect(refused.get_by_test_id("outbox-result")).to_contain_text("2020-12-31")  # the reason, in Chinese

    visit = Visit.objects.get(campaign=campaign)
    assert visit.is_completed and visit.scores.count() == 9 and visit.branch == org.city_branch
    problem = Finding.objects.get(visit=visit)
    assert problem.title == "党员台账缺页" and problem.due_on.isoformat() == "2020-07-31"
    photo = VisitPhoto.objects.get(visit=visit)
    assert photo.finding == problem and photo.content_type == "image/jpeg"
    assert photo.size < original_size
    with photo.file.open("rb") as handle:
        head = handle.read(64 * 1024)
    assert jpeg_size(head) == (800, 1600)  # downscaled to 1600 px on the long side, still portrait
    assert visit.device_time is not None

    # Replaying the whole queue (visit, finding, photo, same keys) changes nothing on the server.
    page.evaluate(
        """() => Promise.all(window.replay.map(item => {
             item.state = "waiting"; item.visitUrl = null;
             (item.photos || []).forEach(photo => { photo.sent = false; });
             return BranchtrackOutbox.putItem(item);
           })).then(() => BranchtrackOutbox.sendAll({ user: document.body.dataset.user, loggedIn: true }))"""
    )
    expect(page.get_by_test_id("outbox")).to_have_attribute("data-count", "1")
    assert Visit.objects.filter(campaign=campaign).count() == 1
    assert Finding.objects.filter(visit__campaign=campaign).count() == 1
    assert VisitPhoto.objects.filter(visit__campaign=campaign).count() == 1

    # The refused visit stays until the user discards it: then the badge counts down to zero.
    if not page.get_by_test_id("outbox-item").is_visible():
        page.get_by_test_id("outbox-badge").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("outbox-item").get_by_role("button", name=journey.t("Discard")).click()
    expect(page.get_by_test_id("outbox")).to_have_attribute("data-count", "0")
    expect(page.get_by_test_id("outbox")).to_be_hidden()

    # Where and when, on the visit's page.
    journey.goto(f"/supervision/visits/{visit.pk}/")
    expect(page.get_by_test_id("device-time")).to_be_visible()
    expect(page.get_by_test_id("visit-photo")).to_have_count(1)
    forget_offline_failures(journey)


def test_logging_out_asks_before_deleting_unsent_visits_and_the_next_user_sees_none(offline_journey, org):
    journey, page = offline_journey, offline_journey.page
    campaign = CampaignFactory(scope=[org.company])
    journey.login(org.staff)
    journey.goto(f"/supervision/campaigns/{campaign.pk}/visits/new/?branch={org.city_branch.pk}")
    expect(page.locator("html")).to_have_attribute("data-offline-ready", "1", timeout=60_000)
    page.context.set_offline(True)
    form = page.get_by_test_id("visit-form")
    # Dated after the campaign: the server refuses it, so it stays unsent in the queue.
    journey.expect_status(400, f"/supervision/campaigns/{campaign.pk}/visits/sync/")
    form.get_by_label(journey.t("Date of visit")).fill("2021-01-05")
    fill_scores(form, campaign)
    form.get_by_role("button", name=journey.t("Complete visit")).click()
    expect(page.get_by_test_id("outbox")).to_have_attribute("data-count", "1")
    form.get_by_label(journey.t("Overall comment")).fill("未完成的草稿")
    page.wait_for_timeout(400)
    page.context.set_offline(False)
    expect(page.get_by_test_id("outbox-badge")).to_contain_text(journey.t("%(count)s refused", count=1))

    journey.open_menu()
    with page.expect_event("dialog") as asked:
        # (no waiting after the click: the question holds the page until it is answered below)
        page.get_by_role("button", name=journey.t("Log out")).click(no_wait_after=True)
    assert org.city_branch.name in asked.value.message  # the unsent visit is named
    asked.value.dismiss()  # "no": stay logged in, the visit stays
    expect(page.get_by_test_id("outbox")).to_have_attribute("data-count", "1")
    assert "/accounts/login/" not in page.url

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name=journey.t("Log out")).click()
    expect(page).to_have_url(journey.path_pattern("/accounts/login/"))

    journey.login(org.unit_staff)
    journey.goto(f"/supervision/campaigns/{campaign.pk}/visits/new/?branch={org.county_branch.pk}")
    expect(page.locator("html")).to_have_attribute("data-offline-ready", "1", timeout=60_000)
    expect(page.get_by_test_id("outbox")).to_have_attribute("data-count", "0")
    expect(page.locator("[data-draft-notice]")).to_be_hidden()
    expect(page.get_by_test_id("visit-form").get_by_label(journey.t("Overall comment"))).to_have_value("")
    left = page.evaluate("BranchtrackOutbox.itemsOf(%d).then(items => items.length)" % org.staff.pk)
    assert left == 0  # the first user's queue left the phone with them
    assert not Visit.objects.exists()
    forget_offline_failures(journey)


def forget_offline_failures(journey) -> None:
    # Requests the browser could not make while the phone was offline are the point of these tests.
    journey.problems.found[:] = [
        problem for problem in journey.problems.found if "ERR_INTERNET_DISCONNECTED" not in problem
    ]


def jpeg_size(head: bytes) -> tuple[int, int]:
    """Width and height from a JPEG's start-of-frame marker."""
    index = 2
    while index < len(head):
        assert head[index] == 0xFF
        marker, length = head[index + 1], int.from_bytes(head[index + 2 : index + 4], "big")
        if marker in (0xC0, 0xC1, 0xC2):
            height = int.from_bytes(head[index + 5 : index + 7], "big")
            width = int.from_bytes(head[index + 7 : index + 9], "big")
            return width, height
        index += 2 + length
    raise AssertionError("no start-of-frame marker")
