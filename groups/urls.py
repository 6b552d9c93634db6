from django.urls import path

from . import views

app_name = "groups"

A = "accounts/<int:account_pk>/groups/"
G = f"{A}<int:group_pk>/"
urlpatterns = [
    path(A, views.group_list, name="groups"),
    path(f"{A}refresh/", views.refresh_list, name="refresh_list"),
    path(f"{A}new/", views.create_group, name="create"),
    path(f"{A}auto-join/", views.auto_join, name="auto_join"),
    path(f"{A}mentions/<str:number>/", views.mention_options, name="mentions"),
    path(G, views.group_detail, name="group"),
    path(f"{G}refresh/", views.refresh_group, name="refresh"),
    path(f"{G}rename/", views.rename_group, name="rename"),
    path(f"{G}notice/", views.set_notice, name="notice"),
    path(f"{G}leave/", views.leave_group, name="leave"),
    path(f"{G}add/", views.add_members, name="add_members"),
    path(f"{G}members/<int:member_pk>/remove/", views.remove_member, name="remove_member"),
    path(f"{G}qrcode/", views.request_qrcode, name="qrcode"),
    path(f"{G}qrcode.png", views.qrcode_image, name="qrcode_image"),
]
