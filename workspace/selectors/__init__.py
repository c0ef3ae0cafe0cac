"""Reads of the staff workspace: the day board (day_board.py) and the monthly report
(reports.py)."""
