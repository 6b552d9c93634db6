"""Tell the provider where to send the global callbacks (setUrl, §2.3.1)."""

from provider.callbacks.urls import global_callback_urls


def register_callback_urls():
    """Call setUrl with all eight channel URLs (E-52: always all of them); return the URLs.

    Raises provider.errors.ProviderError when the provider refuses.
    """
    from provider.client import get_client  # written alongside; imported late on purpose

    urls = global_callback_urls()
    get_client().set_url(**urls)
    return urls
