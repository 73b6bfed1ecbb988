"""The phone's offline queue sends visits and their photos here (JSON answers, never a login page).

Each queued visit and photo carries an idempotency key made on the phone, so a queue replayed
(a lost answer, Background Sync and the page both sending, two tabs) stores everything once and
answers a repeat like the first send. A refusal says why in the user's language and what would
fix it (`fix`): log in again, choose another branch, open it in the form, or discard it. The phone
keeps a refused item in its queue until the user does one of these.
"""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from branchtrack.web.idempotency import find_by_key
from branchtrack.web.uploads import stored_file_response
from org.permissions import OFFICE_ROLES, has_role
from supervision import selectors, services
from supervision.forms import VisitForm
from supervision.models import Campaign, Finding, Visit, VisitPhoto

# The phone keeps the pages of this many open plans (the soonest first): a week or two of visits.
MAX_PLANNED_OFFLINE = 30

# What the phone offers for each refusal.
FIX_LOGIN, FIX_BRANCH, FIX_EDIT, FIX_DISCARD, FIX_WAIT = "login", "branch", "edit", "discard", "wait"


def _refused(status: int, reason: str, fix: str, errors: dict | None = None) -> JsonResponse:
    return JsonResponse({"ok": False, "reason": reason, "fix": fix, "errors": errors or {}}, status=status)


def _signed_in_office_user(request) -> JsonResponse | None:
    if not request.user.is_authenticated:
        return _refused(401, _("Your session has ended: log in again, then send the queue."), FIX_LOGIN)
    if not has_role(request.user, *OFFICE_ROLES):
        return _refused(403, _("Your role cannot log visits."), FIX_DISCARD)
    return None


def _key(value: str | None) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def _received(visit: Visit) -> JsonResponse:
    return JsonResponse(
        {
            "ok": True,
            "id": visit.pk,
            "url": reverse("supervision:visit_detail", args=[visit.pk]),
            "received_at": visit.created_at.isoformat(),
            "completed": visit.is_completed,
        }
    )


def _messages(errors: dict) -> str:
    return " ".join(str(message) for texts in errors.values() for message in texts)


@require_POST
def sync_visit(request, campaign_pk: int):
    """A visit from the queue: the visit form's fields, plus the checklist version it was filled in."""
    refusal = _signed_in_office_user(request)
    if refusal:
        return refusal
    key = _key(request.POST.get("idempotency_key"))
    if key is None:
        return _refused(
            400, _("This visit has no valid submission id; open it in the form and save again."), FIX_EDIT
        )
    repeat = find_by_key(Visit, key)
    if repeat is not None:
        if repeat.created_by_id != request.user.pk:
            return _refused(409, _("This submission id belongs to another record."), FIX_DISCARD)
        return _received(repeat)  # sent before (its answer was lost): the same answer, nothing saved
    campaign = Campaign.objects.select_related("template").filter(pk=campaign_pk).first()
    if campaign is None:
        return _refused(404, _("The campaign of this visit no longer exists."), FIX_DISCARD)
    if str(request.POST.get("template")) != str(campaign.template_id):
        return _refused(
            409,
            _(
                "The campaign's checklist changed after this visit was filled in: open it in the form "
                "and score the current checklist."
            ),
            FIX_EDIT,
        )
    form = VisitForm(
        request.POST,
        campaign=campaign,
        branches=selectors.visitable_branches(user=request.user, campaign=campaign),
        areas=selectors.checklist_areas(template_id=campaign.template_id),
    )
    if not form.is_valid():
        errors = {field: [str(m) for m in texts] for field, texts in form.errors.items()}
        return _refused(400, _messages(errors), FIX_BRANCH if "branch" in errors else FIX_EDIT, errors)
    try:
        visit = services.create_visit(
            user=request.user, campaign=campaign, branch=form.cleaned_data["branch"], **form.visit_fields()
        )
    except ValidationError as exc:
        errors = {field: [str(m) for m in texts] for field, texts in exc.message_dict.items()}
        return _refused(400, _messages(errors), FIX_BRANCH if "branch" in errors else FIX_EDIT, errors)
    if (
        request.POST.get("announce") == "1"
    ):  # sent from the form just now: its page says so, as a plain save does
        messages.success(
            request, _("Visit completed.") if visit.is_completed else _("Visit saved as a draft.")
        )
    return _received(visit)


