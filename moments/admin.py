from django.contrib import admin

from .models import Moment


@admin.register(Moment)
class MomentAdmin(admin.ModelAdmin):
    list_display = ("posted_at", "account", "author_name", "short_text", "media_type", "status")
    list_filter = ("status", "media_type")
    search_fields = ("status_id", "author", "author_name", "text", "account__account", "account__wxid")
    list_select_related = ("account",)
    raw_id_fields = ("account", "operator")
    date_hierarchy = "posted_at"

    @admin.display(description=Moment._meta.get_field("text").verbose_name)
    def short_text(self, obj):
        return obj.text[:80]
