"""Writes about service programs: sessions (sessions.py), registration and the waitlist
(registration.py), lotteries (lottery.py), attendance and the clock (attendance.py), home
visits (home_visits.py), volunteer roles and shifts (volunteering.py)."""
