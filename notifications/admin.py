from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from notifications.models import Channel, Delivery


@admin.register(Channel)
class ChannelAdmin(SimpleHistoryAdmin):
    list_display = ["name", "unit", "kind", "active"]
    exclude = ["encrypted_secret"]  # write-only: set on the channels page


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["notice", "channel", "recipient", "status", "attempts", "updated_at"]
    list_filter = ["status"]
    readonly_fields = [f.name for f in Delivery._meta.fields]
