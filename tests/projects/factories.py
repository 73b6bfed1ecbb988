"""Factories of the projects app's tests."""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from projects.models import Assignment, BranchProject, Rating, RatingRound, RubricCriterion
from tests.factories import BranchFactory


class RatingRoundFactory(DjangoModelFactory):
    class Meta:
        model = RatingRound
        django_get_or_create = ("year",)
        skip_postgeneration_save = True

    year = 2020
    name = factory.LazyAttribute(lambda o: f"{o.year}年度项目评价")
    # An open round's window contains today, so ratings are accepted (the window is enforced).
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    closes_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=30))
    status = RatingRound.Status.OPEN

    @factory.post_generation
    def criteria(obj, create, extracted, **kwargs):
        if create and not obj.criteria.exists():
            RubricCriterion.objects.create(round=obj, name="支撑中心工作力度", weight=1, order=1)


class BranchProjectFactory(DjangoModelFactory):
    class Meta:
        model = BranchProject
        skip_postgeneration_save = True

    branch = factory.SubFactory(BranchFactory)
    year = 2020
    title = factory.Sequence(lambda n: f"测试项目{n}")
    central_item = "提升供电可靠性"
    indicator_name = "线路故障跳闸次数"
    indicator_unit = "次"
    baseline = Decimal("12")
    target = Decimal("8")
    description = "说明"

    @factory.post_generation
    def departments(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.departments.set(extracted)


class AssignmentFactory(DjangoModelFactory):
    class Meta:
        model = Assignment


class RatingFactory(DjangoModelFactory):
    class Meta:
        model = Rating

    score = Decimal("80")
    department = factory.LazyAttribute(lambda o: o.rater.department)
