"""Thin views: the notification centre, preferences, and a unit's channels (administrators)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from branchtrack.web.form_page import apply_errors
from branchtrack.web.list_page import filtered_list_page
from notifications import selectors, services
from notifications.filters import NotificationFilterSet
from notifications.forms import ChannelForm, PreferencesForm
from notifications.models import Channel, Preference
from org.models import Role, Unit
from org.permissions import role_required


@login_required
def notification_list(request):
    filterset = NotificationFilterSet(request.GET or None, queryset=selectors.notifications_of(request.user))
    return filtered_list_page(request, filterset=filterset, template="notifications/notification_list.html")


@login_required
def notification_open(request, pk: int):
    """Mark the notification read and follow its link (the linked page checks its own scope)."""
    notification = get_object_or_404(selectors.notifications_of(request.user), pk=pk)
    services.mark_read(user=request.user, notification=notification)
    target = notification.notice.url
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/notifications/"
    return HttpResponseRedirect(target or "/notifications/")


@require_POST
@login_required
def mark_all_read(request):
    count = services.mark_all_read(user=request.user)
    messages.success(request, _("%(count)s notifications marked read.") % {"count": count})
    return redirect("notifications:list")


@login_required
def preferences(request):
    user = request.user
    chosen = dict(Preference.objects.filter(user=user).values_list("kind", "choice"))
    form = PreferencesForm(request.POST or None, choices=chosen, language=services.mail_language(user))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.save_preferences(
                    user=user, choices=form.kind_choices(), language=form.cleaned_data["language"]
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field == "language" else f"kind_{field}", errors)
            else:
                messages.success(request, _("Your notification preferences are saved."))
                return redirect("notifications:preferences")
        status = 400
    return render(request, "notifications/preferences.html", {"form": form}, status=status)


@role_required(Role.ADMIN)
def channel_list(request):
    """A unit's channels (add one here) and the deliveries that failed after their retries."""
    user = request.user
    form = ChannelForm(request.POST or None, units=Unit.objects.visible_to(user))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                channel = services.add_channel(
                    user=user,
                    unit=data["unit"],
                    kind=data["kind"],
                    name=data["name"],
                    target=data["target"],
                    secret=data["secret"],
                    kinds=data["kinds"],
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, _("Channel %(name)s added.") % {"name": channel.name})
                return redirect("notifications:channels")
        status = 400
    context = {
        "form": form,
        "channels": Channel.objects.visible_to(user).select_related("unit"),
        "failed": selectors.failed_deliveries(user=user)[:50],
    }
    return render(request, "notifications/channel_list.html", context, status=status)


@require_POST
@role_required(Role.ADMIN)
def channel_delete(request, pk: int):
    channel = get_object_or_404(Channel.objects.editable_by(request.user), pk=pk)
    services.remove_channel(user=request.user, channel=channel)
    messages.success(request, _("Channel %(name)s removed.") % {"name": channel.name})
    return redirect("notifications:channels")


@require_POST
@role_required(Role.ADMIN)
def delivery_retry(request, pk: int):
    delivery = get_object_or_404(selectors.failed_deliveries(user=request.user, for_change=True), pk=pk)
    services.retry_failed(delivery=delivery)
    messages.success(request, _("The message is being sent again."))
    return redirect("notifications:channels")
