"""The check-in fixture of the visit tests, for coverage built from check-ins."""

from tests.visits.conftest import checkin  # noqa: F401  (a fixture, shared)
