from math import ceil

from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from security import throttle


class ThrottledAuthenticationForm(AuthenticationForm):
    """The normal log-in form, refusing to even check a password while the account or address is locked."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": _(
            "Too many failed log-ins for this account or from this computer. "
            "Try again in %(minutes)s minutes, or ask an administrator to reset your password."
        ),
    }

    throttled = False

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        ip = throttle.client_ip(self.request) if self.request is not None else None
        # Counted before the password is checked, atomically: simultaneous attempts cannot all slip under
        # the limit. Without a password nothing is checked and nothing counted.
        if self.cleaned_data.get("password"):
            wait = throttle.reserve_attempt(username=username, ip=ip)
        else:
            wait = throttle.seconds_locked(username=username, ip=ip)
        if wait:
            self.throttled = True
            raise ValidationError(
                self.error_messages["throttled"], code="throttled", params={"minutes": ceil(wait / 60)}
            )
        cleaned = super().clean()  # a wrong password keeps the reserved attempt as a failure
        throttle.clear_failures(username=username)
        return cleaned
