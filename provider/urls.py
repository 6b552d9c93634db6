from django.urls import path

from provider.callbacks import views

app_name = "provider"
urlpatterns = [
    # Mounted under /callbacks/ (config/urls.py); an unknown channel is a 404 like a wrong secret.
    path("<str:secret>/<str:channel>/", views.receive, name="callback"),
]
