"""Delivery channels. Each raises one of these when a message does not go out:

- ``Refused``: this channel cannot take this message for this member (no consent, no address);
  the message falls back to the member's next channel.
- ``Permanent``: the message itself is wrong (bad template data); it is dead, with the reason.
- anything else: a passing failure (network, gateway busy); retried with backoff.
"""


class Refused(Exception):
    pass


class Permanent(Exception):
    pass
