"""The serving app's settings and its days, for a route to hand to a service. The object itself
(``server.wiring.Settings``, every room's settings in one) is assembled by the composition root;
this module knows no room, so any room's routes may use it."""

from __future__ import annotations

from datetime import date

from flask import current_app

from server import clock
from server.timeutil import month_before

EXTENSION_KEY = "zhaoying.settings"


def current():
    """The settings of the app serving this request (a ``server.wiring.Settings``)."""
    return current_app.extensions[EXTENSION_KEY]


def today() -> date:
    """Today in the app's zone, for a route to hand to a service."""
    return clock.today(current().zone)


def this_month() -> tuple[int, int]:
    """(year, month) of today in the app's zone."""
    day = today()
    return day.year, day.month


def last_month() -> tuple[int, int]:
    """(year, month) of the month before today's, in the app's zone: the last one closed."""
    return month_before(*this_month())
