"""Give the provider the console's eight global callback URLs (setUrl)."""

from django.core.management.base import BaseCommand, CommandError

from provider.callbacks.registration import register_callback_urls


class Command(BaseCommand):
    help = "Call setUrl with all the console's callback URLs, built from PUBLIC_BASE_URL."

    def handle(self, *args, **options):
        from provider.errors import ProviderError

        try:
            urls = register_callback_urls()
        except ProviderError as exc:
            raise CommandError(f"the provider refused the callback URLs: {exc}") from exc
        for channel, url in urls.items():
            self.stdout.write(f"{channel:<14} {url}")
        self.stdout.write(self.style.SUCCESS(f"Registered {len(urls)} callback URLs."))
