"""Where background callbacks (the full simulation) run, and how a lost run is reported.

Two managers, one behaviour:

* embedded (default): :class:`DiskcacheManager`, a child process per run, results on disk in
  ``$STRATA_CACHE_DIR/jobs``; nothing to start besides the app.
* scale-out (``REDIS_URL`` set): :class:`CeleryManager`, runs queued in Redis and executed by
  Celery workers on any machine (``celery -A app:celery_app worker``), results in Redis.

Dash polls a run until its result appears. If the process doing the run dies (a killed Celery
worker, an out-of-memory kill), no result ever appears and the page would spin forever, so both
managers here turn "no result and nobody working on it" into an error with :data:`LOST_RUN` in
its message, which the page shows as "run failed, retry". A run the user cancels is not lost.
"""

from __future__ import annotations

import functools
import threading
import time
from pathlib import Path

import diskcache
from dash import CeleryManager, DiskcacheManager

from dashboard import state

LOST_RUN = "The run stopped before it finished: the process doing it went away."
EXPIRE_SECONDS = 3600
BEAT_SECONDS = 2.0  # a Celery run writes a heartbeat this often ...
BEAT_TTL = 10  # ... and counts as dead once none has been written for this long (seconds)
QUEUE_TIMEOUT = 120  # a run no worker has started after this long (seconds) is lost
NO_WORKER = (
    f"No simulation worker started the run within {QUEUE_TIMEOUT // 60} minutes: is a Celery worker running?"
)


def _lost_error(message: str) -> dict:
    """What Dash's own job functions store for a run that raised (Dash then calls on_error)."""
    return {"background_callback_error": {"msg": message, "tb": ""}}


def celery_lost_reason(
    task_state: str, started: bool, beating: bool, queued_seconds: float, ended: bool
) -> str | None:
    """Why a Celery run without a result is lost, or None while it may still finish.

    ``task_state`` is Celery's; ``started``/``beating`` come from the run's own markers (its
    heartbeat expires :data:`BEAT_TTL` s after the worker dies); ``ended`` means the app ended
    it (a cancel), which is not a failure.
    """
    if ended or task_state == "REVOKED":
        return None
    if task_state == "FAILURE":  # Dash's job function catches every exception: the process died
        return LOST_RUN
    if started:
        return None if beating else LOST_RUN
    return NO_WORKER if queued_seconds > QUEUE_TIMEOUT else None


class EmbeddedManager(DiskcacheManager):
    """DiskcacheManager that reports a run whose process died (the job id is its pid)."""

    def terminate_job(self, job):
        if job is not None:
            self.handle.set(f"strata-ended-{job}", True, expire=EXPIRE_SECONDS)
        super().terminate_job(job)

    def get_result(self, key, job):
        result = super().get_result(key, job)
        if (
            result is self.UNDEFINED
            and job is not None
            and not self.job_running(job)
            and not self.handle.get(f"strata-ended-{job}")
            and not self.result_ready(key)
        ):
            return _lost_error(LOST_RUN)
        return result


class ScaleOutManager(CeleryManager):
    """CeleryManager whose runs write a heartbeat to Redis, so a killed worker is noticed."""

    def __init__(self, celery_app, redis_url: str, **kwargs) -> None:
        import redis

        self._redis = redis.Redis.from_url(redis_url)
        super().__init__(celery_app, **kwargs)

    def _key(self, job: str, what: str) -> str:
        return f"strata:run:{job}:{what}"

    def make_job_fn(self, fn, progress, key=None):
        return super().make_job_fn(self._with_heartbeat(fn), progress, key)

    def _with_heartbeat(self, fn):
        """Run ``fn`` while a thread refreshes the run's heartbeat every BEAT_SECONDS."""

        @functools.wraps(fn)
        def run(*args, **kwargs):
            from celery import current_task

            job = current_task.request.id
            self._redis.set(self._key(job, "started"), 1, ex=EXPIRE_SECONDS)
            done = threading.Event()

            def beat() -> None:
                while not done.is_set():
                    self._redis.set(self._key(job, "beat"), 1, ex=BEAT_TTL)
                    done.wait(BEAT_SECONDS)

            threading.Thread(target=beat, daemon=True).start()
            try:
                return fn(*args, **kwargs)
            finally:
                done.set()

        return run

    def call_job_fn(self, key, job_fn, args, context):
        job = super().call_job_fn(key, job_fn, args, context)
        self._redis.set(self._key(job, "queued"), time.time(), ex=EXPIRE_SECONDS)
        return job

    def terminate_job(self, job):
        if job is not None:
            self._redis.set(self._key(job, "ended"), 1, ex=EXPIRE_SECONDS)
        super().terminate_job(job)

    def get_result(self, key, job):
        result = super().get_result(key, job)
        if result is not self.UNDEFINED or job is None:
            return result
        queued = float(self._redis.get(self._key(job, "queued")) or time.time())
        reason = celery_lost_reason(
            self.get_task(job).state,
            self._redis.exists(self._key(job, "started")) == 1,
            self._redis.exists(self._key(job, "beat")) == 1,
            time.time() - queued,
            self._redis.exists(self._key(job, "ended")) == 1,
        )
        if reason and not self.result_ready(key):
            self.terminate_job(job)
            return _lost_error(reason)
        return result


def celery_app(redis_url: str):
    """The Celery app of a scale-out deployment: Redis is both the queue and the result store."""
    from celery import Celery

    app = Celery("strata", broker=redis_url, backend=redis_url)
    app.conf.update(
        task_track_started=True,
        worker_prefetch_multiplier=1,  # a long run does not hold queued runs back on one worker
        result_expires=EXPIRE_SECONDS,
        broker_connection_retry_on_startup=True,
    )
    return app


def manager(cache_dir: str, redis_url: str | None):
    """The background manager for this deployment (see the module docstring).

    Results are keyed by the session and its data as well as the inputs, so two people with
    the same inputs never share a result, nor does one person across datasets.
    """
    if redis_url:
        return ScaleOutManager(
            celery_app(redis_url), redis_url, cache_by=[state.run_scope], expire=EXPIRE_SECONDS
        )
    jobs = diskcache.Cache(str(Path(cache_dir) / "jobs"))
    return EmbeddedManager(jobs, cache_by=[state.run_scope], expire=EXPIRE_SECONDS)
