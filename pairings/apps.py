from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PairingsConfig(AppConfig):
    name = "pairings"
    label = "pairings"
    verbose_name = _("联创共建 pairings")
