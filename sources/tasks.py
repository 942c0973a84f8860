"""The background tasks of the sources app, run by a worker (`manage.py db_worker`, or
`manage.py rq_worker` with REDIS_URL)."""

from django.tasks import task

from sources import jobs


@task
def import_job(job_id: int) -> None:
    """Imports the files of an ImportJob (sources.jobs.run)."""
    jobs.run(job_id)
