"""Schemathesis against the check-in API's own OpenAPI schema (/api/openapi.json), through Django's WSGI
application: for every operation, requests generated from the schema (valid and invalid) never get a 5xx, and every
answer's status, content type and body are those the schema documents. Bounded (a fixed number of examples per
operation) so that it runs in CI on every change. The hand-written cases are in test_checkin_api.py."""

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from tests.factories import checkin_doors, confirmed_order
from tickets.api import api
from tickets.models import ScannerDevice

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 60


@pytest.fixture(autouse=True)
def _keep_the_tests_connection():
    """Calling the WSGI application directly fires request_started/finished, which close the database connection
    (and with it the test's transaction); Django's test client disconnects that handler, and so does this."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def device_token():
    shop, _day_one, _banquet = checkin_doors()
    confirmed_order(shop)
    _device, token = ScannerDevice.create_with_token(edition=shop.edition, name="Dörr A")
    return token


# The schema the API serves at /api/openapi.json, built without a request (collection runs before any database).
schema = schemathesis.openapi.from_dict(
    json.loads(json.dumps(api.get_openapi_schema(path_prefix="/api/"), default=str))
)


@schema.parametrize()
@hypothesis_settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_every_operation_answers_as_documented_and_never_with_a_5xx(case, device_token):
    response = case.call(app=get_wsgi_application(), headers={"Authorization": f"Bearer {device_token}"})
    # Every call carries a valid device token: the check that expects invalid credentials to be refused does not
    # apply (test_checkin_api.py tests refusals).
    case.validate_response(response, excluded_checks=[schemathesis.checks.ignored_auth])
