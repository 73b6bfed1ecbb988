"""factory_boy factories shared by every app's tests."""

import factory
from factory.django import DjangoModelFactory

from org.models import Branch, Department, Role, Unit, User

TEST_PASSWORD = "Test-pass-2020"


class UnitFactory(DjangoModelFactory):
    """A unit; pass parent=<Unit> for a child, or nothing for a (new) root."""

    class Meta:
        model = Unit

    code = factory.Sequence(lambda n: f"UT{n:04d}")
    name = factory.Sequence(lambda n: f"测试单位{n}")
    kind = Unit.Kind.COUNTY

    @classmethod
    def _create(cls, model_class, *args, parent=None, **kwargs):
        if parent is None:
            return Unit.objects.add_root(kwargs)
        return Unit.objects.add_child(Unit.objects.get(pk=parent.pk), kwargs)


class DepartmentFactory(DjangoModelFactory):
    class Meta:
        model = Department

    code = factory.Sequence(lambda n: f"DT{n:03d}")
    name = factory.Sequence(lambda n: f"测试部门{n}")


class BranchFactory(DjangoModelFactory):
    class Meta:
        model = Branch

    code = factory.Sequence(lambda n: f"BT{n:05d}")
    name = factory.Sequence(lambda n: f"测试党支部{n}")
    unit = factory.SubFactory(UnitFactory)
    secretary = "张伟"
    member_count = 12
    active = True


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Sequence(lambda n: f"用户{n}")
    role = Role.STAFF
    unit = factory.SubFactory(UnitFactory)
    password = factory.PostGenerationMethodCall("set_password", TEST_PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()
