"""The one callback view and the decorator every callback view goes through (STYLE.md, Callbacks)."""

import hmac
import logging
from functools import wraps

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpResponseNotAllowed, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from provider import metrics
from provider.callbacks.intake import kept_headers, process_delivery, store_delivery
from provider.callbacks.tasks import schedule_processing
from provider.callbacks.urls import CHANNELS

logger = logging.getLogger("provider.callbacks")

SUCCESS = {"code": 1, "msg": "success"}


def _too_large(channel, size):
    logger.warning("callback on %s rejected: body of %s bytes over CALLBACK_MAX_BYTES", channel, size)
    metrics.incr_callback("", "rejected")
    return JsonResponse({"code": 0, "msg": "payload too large"}, status=413)


def callback_view(view):
    """Guard a callback view: csrf exempt, secret, known channel, POST only, size limit, raw storage.

    The wrapped view receives the stored CallbackDelivery. Whatever it does, the provider gets
    `{"code":1,"msg":"success"}` with 200: a failure is kept on the delivery for replay, and
    an error answer would only make the sender retry a body we already have.
    """

    @csrf_exempt
    @wraps(view)
    def wrapper(request, secret, channel):
        # Wrong secret or unknown channel: 404 before anything else, so probes learn nothing.
        if not hmac.compare_digest(secret.encode(), settings.CALLBACK_SECRET.encode()) or channel not in CHANNELS:
            metrics.incr_callback("", "rejected")
            raise Http404
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        limit = settings.CALLBACK_MAX_BYTES
        try:
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            declared = 0
        if declared > limit:
            return _too_large(channel, declared)
        try:
            body = request.body
        except RequestDataTooBig:
            return _too_large(channel, declared)
        if len(body) > limit:
            return _too_large(channel, len(body))

        delivery = store_delivery(
            channel=channel,
            body=body,
            content_type=request.META.get("CONTENT_TYPE", ""),
            query=request.META.get("QUERY_STRING", ""),
            headers=kept_headers(request),
        )
        try:
            view(request, delivery)
        except Exception:
            logger.exception("callback delivery %s on %s: unexpected error", delivery.pk, channel)
        return JsonResponse(SUCCESS)

    return wrapper


@callback_view
def receive(request, delivery):
    """Hand the stored delivery to a worker, or process it now with CALLBACK_PROCESS_INLINE.

    Deferred is the default: the provider's request then costs one INSERT, and a burst of
    deliveries is processed in batches by the workers instead of holding web processes.
    """
    if settings.CALLBACK_PROCESS_INLINE:
        process_delivery(delivery)
    else:
        schedule_processing()
