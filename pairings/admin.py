from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from pairings.models import (
    ActivityAttachment,
    ActivityOutcome,
    ExternalOrg,
    LiaisonGroup,
    Pairing,
    PairingActivity,
    PairingRules,
    Theme,
    Village,
)


@admin.register(Theme)
class ThemeAdmin(SimpleHistoryAdmin):
    list_display = ["name", "order", "active"]
    list_editable = ["order", "active"]
    search_fields = ["name"]


@admin.register(PairingRules)
class PairingRulesAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "dormant_after_days"]

    def has_add_permission(self, request):
        # One row of rules: add it once, then edit it.
        return not PairingRules.objects.exists() and super().has_add_permission(request)


@admin.register(ExternalOrg)
class ExternalOrgAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "kind", "parent_company", "contact_person", "contact_phone"]
    list_filter = ["kind"]
    search_fields = ["code", "name", "parent_company", "contact_person"]


@admin.register(Pairing)
class PairingAdmin(SimpleHistoryAdmin):
    list_display = ["__str__", "start_date", "end_date", "status"]
    list_filter = ["status", "themes"]
    search_fields = ["branch__name", "unit__name", "external_org__name"]
    list_select_related = ["branch", "unit", "external_org"]
    autocomplete_fields = ["branch", "unit", "external_org"]
    filter_horizontal = ["themes"]


class OutcomeInline(admin.TabularInline):
    model = ActivityOutcome
    extra = 0


class AttachmentInline(admin.TabularInline):
    model = ActivityAttachment
    extra = 0
    fields = ["original_name", "kind", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        # Uploads go through the activity form, where type and size are checked.
        return False


@admin.register(PairingActivity)
class PairingActivityAdmin(SimpleHistoryAdmin):
    list_display = ["date", "title", "pairing", "our_people", "their_people"]
    list_filter = ["pairing__themes"]
    search_fields = ["title", "description", "pairing__external_org__name", "pairing__branch__name"]
    list_select_related = ["pairing__branch", "pairing__unit", "pairing__external_org"]
    raw_id_fields = ["pairing", "created_by"]
    inlines = [OutcomeInline, AttachmentInline]


@admin.register(Village)
class VillageAdmin(SimpleHistoryAdmin):
    list_display = ["name", "township"]
    search_fields = ["name", "township"]


@admin.register(LiaisonGroup)
class LiaisonGroupAdmin(SimpleHistoryAdmin):
    list_display = ["name", "branch", "channel", "start_date", "cadre_count"]
    list_filter = ["channel"]
    search_fields = ["name", "branch__name", "villages__name"]
    list_select_related = ["branch"]
    autocomplete_fields = ["branch", "villages"]
