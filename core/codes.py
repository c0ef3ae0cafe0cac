"""Short codes people read out or type: check-in codes, door codes."""

import secrets


def short_code(digits: int = 8) -> str:
    """``digits`` random decimal digits (leading zeros kept), from the OS's secure source."""
    return f"{secrets.randbelow(10**digits):0{digits}d}"
