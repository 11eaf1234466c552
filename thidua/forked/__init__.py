"""Run one call in a forked copy of the build process, so it uses the second core.

A fork has every article, setting and cached object of the build already, without pickling
them; only the call's result (and what it would have logged) comes back over a pipe. Used by
the feeds and search plugins to work while the build process renders pages.
"""

import logging
import multiprocessing


def _run_in_child(function, args, log_family: str, connection) -> None:
    collected: list[tuple[int, str]] = []

    class Collect(logging.Handler):
        def emit(self, record):
            collected.append((record.levelno, record.getMessage()))

    if log_family:  # the build process prints them, in order, with its own handlers
        family = logging.getLogger(log_family)
        family.handlers, family.propagate = [Collect()], False
    try:
        connection.send(("done", function(*args), collected))
    except BaseException as error:  # noqa: BLE001 - reported to the build process
        connection.send(("failed", f"{type(error).__name__}: {error}", collected))
    finally:
        connection.close()


class ForkedCall:
    """function(*args) running in a forked process; result() waits for it.

    `what` names it in the build's log ("feeds: the feed process"); `log` is the caller's logger,
    which prints what the child logged and the failure, if any.
    """

    def __init__(self, function, *args, what: str, log: logging.Logger):
        context = multiprocessing.get_context("fork")
        self.what, self.log = what, log
        self.connection, child_end = context.Pipe(duplex=False)
        family = log.name.split(".", 1)[0]
        self.process = context.Process(
            target=_run_in_child, args=(function, args, family, child_end), name=family, daemon=True
        )
        self.process.start()
        child_end.close()

    def result(self, fallback_note: str):
        """Return the call's value; None (with a warning ending in fallback_note) if it failed.

        What the child logged is logged here first, so messages keep their order and handlers.
        """
        try:
            status, value, collected = self.connection.recv()
        except (EOFError, OSError):
            status, value, collected = "failed", f"the process ended with code {self.process.exitcode}", []
        finally:
            self.process.join()
            self.connection.close()
        for level, message in collected:
            self.log.log(level, "%s", message)
        if status == "done":
            return value
        self.log.warning("%s failed (%s); %s", self.what, value, fallback_note)
        return None
