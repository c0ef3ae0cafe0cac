from django.urls import path

from bookings.views import mine, space

app_name = "bookings"

urlpatterns = [
    path("spaces/<int:space_id>/", space.space_detail, name="space"),
    path("spaces/<int:space_id>/confirm/", space.space_confirm, name="confirm"),
    path("spaces/<int:space_id>/book/", space.space_book, name="book"),
    path("me/bookings/", mine.my_bookings, name="mine"),
    path("me/bookings/<int:booking_id>/", mine.my_booking, name="detail"),
    path("me/bookings/<int:booking_id>/booking.ics", mine.my_booking_ics, name="ics"),
    path("me/bookings/<int:booking_id>/cancel/", mine.my_booking_cancel, name="cancel"),
]