@require_POST
def sync_photo(request):
    """A photo of a queued visit (of one of its items or findings), sent after the visit."""
    refusal = _signed_in_office_user(request)
    if refusal:
        return refusal
    visit = find_by_key(Visit, _key(request.POST.get("visit_key")))
    if visit is None or visit.created_by_id != request.user.pk:
        return _refused(
            409, _("The visit of this photo has not arrived yet; it is sent after the visit."), FIX_WAIT
        )
    finding = None
    if request.POST.get("finding_key"):
        finding = find_by_key(Finding, _key(request.POST.get("finding_key")))
        if finding is None or finding.visit_id != visit.pk:
            return _refused(400, _("The finding of this photo is not part of its visit."), FIX_DISCARD)
    item = request.POST.get("item") or None
    if item is not None and not (item.isascii() and item.isdigit()):
        return _refused(400, _("This item is not on the visit's checklist."), FIX_DISCARD)
    upload = request.FILES.get("photo")
    if upload is None:
        return _refused(400, _("The photo is missing."), FIX_DISCARD)
    try:
        photo = services.add_visit_photo(
            visit=visit,
            upload=upload,
            item_id=int(item) if item else None,
            finding=finding,
            idempotency_key=_key(request.POST.get("idempotency_key")),
        )
    except ValidationError as exc:
        errors = {field: [str(m) for m in texts] for field, texts in exc.message_dict.items()}
        return _refused(400, _messages(errors), FIX_DISCARD, errors)
    return JsonResponse(
        {
            "ok": True,
            "id": photo.pk,
            "size": photo.size,
            "visit_url": reverse("supervision:visit_detail", args=[visit.pk]),
        }
    )


def offline_pages(request):
    """The pages a visitor needs in the field, for the service worker to keep after one online visit:
    my branches, the current campaign's visit form (its checklist), my plan with the visit form and
    the last visit of each branch in it, and my last visits."""
    if not request.user.is_authenticated:
        return JsonResponse({"pages": []}, status=401)
    pages = [reverse("home"), reverse("branch_list"), reverse("supervision:visit_list")]
    if has_role(request.user, *OFFICE_ROLES):
        campaign = selectors.campaigns_for(request.user).first()
        if campaign is not None:
            pages.append(reverse("supervision:visit_create", args=[campaign.pk]))
        # My plan: its list, and for each branch in it the visit form (with that branch's last visit
        # beside it) and that last visit's page.
        pages.append(reverse("supervision:my_visits"))
        for plan in selectors.offline_plan(user=request.user)[:MAX_PLANNED_OFFLINE]:
            form = reverse("supervision:visit_create", args=[plan.campaign_id])
            pages.append(f"{form}?branch={plan.branch_id}")
            if plan.last_visit_id:
                pages.append(reverse("supervision:visit_detail", args=[plan.last_visit_id]))
    recent = (
        Visit.objects.visible_to(request.user).order_by("-visited_on", "-pk").values_list("pk", flat=True)
    )
    pages += [reverse("supervision:visit_detail", args=[pk]) for pk in recent[:20]]
    return JsonResponse({"pages": list(dict.fromkeys(pages))})


@login_required
def visit_photo(request, pk: int):
    """A visit's photo, for whoever may see the visit."""
    photo = get_object_or_404(
        VisitPhoto.objects.filter(visit__in=Visit.objects.visible_to(request.user)), pk=pk
    )
    return stored_file_response(
        photo.file, content_type=photo.content_type, filename=photo.file.name.rsplit("/", 1)[-1]
    )
