from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from org.permissions import company_admin_required
from security.audit import (
    audit_rows,
    audited_model,
    audited_models,
    entries_for_rows,
    object_history,
)
from security.filters import AuditLogFilterSet
from security.forms import ThrottledAuthenticationForm

PAGE_SIZE = 50


class LoginView(auth_views.LoginView):
    form_class = ThrottledAuthenticationForm

    def form_invalid(self, form):
        response = super().form_invalid(form)
        if form.throttled:
            response.status_code = 429
        return response


@company_admin_required
def audit_log(request):
    filterset = AuditLogFilterSet(
        request.GET or None, queryset=audited_models()[0].history_model.objects.none()
    )
    if filterset.is_bound and not filterset.is_valid():
        return render(request, "security/audit_log.html", {"filter": filterset, "page": None}, status=400)
    model_key = filterset.form.cleaned_data.get("model") if filterset.is_bound else None
    rows = audit_rows(filterset=filterset, model_key=model_key or None)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    entries = entries_for_rows(page.object_list)
    return render(request, "security/audit_log.html", {"filter": filterset, "page": page, "entries": entries})


@company_admin_required
def audit_object_history(request, model_key: str, pk: int):
    audited = audited_model(model_key)
    if audited is None:
        raise Http404
    entries = object_history(audited=audited, pk=pk)
    if entries:
        object_label = entries[0].object_label
    else:
        # A record saved without a trail (bulk-created before the audit, loaded by a fixture) still
        # exists: its page says no change is recorded rather than claiming the record is not there.
        current = audited.model._default_manager.filter(pk=pk).first()
        if current is None:
            raise Http404
        object_label = str(current)
    return render(
        request,
        "security/object_history.html",
        {"audited": audited, "entries": entries, "object_label": object_label, "pk": pk},
    )
