"""An unexpected error answers a page in the site's style; the database not answering
answers 503 with Retry-After, so clients and proxies know to try again."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory

from parallax.views import RETRY_AFTER, server_error


def failing_query() -> str:
    """SQL that makes the database itself raise OperationalError, on either engine."""
    if connection.vendor == "postgresql":
        return "SET LOCAL statement_timeout = 1; SELECT pg_sleep(1)"
    return "SELECT * FROM a_table_that_is_not_there"


@pytest.mark.django_db
def test_a_database_that_does_not_answer_is_503_with_retry_after():
    request = RequestFactory().post("/articles/1/annotations/")
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(failing_query())
    except DatabaseError:
        response = server_error(request)
    else:
        pytest.fail("the query did not fail")
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER)
    page = response.content.decode()
    assert "The database is not answering" in page
    assert "it was not saved" in page


def test_any_other_error_is_a_plain_500_page():
    request = RequestFactory().get("/")
    try:
        {}["missing"]
    except KeyError:
        response = server_error(request)
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()
