"""Process stored callback deliveries again, after a fix: failed ones by default."""

from collections import Counter

from django.core.management.base import BaseCommand

from provider.callbacks.intake import process_delivery
from provider.models import CallbackDelivery


class Command(BaseCommand):
    help = "Process failed callback deliveries again (handlers are idempotent) and print a summary."

    def add_arguments(self, parser):
        parser.add_argument(
            "--status",
            action="append",
            choices=[choice for choice, _ in CallbackDelivery.Status.choices],
            help="statuses to replay (repeatable); default: failed",
        )
        parser.add_argument("--id", action="append", type=int, dest="ids", help="only this delivery (repeatable)")
        parser.add_argument("--kind", help="only deliveries of this kind")
        parser.add_argument("--channel", help="only deliveries received on this channel")
        parser.add_argument("--limit", type=int, default=None, help="at most this many deliveries")

    def handle(self, *args, status=None, ids=None, kind=None, channel=None, limit=None, **options):
        deliveries = CallbackDelivery.objects.order_by("received_at", "pk")
        if ids:
            deliveries = deliveries.filter(pk__in=ids)
            if status:
                deliveries = deliveries.filter(status__in=status)
        else:
            deliveries = deliveries.filter(status__in=status or [CallbackDelivery.Status.FAILED])
        if kind:
            deliveries = deliveries.filter(kind=kind)
        if channel:
            deliveries = deliveries.filter(channel=channel)
        if limit:
            deliveries = deliveries[:limit]

        outcomes: Counter[str] = Counter()
        for delivery in deliveries.iterator(chunk_size=200):
            outcome = process_delivery(delivery)
            outcomes[str(outcome)] += 1
            if outcome == CallbackDelivery.Status.FAILED and options["verbosity"] >= 2:
                first_line = delivery.error.splitlines()[0] if delivery.error else ""
                self.stderr.write(f"  #{delivery.pk} {delivery.channel}/{delivery.kind or '?'}: {first_line}")
        total = sum(outcomes.values())
        detail = ", ".join(f"{name} {count}" for name, count in sorted(outcomes.items())) or "nothing to do"
        self.stdout.write(f"Replayed {total} deliveries: {detail}")
