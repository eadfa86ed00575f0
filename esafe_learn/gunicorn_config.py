"""Production gunicorn settings: `gunicorn -c python:esafe_learn.gunicorn_config "esafe_learn:create_app()"`."""

import os

bind = os.environ.get("ESAFE_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("ESAFE_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("ESAFE_THREADS", "4"))
timeout = 30
graceful_timeout = 20
keepalive = 5
max_requests = 5000
max_requests_jitter = 500
accesslog = None
errorlog = "-"
loglevel = "warning"
