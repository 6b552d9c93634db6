from django.urls import path

from . import views

app_name = "moments"

urlpatterns = [
    path("moments/", views.posts, name="posts"),
    path("moments/compose/", views.compose, name="compose"),
    path("moments/posts/<int:pk>/", views.post_detail, name="post"),
    path("moments/posts/<int:pk>/edit/", views.edit, name="edit"),
    path("moments/posts/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("moments/posts/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("moments/<int:pk>/", views.moment, name="moment"),
    path("moments/<int:pk>/retry/", views.retry, name="retry"),
    path("moments/<int:pk>/like/", views.like, name="like"),
    path("moments/<int:pk>/comment/", views.comment, name="comment"),
    path("moments/<int:pk>/refresh/", views.refresh_post, name="refresh_post"),
    path("accounts/<int:account_pk>/moments/", views.timeline, name="moments"),
    path("accounts/<int:account_pk>/moments/refresh/", views.refresh, name="refresh"),
    path("accounts/<int:account_pk>/moments/album/<str:friend>/", views.album, name="album"),
    path("media/moments/<uuid:token>/<str:name>", views.media_file, name="media"),
]
