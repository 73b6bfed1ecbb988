"""The demo: the reference figures on the summary page, and a secretary with a pairing to log for."""

from io import StringIO

from org import demo as org_demo
from org.models import User
from pairings import demo as pairings_demo
from pairings.models import ActivityOutcome, LiaisonGroup, Pairing, PairingActivity


def test_the_demo_has_the_reference_figures_and_is_idempotent(demo):
    counts = Pairing.objects.distinct_counts()
    assert (counts["ours"], counts["external"]) == (108, 166)
    totals = LiaisonGroup.objects.totals()
    assert (totals["villages"], totals["cadres"]) == (59, 168)
    assert set(Pairing.objects.values_list("themes__name", flat=True)) >= {
        "疫情防控联抓共管",
        "重点项目联建共促",
        "复工复产联动共保",
        "脱贫攻坚联帮共助",
        "党建活动联抓共融",
    }
    seed = PairingActivity.objects.get(title__contains="地铁11号线5标段")
    assert (seed.our_people, seed.our_party_members, seed.their_people, seed.their_party_members) == (
        80,
        20,
        80,
        20,
    )
    assert sorted(ActivityOutcome.objects.filter(activity=seed).values_list("unit_label", "value")) == [
        ("km", 4.5),
        ("基", 16),
    ]
    before = (Pairing.objects.count(), PairingActivity.objects.count())
    pairings_demo.load(stdout=StringIO())
    assert (Pairing.objects.count(), PairingActivity.objects.count()) == before


def test_the_demo_summary_page_and_the_secretarys_pairing(demo, client):
    client.post("/accounts/login/", {"username": "admin", "password": org_demo.DEMO_PASSWORD})
    page = client.get("/pairings/summary/").content.decode()
    assert 'data-testid="ours-count">108<' in page and 'data-testid="external-count">166<' in page
    assert 'data-testid="village-count">59<' in page and 'data-testid="cadre-count">168<' in page
    secretary = User.objects.get(username="secretary")
    assert Pairing.objects.filter(branch=secretary.branch).exists()


def test_every_demo_record_has_a_change_history_page(demo, client):
    # The demo bulk-creates its rows: each must still have a trail, or the detail page's
    # "Change history" link answers with an empty page (it answered 404 for every pairing).
    client.post("/accounts/login/", {"username": "admin", "password": org_demo.DEMO_PASSWORD})
    pairing = Pairing.objects.order_by("pk").first()
    activity = PairingActivity.objects.filter(outcomes__isnull=False).order_by("pk").first()
    for model, record in [
        (Pairing, pairing),
        (PairingActivity, activity),
        (ActivityOutcome, activity.outcomes.first()),
        (type(pairing.external_org), pairing.external_org),
    ]:
        assert model.history.filter(id=record.pk).count() == 1, model
    detail = client.get(f"/pairings/{pairing.pk}/").content.decode()
    assert f'href="/audit/pairings.pairing/{pairing.pk}/"' in detail
    history = client.get(f"/audit/pairings.pairing/{pairing.pk}/")
    assert history.status_code == 200
    assert history.content.decode().count('data-testid="audit-entry"') == 1
