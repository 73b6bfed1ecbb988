"""Pages of the api app: the documentation, and making and revoking tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from api import selectors, services
from api.forms import ServiceTokenForm, TokenForm
from api.models import ApiToken
from branchtrack.web.form_page import apply_errors
from org.models import Unit
from org.permissions import company_admin_required


@login_required
def documentation(request):
    return render(request, "api/docs.html")


@login_required
def token_list(request):
    form = TokenForm(request.POST or None)
    secret = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                _token, secret = services.create_personal_token(
                    user=request.user,
                    name=form.cleaned_data["name"],
                    access=form.cleaned_data["access"],
                    expires_at=form.expires_at(),
                )
                form = TokenForm()
            except ValidationError as exc:
                apply_errors(form, exc)
        if secret is None:
            status = 400
    return render(
        request,
        "api/tokens.html",
        {"form": form, "secret": secret, "tokens": selectors.personal_tokens_of(request.user)},
        status=status,
    )


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = get_object_or_404(ApiToken.objects.editable_by(request.user), pk=pk)
    services.revoke_token(token=token)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("api:service_tokens" if token.kind == token.Kind.SERVICE else "api:tokens")


@company_admin_required
def service_token_list(request):
    units = Unit.objects.visible_to(request.user)
    form = ServiceTokenForm(request.POST or None, units=units)
    secret = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                _token, secret = services.create_service_token(
                    admin=request.user,
                    unit=form.cleaned_data["unit"],
                    name=form.cleaned_data["name"],
                    access=form.cleaned_data["access"],
                    expires_at=form.expires_at(),
                )
                form = ServiceTokenForm(units=units)
            except ValidationError as exc:
                apply_errors(form, exc)
        if secret is None:
            status = 400
    return render(
        request,
        "api/service_tokens.html",
        {"form": form, "secret": secret, "tokens": selectors.service_tokens_for(request.user)},
        status=status,
    )
