import pytest

from tests.databases import KINDS, database_of_its_own


@pytest.fixture(params=KINDS)
def worker_database(request, tmp_path):
    """A database of its own that worker processes reach (tests/databases.py)."""
    with database_of_its_own(request.param, tmp_path, "jobs") as url:
        yield url
