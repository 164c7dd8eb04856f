# gunicorn settings for the example service. Binding 0.0.0.0 only (no IPv6)
# is the common case healthprobe must handle: `localhost` resolves to ::1
# first in many images, is refused there, and healthprobe moves on to
# 127.0.0.1. BIND overrides it (the tests bind to loopback only).
import os

bind = os.environ.get("BIND", "0.0.0.0:9000")
workers = int(os.environ.get("WORKERS", "2"))
worker_class = "uvicorn.workers.UvicornWorker"
