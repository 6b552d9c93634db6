from django.contrib import admin

from .models import Moment, MomentFetch, MomentInteraction, MomentMedia, MomentPost


@admin.register(Moment)
class MomentAdmin(admin.ModelAdmin):
    list_display = ("posted_at", "account", "author_name", "short_text", "media_type", "status")
    list_filter = ("status", "media_type")
    search_fields = ("status_id", "author", "author_name", "text", "account__account", "account__wxid")
    list_select_related = ("account",)
    raw_id_fields = ("account", "operator", "post", "outbox")
    date_hierarchy = "posted_at"

    @admin.display(description=Moment._meta.get_field("text").verbose_name)
    def short_text(self, obj):
        return obj.text[:80]


class MomentMediaInline(admin.TabularInline):
    model = MomentMedia
    extra = 0
    fields = ("role", "position", "name", "mime_type", "size", "token")
    readonly_fields = fields


@admin.register(MomentPost)
class MomentPostAdmin(admin.ModelAdmin):
    list_display = ("created_at", "kind", "state", "scheduled_at", "created_by", "text")
    list_filter = ("state", "kind")
    search_fields = ("text", "link_url", "accounts__account", "accounts__nickname")
    raw_id_fields = ("created_by",)
    filter_horizontal = ("accounts",)
    inlines = [MomentMediaInline]


@admin.register(MomentMedia)
class MomentMediaAdmin(admin.ModelAdmin):
    list_display = ("created_at", "post", "role", "name", "mime_type", "size")
    list_filter = ("role",)
    search_fields = ("name", "post__text")
    raw_id_fields = ("post",)


@admin.register(MomentInteraction)
class MomentInteractionAdmin(admin.ModelAdmin):
    list_display = ("created_at", "moment", "kind", "content", "operator", "status")
    list_filter = ("kind", "status")
    search_fields = ("content", "moment__status_id", "moment__account__account")
    raw_id_fields = ("moment", "operator", "outbox")


@admin.register(MomentFetch)
class MomentFetchAdmin(admin.ModelAdmin):
    list_display = ("requested_at", "account", "to_account", "status_id", "load", "received_at", "count")
    search_fields = ("account__account", "account__nickname", "to_account", "status_id")
    raw_id_fields = ("account", "requested_by", "outbox")
