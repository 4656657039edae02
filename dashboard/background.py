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

Both also (:class:`GuardedRuns`):

* limit runs: one at a time per session, and at most ``STRATA_MAX_RUNS`` at once in all; a run
  past a limit is not started and the page says why (:func:`run_refusal`, :func:`refusal_of`);
* bind runs to the session that started them: the handles Dash gives the browser travel in the
  query string (so in access logs), and a request from another session gets no result, no
  progress and cannot cancel the run; the job learns its session from the manager, not from the
  browser (:func:`job_session`).

What Dash keeps for a run (its results, pickled by diskcache; progress) lives in
``$STRATA_CACHE_DIR/jobs`` inside the private cache directory, or in the deployment's
password-protected Redis; its handle-signing key is derived from ``STRATA_SECRET_KEY`` rather
than stored there.
"""

from __future__ import annotations

import contextlib
import functools
import json
import secrets
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import dash
import diskcache
import flask
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


REFUSED = "Not started: "
"""Marks a run a limit refused (the page shows the message without "Run failed")."""
SESSION_FIELD = "strata_session"
STARTING_SECONDS = 30  # a slot reserved for a run being started counts this long at most


def run_refusal(running_sessions: list[str], session: str, max_runs: int) -> str | None:
    """Why a new run of ``session`` may not start, or None: one run per session at a time, at
    most ``max_runs`` in all. ``running_sessions`` holds the session of each run in progress."""
    if session in running_sessions:
        return f"{REFUSED}a full run of yours is still in progress; wait for it or cancel it."
    if len(running_sessions) >= max_runs:
        n = len(running_sessions)
        return f"{REFUSED}busy: {n} run{'s' if n != 1 else ''} in progress; try again shortly."
    return None


def refusal_of(exc: Exception) -> str | None:
    """The message of a run a limit refused (see :func:`run_refusal`), or None for a failure."""
    text = str(exc)
    start = text.find(REFUSED)
    if start < 0:
        return None
    message = text[start + len(REFUSED) :].splitlines()[0]
    return message[:1].upper() + message[1:]


def job_session() -> str | None:
    """In a background job: the session of the request that started it (put in the job's
    context by the manager, never taken from the browser)."""
    return (dash.ctx.custom_data or {}).get(SESSION_FIELD)


def _job_context(context, sid: str) -> dict:
    """What a job gets of its request: the session (from the server, see :func:`job_session`),
    and neither the cookies nor the Authorization header, which would otherwise travel with the
    run (through Redis to a Celery worker) holding a password and a session cookie."""
    secret = {"authorization", "cookie"}
    headers = {k: v for k, v in (context.get("headers") or {}).items() if k.lower() not in secret}
    custom = {**(context.get("custom_data") or {}), SESSION_FIELD: sid}
    return {**context, "headers": headers, "cookies": {}, "custom_data": custom}


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


class GuardedRuns:
    """Run limits and session-bound results for a Dash background manager (a mixin before
    Dash's manager class). A subclass says how to lock, remember strings and tell a run in
    progress."""

    max_runs: int = 1
    UNDEFINED: object

    def _lock(self) -> contextlib.AbstractContextManager:
        raise NotImplementedError

    def _remember(self, name: str, value: str) -> None:
        raise NotImplementedError

    def _recall(self, name: str) -> str | None:
        raise NotImplementedError

    def _in_progress(self, job: str) -> bool:
        raise NotImplementedError

    @staticmethod
    def _refused(job) -> bool:
        return str(job).startswith("refused-")

    def _runs(self) -> dict[str, dict]:
        """The runs in progress, ``{job: {"session", "since"}}`` (finished ones dropped)."""
        runs = json.loads(self._recall("runs") or "{}")
        now = time.time()

        def going(job: str, run: dict) -> bool:
            starting = job.startswith("starting-")
            return now - run["since"] < STARTING_SECONDS if starting else self._in_progress(job)

        return {job: run for job, run in runs.items() if going(job, run)}

    @contextlib.contextmanager
    def _ledger(self) -> Iterator[dict[str, dict]]:
        """The runs in progress, under the lock; changes to the dict are saved."""
        with self._lock():
            runs = self._runs()
            yield runs
            self._remember("runs", json.dumps(runs))

    def call_job_fn(self, key, job_fn, args, context):
        sid = state.session_id() if flask.has_request_context() else ""
        ticket = f"starting-{secrets.token_hex(8)}"
        with self._ledger() as runs:
            refusal = run_refusal([run["session"] for run in runs.values()], sid, self.max_runs)
            if refusal is None:
                runs[ticket] = {"session": sid, "since": time.time()}
        if refusal is not None:
            job = f"refused-{secrets.token_hex(8)}"
            self._remember(f"refused:{job}", refusal)
            self._remember(f"job-owner:{job}", sid)
            return job
        context = _job_context(context, sid)
        job = None
        try:
            job = super().call_job_fn(key, job_fn, args, context)  # type: ignore[misc]
        finally:
            with self._ledger() as runs:
                runs.pop(ticket, None)
                if job is not None:
                    runs[str(job)] = {"session": sid, "since": time.time()}
        self._remember(f"owner:{key}", sid)
        self._remember(f"job-owner:{job}", sid)
        return job

    def _owns(self, key=None, job=None) -> bool:
        """Whether the requesting session started this run (always, outside a request)."""
        if not flask.has_request_context():
            return True
        sid = state.session_id()
        names = ([f"owner:{key}"] if key else []) + ([f"job-owner:{job}"] if job else [])
        return all(self._recall(name) == sid for name in names)

    def _guarded_result(self, key, job):
        """A refused run's message, UNDEFINED for another session's run, or None: go on."""
        if job is not None and self._refused(job):
            message = self._recall(f"refused:{job}") if self._owns(job=job) else None
            return _lost_error(message) if message else self.UNDEFINED
        return None if self._owns(key, job) else self.UNDEFINED

    def get_progress(self, key):
        return super().get_progress(key) if self._owns(key) else None  # type: ignore[misc]

    def get_updated_props(self, key):
        return super().get_updated_props(key) if self._owns(key) else {}  # type: ignore[misc]

    def job_running(self, job):
        return False if self._refused(job) else super().job_running(job)  # type: ignore[misc]

    def terminate_job(self, job):
        if job is None or self._refused(job) or not self._owns(job=job):
            return
        super().terminate_job(job)  # type: ignore[misc]


class EmbeddedManager(GuardedRuns, DiskcacheManager):
    """DiskcacheManager that reports a run whose process died (the job id is its pid)."""

    def __init__(self, *args, max_runs: int = 1, **kwargs) -> None:
        self.max_runs = max_runs
        super().__init__(*args, **kwargs)

    def _lock(self):
        return self.handle.transact(retry=True)

    def _remember(self, name: str, value: str) -> None:
        self.handle.set(f"strata-{name}", value, expire=EXPIRE_SECONDS)

    def _recall(self, name: str) -> str | None:
        value = self.handle.get(f"strata-{name}")
        return value if isinstance(value, str) else None

    def _in_progress(self, job: str) -> bool:
        return job.isdigit() and self.job_running(job) and not self.handle.get(f"strata-ended-{job}")

    def terminate_unhealthy_job(self, job):
        return False if self._refused(job) else super().terminate_unhealthy_job(job)

    def terminate_job(self, job):
        if job is not None and not self._refused(job) and self._owns(job=job):
            self.handle.set(f"strata-ended-{job}", True, expire=EXPIRE_SECONDS)
        super().terminate_job(job)

    def get_result(self, key, job):
        guarded = self._guarded_result(key, job)
        if guarded is not None:
            return guarded
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


class ScaleOutManager(GuardedRuns, CeleryManager):
    """CeleryManager whose runs write a heartbeat to Redis, so a killed worker is noticed."""

    def __init__(self, celery_app, redis_url: str, max_runs: int = 1, **kwargs) -> None:
        import redis

        self._redis = redis.Redis.from_url(redis_url)
        self.max_runs = max_runs
        super().__init__(celery_app, **kwargs)

    def _key(self, job: str, what: str) -> str:
        return f"strata:run:{job}:{what}"

    def _lock(self):
        return self._redis.lock("strata:runs:lock", timeout=30, blocking_timeout=30)

    def _remember(self, name: str, value: str) -> None:
        self._redis.set(f"strata:guard:{name}", value, ex=EXPIRE_SECONDS)

    def _recall(self, name: str) -> str | None:
        value = self._redis.get(f"strata:guard:{name}")
        return value.decode() if isinstance(value, bytes) else None

    def _in_progress(self, job: str) -> bool:
        if self._redis.exists(self._key(job, "ended")) or not CeleryManager.job_running(self, job):
            return False
        return self._lost_reason(job, ended=False) is None

    def _lost_reason(self, job: str, ended: bool) -> str | None:
        """:func:`celery_lost_reason` for ``job`` from what Redis records of it."""
        queued = float(self._redis.get(self._key(job, "queued")) or time.time())
        return celery_lost_reason(
            self.get_task(job).state,
            self._redis.exists(self._key(job, "started")) == 1,
            self._redis.exists(self._key(job, "beat")) == 1,
            time.time() - queued,
            ended,
        )

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
        if not self._refused(job):
            self._redis.set(self._key(job, "queued"), time.time(), ex=EXPIRE_SECONDS)
        return job

    def terminate_job(self, job):
        if job is not None and not self._refused(job) and self._owns(job=job):
            self._redis.set(self._key(job, "ended"), 1, ex=EXPIRE_SECONDS)
        super().terminate_job(job)

    def get_result(self, key, job):
        guarded = self._guarded_result(key, job)
        if guarded is not None:
            return guarded
        result = super().get_result(key, job)
        if result is not self.UNDEFINED or job is None:
            return result
        reason = self._lost_reason(job, ended=self._redis.exists(self._key(job, "ended")) == 1)
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
        # JSON only, in both directions: a pickled message planted in Redis is refused
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        result_accept_content=["json"],
    )
    return app


def manager(cache_dir: str, redis_url: str | None, max_runs: int = 1):
    """The background manager for this deployment (see the module docstring); ``cache_dir``
    must be the private directory (:func:`storage.session_store.private_directory`).

    Results are keyed by the session and its data as well as the inputs, so two people with
    the same inputs never share a result, nor does one person across datasets.
    """
    if redis_url:
        return ScaleOutManager(
            celery_app(redis_url),
            redis_url,
            max_runs=max_runs,
            cache_by=[state.run_scope],
            expire=EXPIRE_SECONDS,
        )
    jobs = diskcache.Cache(str(Path(cache_dir) / "jobs"))
    return EmbeddedManager(jobs, max_runs=max_runs, cache_by=[state.run_scope], expire=EXPIRE_SECONDS)
