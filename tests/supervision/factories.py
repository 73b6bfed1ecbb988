"""Factories for the supervision app; a campaign with the 3 x 3 default-shaped checklist."""

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from supervision.models import (
    Campaign,
    ChecklistArea,
    ChecklistItem,
    ChecklistTemplate,
    Finding,
    Visit,
    VisitScore,
)
from tests.factories import BranchFactory, UserFactory


class ChecklistTemplateFactory(DjangoModelFactory):
    class Meta:
        model = ChecklistTemplate
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"清单{n}")
    version = 1

    @factory.post_generation
    def areas(obj, create, extracted, **kwargs):
        """3 areas x 3 items, scores 0-10, weight 1 (pass areas=0 for an empty template)."""
        if not create or extracted == 0:
            return
        for a in range(1, 4):
            area = ChecklistArea.objects.create(template=obj, code=f"A{a}", name=f"方面{a}", order=a)
            for i in range(1, 4):
                ChecklistItem.objects.create(area=area, text=f"重点内容{a}.{i}", order=i)


class CampaignFactory(DjangoModelFactory):
    class Meta:
        model = Campaign
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"走遍支部{n}")
    year = 2020
    starts_on = datetime.date(2020, 3, 1)
    ends_on = datetime.date(2020, 12, 31)
    template = factory.SubFactory(ChecklistTemplateFactory)

    @factory.post_generation
    def scope(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.scope_units.set(extracted)


class VisitFactory(DjangoModelFactory):
    class Meta:
        model = Visit
        skip_postgeneration_save = True

    campaign = factory.SubFactory(CampaignFactory)
    template = factory.SelfAttribute("campaign.template")
    branch = factory.SubFactory(BranchFactory)
    visited_on = datetime.date(2020, 6, 1)
    visitors = "王芳"
    status = Visit.Status.COMPLETED
    created_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def score(obj, create, extracted, **kwargs):
        """score=<Decimal> gives every item that score (default 8 for completed visits)."""
        if not create:
            return
        value = extracted if extracted is not None else (Decimal("8") if obj.is_completed else None)
        if value is None:
            return
        for item in ChecklistItem.objects.filter(area__template=obj.template):
            VisitScore.objects.create(visit=obj, item=item, score=value)


class ProblemFactory(DjangoModelFactory):
    class Meta:
        model = Finding

    visit = factory.SubFactory(VisitFactory)
    kind = Finding.Kind.PROBLEM
    title = factory.Sequence(lambda n: f"问题{n}")
    owner_unit = factory.SelfAttribute("visit.branch.unit")
    due_on = datetime.date(2020, 7, 1)
