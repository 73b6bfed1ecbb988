from django import template
from django.urls import reverse

from security.audit import audited_model, can_read_audit

register = template.Library()


@register.inclusion_tag("security/history_link.html", takes_context=True)
def history_link(context, obj):
    """A "history" link to an object's audit trail, shown only to those who may read it.

    Use on any detail page: {% load audit %}{% history_link visit %}
    """
    request = context.get("request")
    user = getattr(request, "user", None)
    audited = audited_model(obj._meta.label_lower) if obj is not None else None
    if audited is None or user is None or not can_read_audit(user):
        return {"url": None}
    return {"url": reverse("audit_object_history", args=[audited.key, obj.pk])}
