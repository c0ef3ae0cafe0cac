from django.urls import path

from services import views

app_name = "services"

urlpatterns = [
    path("programs/", views.program_list, name="programs"),
    path("sessions/<int:session_id>/", views.session_detail, name="session"),
    path("sessions/<int:session_id>/register/", views.session_register_view, name="register"),
    path("me/registrations/", views.my_registrations, name="mine"),
    path(
        "me/registrations/<int:registration_id>/cancel/",
        views.my_registration_cancel,
        name="cancel",
    ),
    path(
        "me/registrations/<int:registration_id>/accept/",
        views.my_registration_accept,
        name="accept",
    ),
]
