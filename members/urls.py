from django.urls import path

from members import views

app_name = "members"

urlpatterns = [
    path("", views.profile, name="profile"),
    path("profile/", views.profile_edit, name="edit"),
    path("verify/", views.verify, name="verify"),
    path("messages/", views.channels, name="channels"),
    path("messages/wechat/withdraw/", views.wechat_withdraw, name="wechat_withdraw"),
    path("points/", views.points, name="points"),
    path("export/", views.export, name="export"),
    path("delete/", views.delete, name="delete"),
]
