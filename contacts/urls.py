from django.urls import path

from . import views

app_name = "contacts"

A = "accounts/<int:account_pk>/"
urlpatterns = [
    path(f"{A}friends/", views.friends, name="friends"),
    path(f"{A}friends/status/", views.friends_status, name="status"),
    path(f"{A}friends/sync/", views.friends_sync, name="sync"),
    path(f"{A}friends/bulk/", views.friends_bulk, name="bulk"),
    path(f"{A}friends/<int:friend_pk>/", views.friend_detail, name="friend"),
    path(f"{A}friends/<int:friend_pk>/labels/", views.friend_labels, name="friend_labels"),
    path(f"{A}friends/<int:friend_pk>/zombie/", views.friend_zombie, name="friend_zombie"),
    path(f"{A}contacts/calls/<int:entry_pk>/retry/", views.outbox_retry, name="retry"),
    path(f"{A}requests/", views.requests_inbox, name="requests"),
    path(f"{A}requests/badge/", views.requests_badge, name="requests_badge"),
    path(f"{A}requests/accept/", views.requests_accept, name="requests_accept"),
    path(f"{A}requests/reconcile/", views.requests_reconcile, name="requests_reconcile"),
    path(f"{A}labels/", views.labels, name="labels"),
    path(f"{A}labels/create/", views.labels_create, name="labels_create"),
    path(f"{A}labels/refresh/", views.labels_refresh, name="labels_refresh"),
    path(f"{A}labels/<int:label_pk>/rename/", views.label_rename, name="label_rename"),
    path(f"{A}labels/<int:label_pk>/delete/", views.label_delete, name="label_delete"),
    path(f"{A}invites/", views.invites, name="invites"),
    path(f"{A}invites/create/", views.invites_create, name="invites_create"),
    path(f"{A}lookup/", views.lookup, name="lookup"),
    path(f"{A}lookup/create/", views.lookup_create, name="lookup_create"),
    path(f"{A}lookup/<int:lookup_pk>/", views.lookup_result, name="lookup_result"),
]
