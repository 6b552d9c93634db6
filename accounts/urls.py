from django.urls import include, path

from . import views

# Namespaced "accounts:..."; the accounts page keeps its historic un-namespaced name "home".
account_patterns = [
    path("accounts/", views.home, name="list"),
    path("accounts/login/", views.login_start, name="login_start"),
    path("accounts/login/<uuid:token>/", views.login_session, name="login"),
    path("accounts/<int:pk>/", views.account_detail, name="detail"),
    path("accounts/<int:pk>/check-status/", views.account_check_status, name="check_status"),
    path("accounts/<int:pk>/refresh-profile/", views.account_refresh_profile, name="refresh_profile"),
    path("accounts/<int:pk>/logout/", views.account_logout, name="logout"),
    path("operators/", views.operators, name="operators"),
    path("operators/<int:user_pk>/", views.operator_assign, name="operator_assign"),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("", include((account_patterns, "accounts"))),
]
