import os

from django.contrib import admin
from django.urls import include, path

from config import ops

urlpatterns = [
    path("admin/", admin.site.urls),
    path("auth/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", ops.healthz, name="healthz"),
    path("metrics", ops.metrics, name="metrics"),
    path("ops/register-callbacks/", ops.register_callbacks, name="register_callbacks"),
    path("callbacks/", include("provider.urls")),
    path("", include("accounts.urls")),
    path("", include("contacts.urls")),
    path("", include("chats.urls")),
    path("", include("groups.urls")),
    path("", include("moments.urls")),
]

if os.environ.get("BENCH_BARE_VIEW") == "1":  # bench/callbacks.py only: the stack's ceiling
    from bench.bare import bare_insert

    urlpatterns.insert(0, path("bench/bare/", bare_insert))
