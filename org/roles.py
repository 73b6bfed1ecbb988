"""The roles a user can have. Kept apart from the models so the permission API needs no model."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrator")
    STAFF = "staff", _("Party-affairs staff")
    REVIEWER = "reviewer", _("Department reviewer")
    SECRETARY = "secretary", _("Branch secretary")
