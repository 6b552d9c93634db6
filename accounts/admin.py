from django.contrib import admin

from .models import AccountEvent, LoginSession, WeChatAccount


@admin.register(WeChatAccount)
class WeChatAccountAdmin(admin.ModelAdmin):
    list_display = ("__str__", "account", "wxid", "status", "offline_unexpectedly", "last_seen_at", "last_login_at")
    list_filter = ("status", "offline_unexpectedly", "operators")
    search_fields = ("account", "wxid", "nickname")
    filter_horizontal = ("operators",)
    date_hierarchy = "created_at"
    readonly_fields = ("first_login_at", "last_login_at", "last_seen_at", "created_at", "updated_at")


@admin.register(LoginSession)
class LoginSessionAdmin(admin.ModelAdmin):
    list_display = ("token", "task_id", "account", "operator", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("token", "task_id", "account__account", "account__wxid", "account__nickname")
    list_select_related = ("account", "operator")
    raw_id_fields = ("account", "operator")
    date_hierarchy = "created_at"


@admin.register(AccountEvent)
class AccountEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "account", "kind", "detail")
    list_filter = ("kind",)
    search_fields = ("detail", "account__account", "account__wxid", "account__nickname")
    list_select_related = ("account",)
    raw_id_fields = ("account",)
    date_hierarchy = "created_at"
