from django.urls import path  # noqa: F401 - routes arrive with the contacts pages

app_name = "contacts"
urlpatterns: list = []
