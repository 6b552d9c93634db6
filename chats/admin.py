from django.contrib import admin

from .content import line
from .models import Attachment, Conversation, Message, Note, QuickReply

ACCOUNT_SEARCH = ("account__account", "account__wxid", "account__nickname")


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
    list_display = ("__str__", "peer", "kind", "account", "unread_count", "last_message_at")
    list_filter = ("kind", "account")
    search_fields = ("peer", "title", *ACCOUNT_SEARCH)
    list_select_related = ("account",)
    raw_id_fields = ("account",)
    date_hierarchy = "last_message_at"


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("sent_at", "account", "conversation", "direction", "content_type", "short_content", "status")
    list_filter = ("direction", "status", "content_type", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("msgid", "content", "sender", "sender_name", "conversation__peer", *ACCOUNT_SEARCH)
    list_select_related = ("account", "conversation")
    raw_id_fields = ("account", "conversation", "operator", "outbox")
    date_hierarchy = "sent_at"

    @admin.display(description=Message._meta.get_field("content").verbose_name)
    def short_content(self, obj):
        """The one-line summary ("[文件] 报价单.pdf"); the stored content is on the change page."""
        return line(obj)


@admin.register(QuickReply)
class QuickReplyAdmin(admin.ModelAdmin):
    list_display = ("title", "position", "updated_at")
    list_editable = ("position",)
    search_fields = ("title", "body")


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin):
    list_display = ("conversation", "author", "created_at")
    raw_id_fields = ("conversation", "author")


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ("name", "account", "mime_type", "size", "created_at")
    raw_id_fields = ("account", "uploaded_by")
    readonly_fields = ("token", "md5", "sha256", "size")
