"""Resident web pages of the community side of a center: micro-wishes (微心愿) and the
proposal wall (提案墙). Thin: a form parses, one service or selector does the work, a refusal
is the page's error message (another member's wish or draft is a 404)."""
