from django.urls import path

from centers import views

app_name = "centers"

urlpatterns = [
    path("", views.center_list, name="list"),
    path("centers/<int:center_id>/", views.center_detail, name="detail"),
]
