"""Resident web pages for bookings: finding and booking a time (``space``), and the member's
own bookings (``mine``)."""
