"""Django's tasks framework on an RQ queue in Redis, run by `manage.py rq_worker`.

settings.TASKS uses it when REDIS_URL is set. django-tasks-rq would be the ready-made
backend, but it runs on the django-tasks backport, not on django.tasks: its worker fails
every one of our tasks. So this one is ours, and small.

enqueue() puts on the task's RQ queue a call of `run_task(path, args, kwargs)`, where
`path` is the task's module path, stored as JSON: the worker imports the Task by that
path and calls it, so no Task object (nor anything else) is ever pickled. get_result()
reads the RQ job back: its state, times, worker, and return value or error. A result is
kept RESULT_TTL seconds after the task ends, then it no longer exists.

What it does not do, as its supports_* flags say: deferred tasks (run_after, which would
need RQ's scheduler), priorities (RQ queues are first in, first out) and async tasks.
A task goes to Redis when enqueue() is called, not when the surrounding transaction
commits: enqueue once what the task reads is committed (sources.jobs does).
"""

from datetime import timedelta
from traceback import format_exception

from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.tasks import Task, TaskContext, TaskResult, TaskResultStatus, task_backends
from django.tasks.backends.base import BaseTaskBackend
from django.tasks.base import TaskError
from django.tasks.exceptions import TaskResultDoesNotExist
from django.tasks.signals import task_enqueued, task_finished, task_started
from django.utils import timezone
from django.utils.json import normalize_json
from django.utils.module_loading import import_string
from redis import Redis
from rq import Queue, Worker, get_current_job
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.serializers import JSONSerializer

# The function every RQ job of this backend calls.
RUNNER = "parallax.rq_tasks.run_task"

_READY, _RUNNING = TaskResultStatus.READY, TaskResultStatus.RUNNING
_FAILED, _SUCCESSFUL = TaskResultStatus.FAILED, TaskResultStatus.SUCCESSFUL
# Every state of an RQ job (rq.job.JobStatus) as a task's state. A job waiting for any
# reason is ready; one stopped or canceled will not run again, so it failed.
STATUSES = {
    JobStatus.CREATED: _READY,
    JobStatus.QUEUED: _READY,
    JobStatus.DEFERRED: _READY,
    JobStatus.SCHEDULED: _READY,
    JobStatus.RATE_LIMITED: _READY,
    JobStatus.READY_TO_ENQUEUE: _READY,
    JobStatus.STARTED: _RUNNING,
    JobStatus.FINISHED: _SUCCESSFUL,
    JobStatus.FAILED: _FAILED,
    JobStatus.STOPPED: _FAILED,
    JobStatus.CANCELED: _FAILED,
}


def task_status(job_status: str) -> TaskResultStatus:
    """The django.tasks state of an RQ job's state."""
    return STATUSES[JobStatus(job_status)]


