from django.contrib import admin

from .models import ContactLookup, Friend, FriendInvite, FriendRequest, FriendSync, Label, LabelRename

ACCOUNT_SEARCH = ("account__account", "account__wxid", "account__nickname")


@admin.register(Label)
class LabelAdmin(admin.ModelAdmin):
    list_display = ("name", "label_id", "account", "updated_at")
    search_fields = ("name", *ACCOUNT_SEARCH)
    list_filter = ("account",)
    list_select_related = ("account",)
    raw_id_fields = ("account",)


@admin.register(Friend)
class FriendAdmin(admin.ModelAdmin):
    list_display = ("__str__", "username", "wxid", "account", "sex", "is_zombie", "removed_at", "updated_at")
    list_filter = ("sex", "is_zombie", "do_not_disturb", ("removed_at", admin.EmptyFieldListFilter), "account")
    search_fields = ("username", "wxid", "nickname", "remark", *ACCOUNT_SEARCH)
    list_select_related = ("account",)
    raw_id_fields = ("account",)
    filter_horizontal = ("labels",)
    date_hierarchy = "created_at"


@admin.register(FriendSync)
class FriendSyncAdmin(admin.ModelAdmin):
    list_display = ("request_id", "account", "status", "received", "total", "started_at", "finished_at")
    list_filter = ("status",)
    search_fields = ("request_id", *ACCOUNT_SEARCH)
    list_select_related = ("account",)
    raw_id_fields = ("account",)
    date_hierarchy = "started_at"


@admin.register(FriendRequest)
class FriendRequestAdmin(admin.ModelAdmin):
    list_display = ("__str__", "username", "account", "status", "source", "requested_at")
    list_filter = ("status", "sex")
    search_fields = ("username", "wxid", "nickname", "greeting", *ACCOUNT_SEARCH)
    list_select_related = ("account",)
    raw_id_fields = ("account",)
    date_hierarchy = "requested_at"


@admin.register(ContactLookup)
class ContactLookupAdmin(admin.ModelAdmin):
    list_display = ("query", "account", "created_at", "answered_at")
    list_filter = (("answered_at", admin.EmptyFieldListFilter),)
    search_fields = ("query", "extend", *ACCOUNT_SEARCH)
    list_select_related = ("account",)
    raw_id_fields = ("account",)
    date_hierarchy = "created_at"


@admin.register(FriendInvite)
class FriendInviteAdmin(admin.ModelAdmin):
    list_display = ("target", "account", "status", "error", "created_at")
    list_filter = ("status",)
    search_fields = ("target", "greeting", *ACCOUNT_SEARCH)
    list_select_related = ("account",)
    raw_id_fields = ("account", "operator", "outbox")
    date_hierarchy = "created_at"


@admin.register(LabelRename)
class LabelRenameAdmin(admin.ModelAdmin):
    list_display = ("__str__", "account", "status", "created_at")
    list_filter = ("status",)
    search_fields = ("old_name", "new_name", *ACCOUNT_SEARCH)
    list_select_related = ("account",)
    raw_id_fields = ("account", "old_label", "operator")
