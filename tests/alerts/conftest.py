"""The check-in fixture of the visit tests, for the rules that start from a check-in."""

from tests.visits.conftest import checkin  # noqa: F401  (a fixture, shared)
