from django.contrib import admin, messages
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .models import CallbackDelivery, OutboxEntry, RateLimitBucket


@admin.register(OutboxEntry)
class OutboxEntryAdmin(admin.ModelAdmin):
    list_display = ("id", "method", "account", "status", "attempts", "next_attempt_at", "created_at", "sent_at")
    list_filter = ("status", "method")
    search_fields = ("method", "subject", "idempotency_key", "last_error", "account__account", "account__wxid")
    list_select_related = ("account",)
    date_hierarchy = "created_at"
    raw_id_fields = ("account", "operator")
    readonly_fields = ("created_at", "updated_at", "sent_at", "lease_until", "response", "last_error")
    actions = ["retry_failed"]

    @admin.action(description=_("Retry selected failed entries"))
    def retry_failed(self, request, queryset):
        from provider.outbox import retry  # written alongside the send task

        count = 0
        for entry in queryset.filter(status=OutboxEntry.Status.FAILED):
            retry(entry, operator=request.user)
            count += 1
        self.message_user(
            request,
            ngettext("%(count)d entry queued again.", "%(count)d entries queued again.", count) % {"count": count},
            messages.SUCCESS,
        )


@admin.register(CallbackDelivery)
class CallbackDeliveryAdmin(admin.ModelAdmin):
    list_display = ("id", "channel", "kind", "status", "attempts", "received_at", "processed_at")
    list_filter = ("channel", "kind", "status")
    search_fields = ("channel", "kind", "error", "query")
    date_hierarchy = "received_at"
    exclude = ("body",)
    readonly_fields = (
        "channel",
        "kind",
        "query",
        "content_type",
        "headers",
        "body_as_text",
        "status",
        "error",
        "attempts",
        "received_at",
        "processed_at",
    )
    actions = ["replay"]

    @admin.display(description=_("body"))
    def body_as_text(self, obj):
        # The body comes from outside: shown escaped, as text, never as HTML.
        return format_html('<pre style="white-space: pre-wrap; max-width: 60rem">{}</pre>', obj.body_text)

    def has_add_permission(self, request):
        return False

    @admin.action(description=_("Replay selected deliveries"))
    def replay(self, request, queryset):
        from provider.callbacks.intake import process_delivery

        done = failed = 0
        for delivery in queryset:
            try:
                process_delivery(delivery)
            except Exception as exc:
                failed += 1
                self.message_user(request, f"#{delivery.pk}: {exc}", messages.ERROR)
            else:
                done += 1
        self.message_user(
            request,
            ngettext("%(count)d delivery replayed.", "%(count)d deliveries replayed.", done) % {"count": done},
            messages.SUCCESS if not failed else messages.WARNING,
        )


@admin.register(RateLimitBucket)
class RateLimitBucketAdmin(admin.ModelAdmin):
    list_display = ("key", "tokens", "updated")
    search_fields = ("key",)
