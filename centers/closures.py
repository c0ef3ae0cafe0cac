"""What dated hours would strand. Centers cannot import the apps that hold time in its spaces
(they build on centers), so those register a counter here: ``stranded_counter(fn)``, where
``fn(exception)`` says how many bookings or sessions the (unsaved) exception would leave
outside the opening hours."""

from collections.abc import Callable

from centers.models import OpeningException

StrandedCounter = Callable[[OpeningException], int]
COUNTERS: list[StrandedCounter] = []


def stranded_counter(fn: StrandedCounter) -> StrandedCounter:
    COUNTERS.append(fn)
    return fn


def stranded_count(exception: OpeningException) -> int:
    return sum(count(exception) for count in COUNTERS)
