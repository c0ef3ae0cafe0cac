"""Writes of the staff workspace that span apps: dated hours with what they would cancel
(closures.py) and the front desk's check-in by code (front_desk.py). Each calls the owning
app's services."""
