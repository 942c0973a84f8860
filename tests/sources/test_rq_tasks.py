"""Import jobs on the Redis queue (parallax/rq_tasks.py): enqueued through django.tasks, run
by a real `manage.py rq_worker`, read back as task results, and a worker killed mid-import.

As in test_import_jobs.py's killed worker, the worker runs on a database of its own (a
SQLite file, or a PostgreSQL database beside the suite's), made and read back by
subprocesses (tests/jobs_helpers.py) whose settings pick the RQ backend from REDIS_URL.
Redis is the machine's, shared: each test gets queues of its own, deleted after it.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.tasks import TaskResultStatus, task_backends
from django.tasks.exceptions import InvalidTask, TaskResultDoesNotExist
from redis import Redis
from redis.exceptions import RedisError
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer

from parallax.rq_tasks import RQBackend, task_status
from sources.importer import Status
from sources.tasks import import_job
from tests import jobs_helpers
from tests.concurrency_helpers import ROOT
from tests.sources.test_import_jobs import assert_resumed_without_loss_or_repeat, wait_for_rows

REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


def rq_tasks(url: str, prefix: str) -> dict:
    return {
        "default": {
            "BACKEND": "parallax.rq_tasks.RQBackend",
            "QUEUES": ["default"],
            "OPTIONS": {"REDIS_URL": url, "QUEUE_PREFIX": prefix},
        }
    }


@pytest.fixture
def rq_backend(settings):
    """The RQ backend as this process's TASKS, on queues no other test run uses; skipped
    without Redis, except on CI, which has one."""
    try:
        Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except RedisError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is not reachable at {REDIS_URL} ({error}), and CI runs one")
        pytest.skip(f"needs Redis at {REDIS_URL} (set REDIS_URL for another): {error}")
    settings.TASKS = rq_tasks(REDIS_URL, f"parallax-test-{uuid.uuid4().hex[:12]}")
    backend = task_backends["default"]
    try:
        yield backend
    finally:
        forget_queues(backend)


def forget_queues(backend: RQBackend) -> None:
    """Deletes the backend's queues, their registries, their jobs and the jobs' results."""
    connection = backend.connection
    for name in backend.queues:
        queue = backend.rq_queue(name)
        registries = [
            queue.started_job_registry,
            queue.finished_job_registry,
            queue.failed_job_registry,
            queue.deferred_job_registry,
            queue.scheduled_job_registry,
            queue.canceled_job_registry,
        ]
        job_ids = set(queue.get_job_ids())
        for registry in registries:
            job_ids.update(registry.get_job_ids())
        fetched = Job.fetch_many(list(job_ids), connection=connection, serializer=JSONSerializer)
        for job in fetched:
            if job is not None:
                job.delete()
        queue.delete(delete_jobs=True)
    for key in connection.scan_iter(match=f"*{backend.prefix}:*"):
        connection.delete(key)


def results(backend: RQBackend) -> list:
    """The task results of every job on the backend's queue, oldest first."""
    queue = backend.rq_queue("default")
    job_ids = set(queue.get_job_ids())
    for registry in (
        queue.started_job_registry,
        queue.finished_job_registry,
        queue.failed_job_registry,
    ):
        job_ids.update(registry.get_job_ids())
    found = [backend.get_result(job_id) for job_id in job_ids]
    return sorted(found, key=lambda result: result.enqueued_at)


def rq_env(database_url: str, media_root: Path, backend: RQBackend) -> dict:
    """The environment of a process on the worker's database whose settings queue in Redis:
    REDIS_URL chooses the RQ backend, on this test's queues."""
    return {
        **jobs_helpers.worker_env(database_url, media_root),
        "REDIS_URL": REDIS_URL,
        "TASKS_QUEUE_PREFIX": backend.prefix,
    }


def rq_worker(*args: str) -> list[str]:
    """`manage.py rq_worker`, the command a deployment with REDIS_URL runs."""
    return [sys.executable, "manage.py", "rq_worker", *args]


def run_burst(env: dict, log: Path) -> None:
    """`manage.py rq_worker --burst`: runs what is queued, then stops."""
    with log.open("ab") as out:
        done = subprocess.run(
            rq_worker("--burst"),
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            timeout=300,
        )
    assert done.returncode == 0, log.read_text()


def kill_worker(worker: subprocess.Popen) -> None:
    """SIGKILL to the worker and to the process it forked for the task (RQ gives that one
    its own process group), as when the machine stops."""
    horses = Path(f"/proc/{worker.pid}/task/{worker.pid}/children").read_text().split()
    worker.kill()
    worker.wait(timeout=30)
    for pid in map(int, horses):
        os.kill(pid, signal.SIGKILL)
    for pid in map(int, horses):
        deadline = time.monotonic() + 30
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert not _alive(pid), f"process {pid} outlived SIGKILL"


