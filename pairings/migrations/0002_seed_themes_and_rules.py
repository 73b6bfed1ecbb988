"""The five themes of the reference year and the default rules, as editable data."""

from django.db import migrations

THEMES = ["疫情防控联抓共管", "重点项目联建共促", "复工复产联动共保", "脱贫攻坚联帮共助", "党建活动联抓共融"]


def seed(apps, schema_editor):
    Theme = apps.get_model("pairings", "Theme")
    PairingRules = apps.get_model("pairings", "PairingRules")
    for order, name in enumerate(THEMES, start=1):
        Theme.objects.get_or_create(name=name, defaults={"order": order})
    if not PairingRules.objects.exists():
        PairingRules.objects.create(dormant_after_days=90)


def unseed(apps, schema_editor):
    apps.get_model("pairings", "Theme").objects.filter(name__in=THEMES, pairings__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("pairings", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
