"""Meeting attendance per unit, and feedback that a unit's users see once it is sent."""

import pytest

from supervision import services
from supervision.models import Feedback, MeetingAttendance


@pytest.mark.django_db
def test_staff_record_a_meeting_of_a_unit_in_their_scope(login, org, campaign):
    client = login(org.unit_staff)
    data = {"unit": org.station.pk, "held_on": "2020-05-10", "title": "党建工作例会", "attendees": "李强"}
    assert client.post("/supervision/meetings/new/", data).status_code == 302
    assert MeetingAttendance.objects.get().created_by == org.unit_staff
    assert "党建工作例会" in client.get("/supervision/meetings/").content.decode()

    refused = client.post("/supervision/meetings/new/", {**data, "unit": org.city.pk})
    assert refused.status_code == 400 and 'id="id_unit_error"' in refused.content.decode()
    assert MeetingAttendance.objects.count() == 1


@pytest.mark.django_db
def test_feedback_is_visible_to_the_units_users_only_once_sent(login, org, campaign):
    feedback = services.write_feedback(
        user=org.staff, campaign=campaign, unit=org.city, summary="城区反馈：总体较好"
    )
    url = f"/supervision/feedback/{feedback.pk}/"
    assert login(org.secretary).get(url).status_code == 404

    assert login(org.staff).post(url).status_code == 302
    feedback.refresh_from_db()
    assert feedback.is_sent

    secretary = login(org.secretary)
    assert "城区反馈" in secretary.get(url).content.decode()
    assert "城区反馈" in secretary.get("/supervision/feedback/").content.decode()
    assert secretary.post(url).status_code == 404


@pytest.mark.django_db
def test_feedback_to_another_unit_stays_hidden(login, org, campaign):
    feedback = services.write_feedback(
        user=org.staff, campaign=campaign, unit=org.county, summary="县公司反馈"
    )
    services.send_feedback(feedback=feedback)
    assert login(org.secretary).get(f"/supervision/feedback/{feedback.pk}/").status_code == 404
    assert "县公司反馈" not in login(org.reviewer).get("/supervision/feedback/").content.decode()


@pytest.mark.django_db
def test_unit_staff_cannot_write_feedback_to_another_unit(login, org, campaign):
    data = {"campaign": campaign.pk, "unit": org.city.pk, "summary": "越权反馈"}
    assert login(org.unit_staff).post("/supervision/feedback/new/", data).status_code == 400
    assert not Feedback.objects.exists()
