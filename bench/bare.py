"""The stack's ceiling for bench/callbacks.py: a view that only stores the body as one row.

Wired into config/urls.py only when BENCH_BARE_VIEW=1, so it never exists in production.
"""

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from provider.models import CallbackDelivery


@csrf_exempt
@require_POST
def bare_insert(request):
    CallbackDelivery.objects.create(channel="bench-bare", body=request.body, status=CallbackDelivery.Status.IGNORED)
    return JsonResponse({"code": 1, "msg": "success"})
