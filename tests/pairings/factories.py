"""Factories of the pairings app (the shared ones live in tests/factories.py)."""

import datetime

import factory
from factory.django import DjangoModelFactory

from pairings.models import ExternalOrg, LiaisonGroup, Pairing, PairingActivity, Theme, Village
from tests.factories import BranchFactory


class ExternalOrgFactory(DjangoModelFactory):
    class Meta:
        model = ExternalOrg

    code = factory.Sequence(lambda n: f"EXT{n:04d}")
    name = factory.Sequence(lambda n: f"客户党组织{n}")
    kind = ExternalOrg.Kind.CUSTOMER


class PairingFactory(DjangoModelFactory):
    """A branch's pairing by default; pass branch=None, unit=<Unit> for a unit committee's."""

    class Meta:
        model = Pairing
        skip_postgeneration_save = True

    branch = factory.SubFactory(BranchFactory)
    unit = None
    external_org = factory.SubFactory(ExternalOrgFactory)
    start_date = datetime.date(2020, 1, 1)
    status = Pairing.Status.ACTIVE

    @factory.post_generation
    def themes(obj, create, extracted, **kwargs):
        if create:
            obj.themes.set(extracted if extracted is not None else Theme.objects.order_by("order")[:1])


class ActivityFactory(DjangoModelFactory):
    class Meta:
        model = PairingActivity

    pairing = factory.SubFactory(PairingFactory)
    date = datetime.date(2020, 5, 16)
    title = factory.Sequence(lambda n: f"联合活动{n}")
    description = "联合开展活动"
    our_people = 10
    our_party_members = 5
    their_people = 8
    their_party_members = 3


class VillageFactory(DjangoModelFactory):
    class Meta:
        model = Village

    name = factory.Sequence(lambda n: f"测试{n}村")
    township = "城关镇"


class LiaisonGroupFactory(DjangoModelFactory):
    class Meta:
        model = LiaisonGroup
        skip_postgeneration_save = True

    branch = factory.SubFactory(BranchFactory)
    name = factory.Sequence(lambda n: f"党员联系乡村群{n}")
    start_date = datetime.date(2020, 3, 1)
    cadre_count = 3

    @factory.post_generation
    def villages(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.villages.set(extracted)
