"""The retry policy of every step that writes the working file: a file briefly held by another process is worth a
retry; bad input, a failing model, test or check is not."""

import dagster as dg

TRANSIENT_RETRY = dg.RetryPolicy(max_retries=2, delay=3, backoff=dg.Backoff.EXPONENTIAL)
TRANSIENT_MARKERS = ("Could not set lock on file", "database is locked")


def is_transient(*messages: str) -> bool:
    """Whether an error's text says the file was briefly locked."""
    return any(marker in message for marker in TRANSIENT_MARKERS for message in messages)
