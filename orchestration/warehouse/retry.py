"""The retry policy of every step that writes the working file: a file briefly held by another process is worth a
retry; bad input, a failing model, test or check is not, and neither is a fault of the machine (memory, disk,
permissions), which would only fail again, slower."""

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg

TRANSIENT_RETRY = dg.RetryPolicy(max_retries=2, delay=3, backoff=dg.Backoff.EXPONENTIAL)
TRANSIENT_MARKERS = ("Could not set lock on file", "database is locked")


def is_transient(*messages: str) -> bool:
    """Whether an error's text says the file was briefly locked."""
    return any(marker in message for marker in TRANSIENT_MARKERS for message in messages)


@contextmanager
def retried_only_if_transient() -> Iterator[None]:
    """Let a transient error through to TRANSIENT_RETRY; any other becomes a Failure that is not retried, described
    by the error's class and first line (what machine.py reads a fault from; the rest, such as DuckDB's advice on
    tuning, stays with the cause in the log file)."""
    try:
        yield
    except dg.Failure:
        raise
    except Exception as error:
        if is_transient(str(error)):
            raise
        raise dg.Failure(
            description=f"{type(error).__name__}: {str(error).splitlines()[0]}", allow_retries=False
        ) from error
