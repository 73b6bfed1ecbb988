"""The flow every form page shares: POST -> parse -> service -> errors or a message and a redirect.

    return form_page(
        request,
        form=MeetingForm(request.POST or None, units=...),
        save=lambda data: services.record_meeting(user=request.user, **data),
        success_message=_("Meeting attendance recorded."),
        success_url=lambda meeting: reverse("supervision:meeting_list"),
        template="supervision/simple_form.html",
        context={"title": _("Record meeting attendance")},
    )

Forms only parse; the service validates (once) and raises `ValidationError`, whose messages land
next to their fields (`apply_errors`, the one mapper) or, for no known field, on top of the form.
Invalid input re-renders the page with status 400 and an error summary on top
(`partials/error_summary.html`, included by `partials/form.html`); a stale edit
(`StaleEditError`) is an error of the whole form. Success sets the message and redirects.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from branchtrack.web.concurrency import StaleEditError


def apply_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """Put a service's ValidationError on the form: each message by its field, the rest on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def form_page(
    request: HttpRequest,
    *,
    form: forms.BaseForm,
    save: Callable[[dict], Any],
    template: str,
    success_url: str | Callable[[Any], str],
    success_message: str | Callable[[Any], str] = "",
    context: dict | Callable[[], dict] | None = None,
    also_valid: Iterable[Any] = (),
    message_level: Callable[[Any], int] | None = None,
) -> HttpResponse:
    """Render `form` on GET; on POST call `save(cleaned_data)` when the form (and `also_valid`, e.g. a
    formset) is valid, then message and redirect to `success_url` (a URL, a URL name, or a function of
    what `save` returned). Anything invalid re-renders with the errors and status 400.

    `message_level(result)` picks the message's level (success unless it says otherwise). `context`
    may be a function, called after validation (a ModelForm changes its instance while validating).
    """
    extra = list(also_valid)
    if request.method == "POST":
        # Every form is validated, so each shows its own errors at once.
        valid = all([form.is_valid(), *(part.is_valid() for part in extra)])
        if valid:
            try:
                result = save(form.cleaned_data)
            except StaleEditError as exc:
                form.add_error(None, exc.message)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                message = success_message(result) if callable(success_message) else success_message
                if message:
                    level = message_level(result) if message_level else messages.SUCCESS
                    messages.add_message(request, level, message)
                return redirect(success_url(result) if callable(success_url) else success_url)
    status = 400 if request.method == "POST" else 200
    extra_context = context() if callable(context) else context or {}
    return render(request, template, {"form": form, **extra_context}, status=status)
