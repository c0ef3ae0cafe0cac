from django.urls import path

from bookings import views

app_name = "bookings"

urlpatterns = [
    path("spaces/<int:space_id>/", views.space_detail, name="space"),
    path("spaces/<int:space_id>/book/", views.space_book, name="book"),
    path("me/bookings/", views.my_bookings, name="mine"),
    path("me/bookings/<int:booking_id>/cancel/", views.my_booking_cancel, name="cancel"),
]
