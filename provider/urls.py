from django.urls import path

app_name = "provider"
urlpatterns: list = []
