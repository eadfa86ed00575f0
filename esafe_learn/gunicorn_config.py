"""Production gunicorn settings: `gunicorn -c python:esafe_learn.gunicorn_config "esafe_learn:create_app()"`."""

import os

bind = os.environ.get("ESAFE_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("ESAFE_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("ESAFE_THREADS", "4"))
timeout = 30
graceful_timeout = 20
keepalive = 5
# A worker is replaced after this many requests, a guard against slow memory growth. Loading the app again
# costs about a second of one core and empties the worker's caches: at 5,000 requests a busy two-core host
# replaced a worker every few seconds, and the hello-world baseline of bench/run.py ran at half its speed.
max_requests = 100_000
max_requests_jitter = 10_000
accesslog = None
errorlog = "-"
loglevel = "warning"


def post_worker_init(worker):
    """Exempt what loading the app allocated from garbage collection.

    A full collection walks every object the process holds; with Flask, SQLAlchemy and the app loaded that
    took about 100 ms and stalled every thread of the worker (the class page's p99 went from 28 to 121 ms).
    Frozen objects are never scanned, so those collections cost almost nothing.
    """
    import gc

    gc.freeze()
