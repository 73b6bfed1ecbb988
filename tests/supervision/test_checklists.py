"""Checklist versions: a version that visits used never changes in place; a new version maps its items."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from supervision.models import ChecklistItem, ChecklistTemplate, TemplateFrozenError
from supervision.selectors import previous_visit
from supervision.services import new_template_version
from tests.supervision.factories import CampaignFactory, ChecklistTemplateFactory, VisitFactory


@pytest.mark.django_db
def test_an_unused_template_can_still_be_edited():
    template = ChecklistTemplateFactory()
    item = ChecklistItem.objects.filter(area__template=template).first()
    item.max_score = Decimal("20")
    item.save()
    assert ChecklistItem.objects.get(pk=item.pk).max_score == Decimal("20")


@pytest.mark.django_db
def test_a_template_a_visit_used_refuses_changes(org, campaign):
    VisitFactory(campaign=campaign, branch=org.city_branch)
    template = campaign.template
    item = ChecklistItem.objects.filter(area__template=template).first()

    item.max_score = Decimal("20")
    with pytest.raises(TemplateFrozenError):
        item.save()
    area = template.areas.first()
    area.name = "改名"
    with pytest.raises(TemplateFrozenError):
        area.save()
    template.name = "改名"
    with pytest.raises(TemplateFrozenError):
        template.save()
    assert ChecklistItem.objects.get(pk=item.pk).max_score == Decimal("10")


@pytest.mark.django_db
def test_a_new_version_copies_areas_and_maps_each_item_to_the_one_it_replaces(org, campaign):
    VisitFactory(campaign=campaign, branch=org.city_branch)
    old = campaign.template

    new = new_template_version(template=old)

    assert (new.name, new.version, new.previous) == (old.name, 2, old)
    assert list(new.areas.values_list("code", flat=True)) == ["A1", "A2", "A3"]
    new_items = ChecklistItem.objects.filter(area__template=new).select_related("previous__area")
    assert len(new_items) == 9
    assert all(
        item.previous.area.template_id == old.pk and item.previous.text == item.text for item in new_items
    )
    # The new version is free to change.
    item = new_items[0]
    item.text = "新的重点内容"
    item.save()


@pytest.mark.django_db
def test_only_the_latest_version_gets_a_successor(campaign):
    new_template_version(template=campaign.template)
    with pytest.raises(ValidationError):
        new_template_version(template=ChecklistTemplate.objects.get(pk=campaign.template.pk))


@pytest.mark.django_db
def test_last_year_scores_show_against_this_year_items(org, campaign):
    VisitFactory(campaign=campaign, branch=org.city_branch, score=Decimal("7"))
    new = new_template_version(template=campaign.template)
    next_year = CampaignFactory(scope=[org.company], template=new, year=2021)

    previous = previous_visit(branch=org.city_branch)

    new_item_ids = set(ChecklistItem.objects.filter(area__template=new).values_list("pk", flat=True))
    assert new_item_ids <= set(previous.scores_by_item)
    assert {previous.scores_by_item[pk].score for pk in new_item_ids} == {Decimal("7")}
    assert next_year.template == new


@pytest.mark.django_db
def test_the_admin_shows_a_used_template_read_only(client, org, campaign):
    VisitFactory(campaign=campaign, branch=org.city_branch)
    org.admin.is_superuser = True
    org.admin.save()
    client.force_login(org.admin)
    template = campaign.template
    url = f"/admin/supervision/checklisttemplate/{template.pk}/change/"

    page = client.get(url)
    assert page.status_code == 200
    assert 'name="name"' not in page.content.decode()
    assert client.post(url, {"name": "改名", "version": 1}).status_code == 403

    response = client.post(
        "/admin/supervision/checklisttemplate/",
        {"action": "make_new_version", "_selected_action": [template.pk]},
    )
    new = ChecklistTemplate.objects.get(name=template.name, version=2)
    assert response.status_code == 302 and response["Location"].endswith(f"/{new.pk}/change/")
    assert 'name="name"' in client.get(response["Location"]).content.decode()
