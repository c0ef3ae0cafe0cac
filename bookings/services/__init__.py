"""Writes about bookings: creating them (create.py), their lifecycle (lifecycle.py), the clock
jobs (clock.py), blackouts (blackouts.py) and recurring series (series.py)."""
