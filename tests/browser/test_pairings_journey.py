"""联创共建 in a browser: a branch secretary logs a joint activity with a photo taken on site."""

import datetime
import struct
import zlib

import pytest
from playwright.sync_api import expect

from pairings.models import ActivityAttachment, PairingActivity, Theme
from tests.pairings.factories import ExternalOrgFactory, PairingFactory

pytestmark = pytest.mark.browser

PHOTO_SIZE = (48, 32)


def small_png(width: int, height: int) -> bytes:
    """A real PNG (red with a white band), built by hand: no imaging library needed."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(
        b"\x00" + (b"\xff\xff\xff" if height // 3 <= y < 2 * height // 3 else b"\xb7\x1c\x1c") * width
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def pairing(org):
    """The secretary's branch paired with a customer's party organisation; the county has one too."""
    # The themes are seeded by a migration, which an earlier journey's flush may have emptied.
    theme, _created = Theme.objects.get_or_create(name="重点项目联建共促", defaults={"order": 2})
    ours = PairingFactory(
        branch=org.city_branch,
        external_org=ExternalOrgFactory(name="城东工业园区管委会党委"),
        start_date=datetime.date(2020, 3, 1),
        themes=[theme],
    )
    PairingFactory(
        branch=org.county_branch, external_org=ExternalOrgFactory(name="河口村党支部"), themes=[theme]
    )
    return ours


def test_a_secretary_logs_a_joint_activity_with_a_photo(journey, org, pairing):
    page = journey.page
    journey.login(org.secretary)
    journey.nav(journey.t("Pairings"))

    # Only their own branch's pairing is listed.
    rows = page.get_by_test_id("pairing-row")
    expect(rows).to_have_count(1)
    rows.get_by_role("link", name=org.city_branch.name).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(pairing.external_org.name)
    page.get_by_role("link", name=journey.t("Log a joint activity")).click()

    form = page.get_by_test_id("activity-form")
    form.get_by_label(journey.field_label(PairingActivity, "date")).fill("2020-05-16")
    form.get_by_label(journey.field_label(PairingActivity, "title"), exact=True).fill("联合清理园区废旧线路")
    form.get_by_label(journey.field_label(PairingActivity, "description")).fill(
        "两个夜间停电窗口内，双方党员突击队联合拆除废旧杆塔、清理废旧线路。"
    )
    form.get_by_label(journey.field_label(PairingActivity, "our_people")).fill("24")
    form.get_by_label(journey.field_label(PairingActivity, "our_party_members")).fill("15")
    form.get_by_label(journey.field_label(PairingActivity, "their_people")).fill("12")
    form.get_by_label(journey.field_label(PairingActivity, "their_party_members")).fill("6")
    outcomes = form.locator(".outcome-row")
    for row, (label, value, unit) in zip(
        outcomes.all(), [("拆除废旧杆塔", "16", "基"), ("清理废旧线路", "4.5", "千米")], strict=False
    ):
        row.get_by_label(journey.t("Outcome")).fill(label)
        row.get_by_label(journey.t("Value")).fill(value)
        row.get_by_label(journey.t("Unit of measure")).fill(unit)
    form.get_by_label(journey.t("Photos")).set_input_files(
        files=[{"name": "现场照片.png", "mimeType": "image/png", "buffer": small_png(*PHOTO_SIZE)}]
    )
    journey.screenshot("activity-form")
    form.get_by_role("button", name=journey.t("Save activity")).click()

    expect(page.get_by_role("status")).to_have_text(journey.t("The activity was logged."))
    activity = page.get_by_test_id("activity").filter(has_text="联合清理园区废旧线路")
    expect(activity).to_have_count(1)
    expect(activity).to_contain_text("拆除废旧杆塔 16 基")
    expect(activity).to_contain_text("清理废旧线路 4.5 千米")
    # The photo is served back from the app and the browser can decode it.
    photo = activity.get_by_role("img", name="现场照片.png")
    photo.scroll_into_view_if_needed()
    expect(photo).to_have_js_property("naturalWidth", PHOTO_SIZE[0])
    journey.screenshot("pairing", at=activity)

    saved = PairingActivity.objects.get(pairing=pairing)
    assert saved.created_by == org.secretary
    assert (saved.our_people, saved.our_party_members, saved.their_people, saved.their_party_members) == (
        24,
        15,
        12,
        6,
    )
    attachment = saved.attachments.get()
    assert attachment.kind == ActivityAttachment.Kind.PHOTO and attachment.content_type == "image/png"
