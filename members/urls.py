from django.urls import path

from members import views

app_name = "members"

urlpatterns = [
    path("", views.profile, name="profile"),
    path("export/", views.export, name="export"),
    path("delete/", views.delete, name="delete"),
]
