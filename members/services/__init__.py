"""Writes about members, one module per concern (identity, points, eligibility, no-shows,
teams, privacy, WeChat)."""