def _alive(pid: int) -> bool:
    """Whether a process still runs (a killed one not yet reaped by init is a zombie)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")


# Without Redis ---------------------------------------------------------------------------


def test_every_rq_job_state_is_a_task_state():
    assert {state: task_status(state) for state in JobStatus} == {
        JobStatus.CREATED: TaskResultStatus.READY,
        JobStatus.QUEUED: TaskResultStatus.READY,
        JobStatus.DEFERRED: TaskResultStatus.READY,
        JobStatus.SCHEDULED: TaskResultStatus.READY,
        JobStatus.RATE_LIMITED: TaskResultStatus.READY,
        JobStatus.READY_TO_ENQUEUE: TaskResultStatus.READY,
        JobStatus.STARTED: TaskResultStatus.RUNNING,
        JobStatus.FINISHED: TaskResultStatus.SUCCESSFUL,
        JobStatus.FAILED: TaskResultStatus.FAILED,
        JobStatus.STOPPED: TaskResultStatus.FAILED,
        JobStatus.CANCELED: TaskResultStatus.FAILED,
    }


def test_the_backend_refuses_what_it_does_not_support(settings):
    # No connection is made: Redis need not run on that port.
    settings.TASKS = rq_tasks("redis://127.0.0.1:1/0", "parallax-unused")
    backend = task_backends["default"]

    assert (backend.supports_get_result, backend.supports_defer) == (True, False)
    assert (backend.supports_priority, backend.supports_async_task) == (False, False)
    with pytest.raises(InvalidTask, match="run_after"):
        import_job.using(run_after=datetime(2030, 1, 1, tzinfo=UTC))
    with pytest.raises(InvalidTask, match="priority"):
        import_job.using(priority=10)
    with pytest.raises(InvalidTask, match="Queue 'elsewhere'"):
        import_job.using(queue_name="elsewhere")


# A real worker ---------------------------------------------------------------------------


def test_an_upload_queued_in_redis_is_imported_by_the_rq_worker(
    rq_backend, worker_database, tmp_path
):
    env = rq_env(worker_database, tmp_path / "media", rq_backend)
    log = tmp_path / "worker.log"
    # Stores the files and enqueues the job (sources.jobs.start), as the import page does.
    setup = jobs_helpers.run_helper(env, "setup", "20")

    [queued] = results(rq_backend)
    assert (queued.status, queued.args, queued.task.module_path) == (
        TaskResultStatus.READY,
        [setup["job"]],
        "sources.tasks.import_job",
    )

    run_burst(env, log)

    job = jobs_helpers.run_helper(env, "inspect")
    assert (job["state"], job["attempts"], job["done"], job["total"]) == ("done", 1, 3, 3)
    assert (job["imported"], job["failed"], job["articles"]) == (22, 0, 22)
    # The report: one row per file and record, each pointing at its own article.
    assert [(entry, sequence, status) for entry, sequence, _, status, _ in job["rows"]] == (
        [(1, 1, Status.CREATED)]
        + [(2, n, Status.CREATED) for n in range(1, 21)]
        + [(3, 1, Status.CREATED)]
    )
    assert [title for *_, title in job["rows"]] == ["First gate note"] + [
        f"Gate log {n}" for n in range(1, 21)
    ] + ["Last gate note"]
    assert job["stored_files"] == []
    # Nothing went through the database queue.
    assert job["tasks"] == []
    queued.refresh()
    assert queued.status == TaskResultStatus.SUCCESSFUL, log.read_text()
    assert queued.return_value is None and queued.errors == []
    assert len(queued.worker_ids) == 1
    assert queued.enqueued_at <= queued.started_at <= queued.finished_at


def test_task_results_follow_their_rq_jobs(rq_backend, worker_database, tmp_path):
    env = rq_env(worker_database, tmp_path / "media", rq_backend)
    log = tmp_path / "worker.log"
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--verbosity", "0"],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=300,
    )

    # A job that does not exist is left alone; an id that is not one fails the task.
    absent = import_job.enqueue(10**9)
    broken = import_job.enqueue("not-a-job")

    assert (absent.status, absent.args, absent.backend) == (
        TaskResultStatus.READY,
        [10**9],
        "default",
    )
    assert absent.enqueued_at is not None and absent.worker_ids == []
    assert import_job.get_result(broken.id).status == TaskResultStatus.READY
    with pytest.raises(TaskResultDoesNotExist):
        rq_backend.get_result(uuid.uuid4().hex)

    run_burst(env, log)

    absent.refresh()
    broken.refresh()
    assert absent.status == TaskResultStatus.SUCCESSFUL, log.read_text()
    assert absent.return_value is None and absent.attempts == 1
    assert broken.status == TaskResultStatus.FAILED
    [error] = broken.errors
    assert error.exception_class is ValueError
    assert "expected a number but got 'not-a-job'" in error.traceback
    assert broken.finished_at is not None and broken.attempts == 1
    with pytest.raises(ValueError, match="Task failed"):
        _ = broken.return_value


def test_a_rq_worker_killed_mid_import_is_resumed_and_imports_each_article_once(
    rq_backend, worker_database, tmp_path
):
    env = rq_env(worker_database, tmp_path / "media", rq_backend)
    log = tmp_path / "worker.log"
    setup = jobs_helpers.run_helper(env, "setup", "600")

    with log.open("ab") as out:
        worker = subprocess.Popen(
            rq_worker(), cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        wait_for_rows(worker_database, 5)
    finally:
        kill_worker(worker)
    killed = jobs_helpers.run_helper(env, "inspect")
    # Killed mid-import: some rows written, the job and its RQ job left running.
    assert killed["state"] == "running", log.read_text()
    assert 5 <= len(killed["rows"]) < setup["records"]
    assert [result.status for result in results(rq_backend)] == [TaskResultStatus.RUNNING]

    resumed = jobs_helpers.run_helper(env, "resume")
    assert resumed == {"resumed": 1}
    run_burst(env, log)

    final = jobs_helpers.run_helper(env, "inspect")
    assert final["state"] == "done" and final["attempts"] == 2, log.read_text()
    # The killed worker's RQ job is not run again: RQ fails it once its heartbeat expires
    # (it has no retries); the resumed job is a new one.
    assert [result.status for result in results(rq_backend)] == [
        TaskResultStatus.RUNNING,
        TaskResultStatus.SUCCESSFUL,
    ]
    assert_resumed_without_loss_or_repeat(setup, killed, final)
    # The RQ backend keeps no task rows in the database.
    assert final["tasks"] == []
