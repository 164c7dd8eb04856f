"""A minimal FastAPI service, as the Docker Hardened Images migration guides
describe it: served by gunicorn with uvicorn workers on 0.0.0.0:9000, with a
writable /storage volume and a GET /health route for healthprobe."""

import os
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import JSONResponse

STORAGE = Path(os.environ.get("STORAGE_DIR", "/storage"))

app = FastAPI()


@app.get("/health")
def health() -> JSONResponse:
    # Healthy means the service can do its job: here, that its volume is
    # writable. A health route that only returns 200 proves the process is up.
    if not os.access(STORAGE, os.W_OK):
        return JSONResponse({"status": "failing", "reason": "storage not writable"}, status_code=503)
    return JSONResponse({"status": "ok"})
