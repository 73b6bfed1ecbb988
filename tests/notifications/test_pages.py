"""The bell, the notification centre, preferences and the channel page."""

import pytest
from django.utils import timezone

from notifications import channel_secrets, kinds, services
from notifications.models import Channel, Notice, Notification, Preference
from tests.query_budget import assert_page_within_budget, count_queries
from tests.responses import followed


def notify(user, number: int, *, url: str = "/supervision/problems/1/") -> Notification:
    notice = Notice.objects.create(
        kind=kinds.PROBLEM_FOUND,
        dedup_key=f"test:{user.pk}:{number}",
        params={"branch": "城区党支部", "title": f"问题{number}", "due_on": "2020-07-01"},
        url=url,
    )
    return Notification.objects.create(notice=notice, recipient=user)


@pytest.mark.django_db
def test_the_bell_shows_the_unread_count_for_one_query(org, login):
    client = login(org.secretary)
    notify(org.secretary, 1)
    notify(org.secretary, 2).__class__.objects.filter(notice__dedup_key__endswith=":2").update(
        read_at=timezone.now()
    )
    notify(org.admin, 3)  # someone else's
    page = client.get("/notifications/preferences/").content.decode()
    assert 'data-testid="unread-count">1<' in page
    # A drawn icon, not an emoji that a PC without an emoji font shows as a box.
    assert 'class="bell-icon"' in page and "🔔" not in page

    without_bell, _ = count_queries(lambda: client.get("/notifications/preferences/"))
    assert_page_within_budget(
        app="notifications",
        page="notification_list",
        client=client,
        url="/notifications/",
        grow=lambda: [notify(org.secretary, n) for n in range(10, 20)],
    )
    assert without_bell > 0


@pytest.mark.django_db
def test_the_bell_costs_one_query(org, login, settings):
    client = login(org.secretary)
    with_bell, _ = count_queries(lambda: client.get("/notifications/preferences/"))
    processors = settings.TEMPLATES[0]["OPTIONS"]["context_processors"]
    settings.TEMPLATES = [
        {
            **settings.TEMPLATES[0],
            "OPTIONS": {
                **settings.TEMPLATES[0]["OPTIONS"],
                "context_processors": [p for p in processors if not p.startswith("notifications.")],
            },
        }
    ]
    without_bell, _ = count_queries(lambda: client.get("/notifications/preferences/"))
    assert with_bell - without_bell == 1


@pytest.mark.django_db
def test_opening_a_notification_marks_it_read_and_follows_its_link_and_mark_all_read(org, login):
    client = login(org.secretary)
    first = notify(org.secretary, 1, url="/supervision/problems/42/")
    notify(org.secretary, 2)
    response = client.get(f"/notifications/{first.pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/supervision/problems/42/"
    first.refresh_from_db()
    assert first.read_at is not None

    page = client.get("/notifications/?state=unread").content.decode()
    assert "问题2" in page and "问题1" not in page

    page = followed(client, client.post("/notifications/read-all/"), to="/notifications/")
    assert "已将 1 条消息标为已读。" in page
    assert Notification.objects.for_user(org.secretary).unread().count() == 0


@pytest.mark.django_db
def test_someone_elses_notification_is_not_found_and_junk_filters_answer_400(org, login):
    theirs = notify(org.admin, 1)
    client = login(org.secretary)
    assert client.get(f"/notifications/{theirs.pk}/open/").status_code == 404
    assert client.get("/notifications/?state=dance").status_code == 400
    theirs.refresh_from_db()
    assert theirs.read_at is None


@pytest.mark.django_db
def test_preferences_are_saved_and_an_escalation_cannot_be_turned_off(org, login):
    client = login(org.unit_admin)
    data = {f"kind_{code}": "email" for code in kinds.KINDS} | {"language": "en"}
    response = client.post("/notifications/preferences/", data | {f"kind_{kinds.PROBLEM_OVERDUE}": "off"})
    assert response.status_code == 400
    assert "off 不在可用的选项中" in response.content.decode()
    assert not Preference.objects.exists()

    page = followed(
        client,
        client.post("/notifications/preferences/", data | {f"kind_{kinds.PROBLEM_FOUND}": "off"}),
        to="/notifications/preferences/",
    )
    assert "通知偏好已保存。" in page
    assert Preference.objects.get(user=org.unit_admin, kind=kinds.PROBLEM_FOUND).choice == "off"
    assert services.mail_language(org.unit_admin) == "en"


@pytest.mark.django_db
def test_an_administrator_connects_a_group_robot_and_its_secret_is_never_shown_again(org, login):
    client = login(org.unit_admin)
    url = "https://oapi.dingtalk.com/robot/send?access_token=t0ken"
    page = followed(
        client,
        client.post(
            "/notifications/channels/",
            {
                "unit": org.county.pk,
                "kind": "dingtalk",
                "name": "县公司党建群",
                "target": url,
                "secret": "SECabc",
            },
        ),
        to="/notifications/channels/",
    )
    assert "渠道 县公司党建群 已添加。" in page and "SECabc" not in page and "已设置" in page
    stored = Channel.objects.get().encrypted_secret
    assert "SECabc" not in stored and channel_secrets.decrypt(stored) == "SECabc"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"kind": "dingtalk", "target": "javascript:alert(1)"},
            "请输入机器人的 Webhook 地址（http:// 或 https://）。",
        ),
        ({"kind": "email", "target": "not-an-address"}, "请输入邮箱地址。"),
        ({"kind": "pigeon", "target": "https://example.com/"}, "pigeon 不在可用的选项中"),
    ],
)
def test_a_bad_channel_is_refused_with_a_message_and_nothing_saved(org, login, data, message):
    response = login(org.unit_admin).post(
        "/notifications/channels/", {"unit": org.county.pk, "name": "x"} | data
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Channel.objects.exists()


@pytest.mark.django_db
def test_a_unit_administrator_configures_only_their_subtree(org, login):
    client = login(org.unit_admin)
    response = client.post(
        "/notifications/channels/",
        {"unit": org.city.pk, "kind": "wecom", "name": "x", "target": "https://qyapi.weixin.qq.com/x"},
    )
    assert response.status_code == 400 and not Channel.objects.exists()
    theirs = services.add_channel(
        user=org.admin, unit=org.city, kind="wecom", name="城区群", target="https://qyapi.weixin.qq.com/x"
    )
    assert "城区群" not in client.get("/notifications/channels/").content.decode()
    assert client.post(f"/notifications/channels/{theirs.pk}/delete/").status_code == 404
    assert login(org.secretary).get("/notifications/channels/").status_code == 403
    assert Channel.objects.filter(pk=theirs.pk).exists()


def test_the_bells_name_holds_its_visible_text(org, login):
    # axe's label-content-name-mismatch: an aria-label "1 unread notification" hid the visible "消息 1".
    client = login(org.secretary)
    notify(org.secretary, 1)
    page = client.get("/notifications/preferences/").content.decode()
    bell = page[page.index('data-testid="bell"') :]
    bell = bell[: bell.index("</a>")]
    assert "aria-label" not in bell
    assert (
        '消息 <span class="badge" data-testid="unread-count">1</span><span class="visually-hidden"> 条未读</span>'
        in bell
    )
