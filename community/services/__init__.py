"""Writes about the community side of a center: micro-wishes (wishes.py) and the proposal
wall (proposals.py)."""
