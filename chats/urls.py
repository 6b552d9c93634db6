from django.urls import path

from . import views

app_name = "chats"

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/poll/", views.poll, name="poll"),
    path("inbox/search/", views.search, name="search"),
    path("accounts/<int:account_pk>/inbox/", views.inbox, name="conversations"),
    path("accounts/<int:account_pk>/chat/<str:peer>/", views.open_chat, name="open"),
    path("conversations/<int:pk>/", views.thread, name="thread"),
    # Same name, two arguments: the contacts pages reverse "chats:thread" with (account, friend).
    path("accounts/<int:account_pk>/friends/<int:friend_pk>/chat/", views.friend_thread, name="thread"),
    path("conversations/<int:pk>/history/", views.history, name="history"),
    path("conversations/<int:pk>/send/", views.send, name="send"),
    path("conversations/<int:pk>/assign/", views.assign, name="assign"),
    path("conversations/<int:pk>/state/", views.set_state, name="state"),
    path("conversations/<int:pk>/notes/", views.add_note, name="note"),
    path("messages/<int:pk>/retry/", views.retry, name="retry"),
    path("messages/<int:pk>/audio/", views.audio, name="audio"),
    path("messages/<int:pk>/source/", views.source, name="source"),
    path("media/chats/<uuid:token>/<str:name>", views.media_file, name="media"),
    path("quick-replies/", views.quick_replies, name="quick_replies"),
    path("quick-replies/<int:pk>/delete/", views.quick_reply_delete, name="quick_reply_delete"),
]
