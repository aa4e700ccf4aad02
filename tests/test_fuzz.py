"""Fuzzing the whole API from its OpenAPI document (issue 14): schemathesis generates requests,
valid and invalid, for every documented operation, as each role, in-process against the app on
the test database (SQLite, and PostgreSQL in `make test`'s second pass).

Every response must be no 5xx, have a documented status code, and a body that conforms to the
documented schema. The run is derandomized (the same examples every run) and bounded:
``MAX_EXAMPLES`` per operation, generation mode and role. It runs on the test's one connection
(requests commit savepoints of the outer transaction, rolled back at the end), in this thread.

schemathesis' own pytest integration (``from_fixture`` + ``parametrize``) does not run under
pytest 9, so the operations are driven here with hypothesis directly.
"""

from __future__ import annotations

import os
import traceback

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    response_schema_conformance,
    status_code_conformance,
)

from server import create_app
from server.notify.channels import generate_vapid_pem
from tests import factories

pytestmark = pytest.mark.fuzz

# FUZZ_EXAMPLES=50 for a longer hunt by hand
MAX_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "8"))
ROLES = ("caregiver", "volunteer", "township_staff", "district_admin", "cadre")
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]
# (method, path) not fuzzed, each with the reason
EXCLUDED: dict[tuple[str, str], str] = {}

SETTINGS = settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                    phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck),
                    print_blob=False)


def _user(world, role, session=None):
    if role == "cadre":
        from tests.pairing.conftest import make_pairs

        made = make_pairs(session, world)
        from server.pairing.models import Pairing

        session.add(Pairing(cadre_id=made.clerk.id, person_id=world.a.person.id, started_on=factories.today(),
                            created_by=world.a.staff.id))
        session.flush()
        return made.users["clerk"]
    return {"caregiver": world.a.caregiver, "volunteer": world.a.volunteer, "township_staff": world.a.staff,
            "district_admin": world.admin}[role]


@pytest.fixture(scope="module")
def vapid_pem():
    return generate_vapid_pem()


@pytest.mark.parametrize("role", ROLES)
def test_api_conforms_to_its_openapi(app_config, session, world, role, vapid_pem):
    # push configured (without it the VAPID key answers 503, which is no bug to find)
    # the document is read as the public demo serves it (production keeps it behind a staff login)
    app = create_app({**app_config, "VAPID_PRIVATE_KEY": vapid_pem, "API_DOCS_PUBLIC": True})
    auth = factories.headers(session, _user(world, role, session))
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    failures, operations, calls = [], 0, 0

    for result in schema.get_all_operations():
        operation = result.ok()
        if (operation.method.upper(), operation.path) in EXCLUDED:
            continue
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @SETTINGS
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case):
                nonlocal calls
                calls += 1
                case.call_and_validate(headers=auth, checks=CHECKS)

            try:
                run()
            except (KeyboardInterrupt, SystemExit):
                raise
            except BaseException as error:  # schemathesis' FailureGroup; every operation is run, failures listed
                detail = str(error) if isinstance(error, FailureGroup) else "".join(traceback.format_exception(error))
                failures.append(f"--- {role} {mode.value} {operation.label}\n{detail}")

    print(f"fuzz {role}: {operations} operations, {calls} requests, {len(failures)} failing")
    assert not failures, "\n\n".join(failures)
