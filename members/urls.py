from django.urls import path

from members import family_views, views

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
    path("family/", family_views.family, name="family"),
    path("family/new/", family_views.family_new, name="family_new"),
    path("family/<int:link_id>/confirm/", family_views.family_confirm, name="family_confirm"),
    path("family/<int:link_id>/end/", family_views.family_end, name="family_end"),
    path("family/<int:link_id>/act/", family_views.acting_switch, name="acting_start"),
    path("family/acting/stop/", family_views.acting_switch_off, name="acting_stop"),
]
