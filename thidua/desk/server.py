"""Run the desk with uvicorn: on its own (`invoke desk`, a team server) or beside the preview (`make serve`)."""

import logging
import threading
from pathlib import Path

import uvicorn

from .app import create_app

HOST = "127.0.0.1"  # the office network reaches it only through a TLS proxy (docs/deployment.md)
PORT = 8001


def make_server(root: Path, host: str = HOST, port: int = PORT, secure: bool = False) -> uvicorn.Server:
    """Return a uvicorn server for the desk of a project (secure: cookies only over TLS)."""
    # The desk's own security events (refused logins) go to stderr, the service's journal.
    logging.getLogger("thidua.desk").setLevel(logging.INFO)
    if not logging.getLogger("thidua.desk").handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        logging.getLogger("thidua.desk").addHandler(handler)
    config = uvicorn.Config(
        create_app(root, secure_cookies=secure), host=host, port=port, log_level="warning", access_log=False
    )
    return uvicorn.Server(config)


def start_in_thread(root: Path, host: str = HOST, port: int = PORT) -> threading.Thread:
    """Serve the desk from a daemon thread (the preview's live reload keeps the main thread).

    uvicorn installs signal handlers only in the main thread, so Ctrl+C still stops `make serve`,
    and the thread ends with the process.
    """
    thread = threading.Thread(target=make_server(root, host, port).run, name="desk", daemon=True)
    thread.start()
    return thread
