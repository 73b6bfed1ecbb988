"""The audit trail, read generically from every model that has `history = HistoricalRecords()`.

Models are discovered from the app registry, so a new app's models appear in the audit log
without any registration. Reads only: django-simple-history writes the records.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache

from django.apps import apps
from django.db import models
from django.db.models import CharField, OuterRef, Q, QuerySet, Subquery, Value
from django.utils.formats import localize
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from org.permissions import is_company_admin

# A context each: "created" and "changed" are also the labels of date fields (创建时间, 修改时间).
HISTORY_TYPES = {
    "+": pgettext_lazy("audit action", "created"),
    "~": pgettext_lazy("audit action", "changed"),
    "-": pgettext_lazy("audit action", "deleted"),
}
# Bookkeeping columns of a historical row, never shown as a change of the record itself.
HISTORY_FIELDS = {"history_id", "history_date", "history_change_reason", "history_type", "history_user"}
# Columns the software keeps for itself (optimistic-lock counters, idempotency keys, the tree's depth
# and child counts): they change with every save or move, mean nothing to a reader and have no label.
BOOKKEEPING_FIELDS = {"version", "idempotency_key", "depth", "numchild"}
# Columns whose own name is a developer's word: what the audit calls them instead.
FIELD_LABELS = {"path": _("position in the tree")}


@dataclass(frozen=True)
class AuditedModel:
    model: type[models.Model]
    history_model: type[models.Model]

    @property
    def key(self) -> str:
        return self.model._meta.label_lower

    @property
    def label(self) -> str:
        return f"{self.model._meta.app_config.verbose_name} · {self.model._meta.verbose_name}"

    @property
    def pk_attname(self) -> str:
        return self.model._meta.pk.attname

    def tracked_fields(self) -> list[models.Field]:
        return [
            f
            for f in self.history_model._meta.concrete_fields
            if f.name not in HISTORY_FIELDS and f.name not in BOOKKEEPING_FIELDS
        ]

    def text_fields(self) -> list[str]:
        return [f.name for f in self.tracked_fields() if isinstance(f, (models.CharField, models.TextField))]


@cache
def audited_models() -> tuple[AuditedModel, ...]:
    found = []
    for model in apps.get_models():
        manager_name = getattr(model._meta, "simple_history_manager_attribute", None)
        if manager_name:
            found.append(AuditedModel(model=model, history_model=getattr(model, manager_name).model))
    return tuple(sorted(found, key=lambda audited: audited.key))


def audited_model(key: str) -> AuditedModel | None:
    return next((audited for audited in audited_models() if audited.key == key), None)


# The trail spans every unit, so only company-level administrators read it.
can_read_audit = is_company_admin


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class AuditEntry:
    audited: AuditedModel
    record: models.Model
    object_label: str
    user_label: str
    changes: list[Change] = field(default_factory=list)

    @property
    def action(self) -> str:
        return HISTORY_TYPES.get(self.record.history_type, self.record.history_type)

    @property
    def object_pk(self):
        return getattr(self.record, self.audited.pk_attname)


def audit_rows(*, filterset, model_key: str | None = None) -> QuerySet:
    """One UNION query over every audited model's history, newest first.

    Each row is (model_key, history_id, history_date); the page's rows are then loaded with
    `entries_for_rows`, so a page costs a fixed number of queries whatever the table sizes.
    """
    chosen = [a for a in audited_models() if not model_key or a.key == model_key]

    def filtered(queryset: QuerySet) -> QuerySet:
        return filterset.filter_queryset(queryset) if filterset.is_bound else queryset

    # Each part drops the history model's default ordering: SQLite refuses ORDER BY inside a UNION.
    parts = [
        filtered(audited.history_model.objects.all())
        .order_by()
        .annotate(model_key=Value(audited.key, output_field=CharField()))
        .values("model_key", "history_id", "history_date")
        for audited in chosen
    ]
    if not parts:
        return audited_models()[0].history_model.objects.none().values("history_id")
    first, *rest = parts
    combined = first.union(*rest, all=True) if rest else first
    return combined.order_by("-history_date", "-history_id")


def entries_for_rows(rows: Iterable[dict]) -> list[AuditEntry]:
    by_model: dict[str, list] = defaultdict(list)
    rows = list(rows)
    for row in rows:
        by_model[row["model_key"]].append(row["history_id"])
    loaded: dict[tuple[str, object], AuditEntry] = {}
    for key, history_ids in by_model.items():
        audited = audited_model(key)
        records = _records_with_previous(
            audited, audited.history_model.objects.filter(history_id__in=history_ids)
        )
        for entry in _entries(audited, records):
            loaded[(key, entry.record.history_id)] = entry
    return [
        loaded[(row["model_key"], row["history_id"])]
        for row in rows
        if (row["model_key"], row["history_id"]) in loaded
    ]


def object_history(*, audited: AuditedModel, pk) -> list[AuditEntry]:
    """Every version of one object (also after it was deleted), newest first, each with what changed."""
    records = list(
        _with_related(audited, audited.history_model.objects.filter(**{audited.pk_attname: pk})).order_by(
            "history_date", "history_id"
        )
    )
    previous = None
    for record in records:
        record.previous_record = previous
        previous = record
    return list(reversed(_entries(audited, records)))


def _with_related(audited: AuditedModel, queryset: QuerySet) -> QuerySet:
    foreign_keys = [f.name for f in audited.tracked_fields() if isinstance(f, models.ForeignKey)]
    return queryset.select_related("history_user", *foreign_keys)


def _records_with_previous(audited: AuditedModel, queryset: QuerySet) -> list:
    """The records plus, for each, the version before it (two queries, not one per record)."""
    history = audited.history_model.objects
    previous_id = (
        history.filter(
            **{audited.pk_attname: OuterRef(audited.pk_attname)},
            history_date__lt=OuterRef("history_date"),
        )
        .order_by("-history_date", "-history_id")
        .values("history_id")[:1]
    )
    records = list(_with_related(audited, queryset.annotate(previous_history_id=Subquery(previous_id))))
    previous_ids = [r.previous_history_id for r in records if r.previous_history_id is not None]
    previous = _with_related(audited, history.all()).in_bulk(previous_ids) if previous_ids else {}
    for record in records:
        record.previous_record = previous.get(record.previous_history_id)
    return records


def _entries(audited: AuditedModel, records: Sequence) -> list[AuditEntry]:
    fields = audited.tracked_fields()
    entries = []
    for record in records:
        entry = AuditEntry(
            audited=audited,
            record=record,
            object_label=_object_label(audited, record),
            user_label=_user_label(record),
        )
        before = getattr(record, "previous_record", None)
        if record.history_type == "~" and before is not None:
            for f in fields:
                if getattr(before, f.attname) != getattr(record, f.attname):
                    entry.changes.append(
                        Change(
                            field=str(FIELD_LABELS.get(f.name, f.verbose_name)),
                            old=_display(f, before),
                            new=_display(f, record),
                        )
                    )
        entries.append(entry)
    return entries


def _object_label(audited: AuditedModel, record) -> str:
    instance = record.instance
    # Reuse the related objects select_related already loaded, so str() costs no query per row.
    for f in audited.tracked_fields():
        if isinstance(f, models.ForeignKey) and f.is_cached(record):
            instance._state.fields_cache[f.name] = f.get_cached_value(record)
    try:
        return str(instance)
    except Exception:  # a __str__ that needs a deleted related row; the key still identifies it
        return f"{audited.model._meta.verbose_name} #{getattr(record, audited.pk_attname)}"


def _user_label(record) -> str:
    user = record.history_user
    if user is None:
        return str(_("system"))
    full_name = user.get_full_name()
    return f"{full_name} ({user.username})" if full_name else user.username


def _display(f: models.Field, record) -> str:
    value = getattr(record, f.attname)
    if value is None or value == "":
        return "—"
    if isinstance(f, models.ForeignKey):
        # Loaded by select_related; None when the related row has since been deleted.
        related = f.get_cached_value(record, default=None)
        return str(related) if related is not None else f"#{value}"
    if isinstance(f, models.FileField):
        # The storage name is a random path on the server: say a file is there, not where.
        return str(_("a stored file"))
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    return str(localize(value))


def search_text(queryset: QuerySet, value: str) -> QuerySet:
    """Any text column of the record, or who made the change, contains the words."""
    audited = next(a for a in audited_models() if a.history_model is queryset.model)
    condition = Q(history_user__username__icontains=value) | Q(history_change_reason__icontains=value)
    for name in audited.text_fields():
        condition |= Q(**{f"{name}__icontains": value})
    if (
        value.isascii()
        and value.isdigit()
        and len(value) < 16
        and isinstance(audited.model._meta.pk, models.IntegerField)
    ):
        condition |= Q(**{audited.pk_attname: int(value)})
    return queryset.filter(condition)