class RQBackend(BaseTaskBackend):
    """TASKS = {"default": {"BACKEND": "parallax.rq_tasks.RQBackend", "QUEUES": ["default"],
    "OPTIONS": {"REDIS_URL": "redis://…", "QUEUE_PREFIX": "parallax"}}}

    OPTIONS: REDIS_URL (required); QUEUE_PREFIX, put before each queue's name in Redis so
    that sites and test runs sharing a Redis keep apart (default "parallax");
    RESULT_TTL, seconds a result is kept (default a week); JOB_TIMEOUT, seconds after which
    the worker stops a task (default none, as db_worker).
    """

    supports_defer = False
    supports_async_task = False
    supports_get_result = True
    supports_priority = False

    def __init__(self, alias, params):
        super().__init__(alias, params)
        url = self.options.get("REDIS_URL")
        if not url:
            raise ImproperlyConfigured(f"The RQ task backend {alias!r} needs OPTIONS['REDIS_URL'].")
        self.prefix = self.options.get("QUEUE_PREFIX") or "parallax"
        self.result_ttl = int(self.options.get("RESULT_TTL", timedelta(days=7).total_seconds()))
        self.job_timeout = self.options.get("JOB_TIMEOUT") or -1  # RQ's "no limit"
        self.connection = Redis.from_url(url)

    def rq_queue_name(self, queue_name: str) -> str:
        return f"{self.prefix}:{queue_name}"

    def rq_queue(self, queue_name: str) -> Queue:
        return Queue(
            self.rq_queue_name(queue_name), connection=self.connection, serializer=JSONSerializer
        )

    def worker(self, queue_names: list[str]) -> Worker:
        """An RQ worker on these queues: it forks a process for each task, so a task that
        crashes or leaks leaves the worker as it was."""
        queues = [self.rq_queue(name) for name in queue_names]
        return _Worker(queues, connection=self.connection, serializer=JSONSerializer)

    def enqueue(self, task, args, kwargs):
        self.validate_task(task)
        args, kwargs = normalize_json(list(args)), normalize_json(dict(kwargs))
        job = self.rq_queue(task.queue_name).enqueue_call(
            RUNNER,
            args=[task.module_path, args, kwargs],
            timeout=self.job_timeout,
            result_ttl=self.result_ttl,
            failure_ttl=self.result_ttl,
            description=task.module_path,
            meta={"backend": self.alias, "queue_name": task.queue_name},
        )
        result = self._result(job, task)
        task_enqueued.send(type(self), task_result=result)
        return result

    def get_result(self, result_id):
        try:
            job = Job.fetch(result_id, connection=self.connection, serializer=JSONSerializer)
        except (NoSuchJobError, ValueError):
            raise TaskResultDoesNotExist(result_id) from None
        # Only this backend's jobs: another site's, on its own prefix, is not found here.
        queue_name = job.meta.get("queue_name", "")
        ours = job.meta.get("backend") == self.alias and queue_name in self.queues
        if job.func_name != RUNNER or not ours or job.origin != self.rq_queue_name(queue_name):
            raise TaskResultDoesNotExist(result_id)
        return self._result(job, self._task(job))

    def _task(self, job: Job) -> Task:
        task = import_string(job.args[0])
        if not isinstance(task, Task):
            raise TypeError(f"{job.args[0]} is not a task")
        return task.using(queue_name=job.meta["queue_name"], backend=self.alias)

    def _result(self, job: Job, task: Task) -> TaskResult:
        status = task_status(job.get_status(refresh=False))
        errors = []
        # Recorded by run_task; a task whose worker died raised nothing, and has no error.
        if status == _FAILED and (exception := job.meta.get("exception_class_path")):
            latest = job.latest_result()
            trace = latest.exc_string if latest and latest.exc_string else ""
            errors.append(TaskError(exception_class_path=exception, traceback=trace))
        result = TaskResult(
            task=task,
            id=job.id,
            status=status,
            enqueued_at=job.enqueued_at,
            started_at=job.started_at,
            finished_at=job.ended_at,
            last_attempted_at=job.started_at,
            args=job.args[1],
            kwargs=job.args[2],
            backend=self.alias,
            errors=errors,
            worker_ids=[job.worker_name] if job.worker_name else [],
        )
        if status == _SUCCESSFUL:
            object.__setattr__(result, "_return_value", job.return_value())
        return result


class _Worker(Worker):
    def unsubscribe(self):
        """Stops the thread that listens for commands before unsubscribing, not after.

        rq 3.0 unsubscribes, then calls the thread's stop(), which redis-py 8 made wait for
        the thread to end; by then the thread, no longer subscribed, may be waiting up to
        60 s for a subscription, so a worker could take a minute to stop (one --burst run in
        three did here). Told to stop first, the thread ends on the unsubscribe's reply.
        """
        if self.pubsub_thread:
            try:
                self.pubsub_thread.stop(timeout=0)
            except TypeError:  # redis-py before 8: stop() does not wait
                self.pubsub_thread.stop()
        super().unsubscribe()


def run_task(task_path: str, args: list, kwargs: dict):
    """What the worker runs: the task imported by its path, called with its arguments, with
    django.tasks' started and finished signals around it.

    An exception is recorded (for get_result) and raised again, so that RQ fails the job.
    """
    job = get_current_job()
    backend = task_backends[job.meta["backend"]]
    result = backend._result(job, backend._task(job))
    task = result.task
    task_started.send(type(backend), task_result=result)
    try:
        if task.takes_context:
            value = task.call(TaskContext(task_result=result), *args, **kwargs)
        else:
            value = task.call(*args, **kwargs)
        value = normalize_json(value)
    except Exception as error:
        path = f"{type(error).__module__}.{type(error).__qualname__}"
        job.meta["exception_class_path"] = path
        job.save_meta()
        trace = "".join(format_exception(error))
        result.errors.append(TaskError(exception_class_path=path, traceback=trace))
        object.__setattr__(result, "status", _FAILED)
        object.__setattr__(result, "finished_at", timezone.now())
        task_finished.send(type(backend), task_result=result)
        raise
    else:
        object.__setattr__(result, "status", _SUCCESSFUL)
        object.__setattr__(result, "finished_at", timezone.now())
        object.__setattr__(result, "_return_value", value)
        task_finished.send(type(backend), task_result=result)
        return value
    finally:
        # The worker's process for this task ends with it (os._exit): close its connections
        # rather than leave the database to notice them gone.
        connections.close_all()
