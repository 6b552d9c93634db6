from django.contrib import admin

from .models import Group, GroupCreation, GroupEvent, GroupMember, GroupSettings


class GroupMemberInline(admin.TabularInline):
    model = GroupMember
    extra = 0
    fields = ("username", "nickname", "display_name", "removed_at", "joined_at")
    readonly_fields = ("joined_at",)
    show_change_link = True


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ("__str__", "number", "account", "owner", "left_at", "updated_at")
    list_filter = (("left_at", admin.EmptyFieldListFilter), "do_not_disturb", "account")
    search_fields = ("number", "name", "owner", "account__account", "account__wxid", "account__nickname")
    list_select_related = ("account",)
    raw_id_fields = ("account",)
    date_hierarchy = "created_at"
    inlines = [GroupMemberInline]


@admin.register(GroupMember)
class GroupMemberAdmin(admin.ModelAdmin):
    list_display = ("__str__", "username", "group", "removed_at", "joined_at")
    list_filter = (("removed_at", admin.EmptyFieldListFilter),)
    search_fields = ("username", "nickname", "display_name", "group__name", "group__number")
    list_select_related = ("group",)
    raw_id_fields = ("group",)


@admin.register(GroupEvent)
class GroupEventAdmin(admin.ModelAdmin):
    list_display = ("created_at", "group", "kind", "actor", "action")
    list_filter = ("kind",)
    search_fields = ("group__name", "group__number", "actor", "detail")
    list_select_related = ("group",)
    raw_id_fields = ("group",)
    date_hierarchy = "created_at"


@admin.register(GroupCreation)
class GroupCreationAdmin(admin.ModelAdmin):
    list_display = ("name", "account", "status", "group", "created_at")
    list_filter = ("status",)
    search_fields = ("name", "request_id", "account__account", "account__nickname")
    list_select_related = ("account", "group")
    raw_id_fields = ("account", "group", "operator")


@admin.register(GroupSettings)
class GroupSettingsAdmin(admin.ModelAdmin):
    list_display = ("account", "auto_join", "requested", "updated_at")
    search_fields = ("account__account", "account__wxid", "account__nickname")
    list_select_related = ("account",)
    raw_id_fields = ("account",)
