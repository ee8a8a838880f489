"""How a failed run is read, wherever it is read (the command line, the failed-runs sensor, the tests): what each
failed step said, the errors Dagster kept, whether the warehouse was published before the failure, and the one
sentence for a fault of the machine (orchestration/warehouse/machine.py says what is checked before a run)."""

from __future__ import annotations

import errno
import re
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

import dagster as dg

from orchestration.warehouse import settings
from orchestration.warehouse.machine import FAULT_TAG, MachineFault, disk_filled

PUBLISH_STEP = "published_warehouse"


def step_messages(events: Iterable[dg.DagsterEvent]) -> list[str]:
    """What each failed step of a run said: its own description where it gave one, else its error's message."""
    messages = []
    for event in events:
        if event.is_step_failure:
            data = event.step_failure_data
            if data.user_failure_data and data.user_failure_data.description:
                message = data.user_failure_data.description
            else:
                message = data.error.message.strip() if data.error else "unknown error"
            messages.append(f"step {event.step_key} failed: {message}")
    return messages


def errors(events: Iterable[dg.DagsterEvent]) -> list:
    """The errors of a run's failed steps and resources, as Dagster keeps them."""
    found = []
    for event in events:
        if event.is_step_failure and event.step_failure_data.error:
            found.append(event.step_failure_data.error)
        elif event.is_resource_init_failure and event.event_specific_data.error:
            found.append(event.event_specific_data.error)
    return found


def published(events: Iterable[dg.DagsterEvent]) -> bool:
    """Whether the run published the warehouse (whatever failed after it)."""
    return any(event.is_step_success and event.step_key == PUBLISH_STEP for event in events)


def machine_fault(
    tags: Mapping[str, str], run_errors: Iterable, work_dir: Path, after_publishing: bool = False
) -> str | None:
    """The one sentence for a run that failed on a fault of the machine, or None when it shows none: the sentence
    the run recorded in its tags (a disk it filled), or one read from its errors as Dagster keeps them (cls_name,
    message, cause and context; a fault deep in a chain of wrappers counts). `after_publishing`: whether the run had
    published the warehouse before the fault (a step after publishing, such as the data page, failed)."""
    return tags.get(FAULT_TAG) or _from_errors(run_errors, work_dir, after_publishing)


def _from_errors(run_errors: Iterable, work_dir: Path, after_publishing: bool) -> str | None:
    warehouse = "the warehouse was published before it" if after_publishing else "the published warehouse is unchanged"
    chain = [error for top in run_errors if top is not None for error in _chain(top)]
    for error in chain:
        if error.cls_name == MachineFault.__name__:
            return error.message.split(": ", 1)[-1].strip()
    for error in chain:
        text = error.message
        postgres = _postgres_error(error.cls_name)
        if postgres is not None and postgres.__name__ == "DiskFull":
            return (
                "the PostgreSQL serving database ran out of disk space during the copy; the published warehouse is "
                "not affected, and BI users keep the previous copy. Free space on the database server, then run again."
            )
        if postgres is not None:
            return (
                "the PostgreSQL serving database could not be reached, or closed the connection during the copy "
                f"({text.split(': ', 1)[-1].strip().splitlines()[0]}); the published warehouse is not affected, and "
                "BI users keep the previous copy. Start the server (`make serve` starts the local one); the next "
                "refresh, or `make serve`, copies again."
            )
        if error.cls_name == "OutOfMemoryException" or "Out of Memory Error" in text:
            model = re.search(r"Runtime Error in model (\w+)", text)
            building = f" building the model {model.group(1)}" if model else ""
            return (
                f"DuckDB ran out of memory at its limit of {settings.DUCKDB_MEMORY_LIMIT()} (DUCKDB_MEMORY_LIMIT)"
                f"{building}; {warehouse}. Raise DUCKDB_MEMORY_LIMIT if the machine has the memory, and run again."
            )
        denied = re.search(rf"\[Errno (?:{errno.EACCES}|{errno.EPERM})\] [^:]*: '([^']+)'", text)
        if denied or f"[Errno {errno.EACCES}]" in text or f"[Errno {errno.EPERM}]" in text:
            path = denied.group(1) if denied else text.split(": ", 1)[-1].strip()
            return (
                f"permission denied on {path}; {warehouse}. Give this user access to that path (or set the setting "
                "that places it elsewhere), and run again."
            )
        if f"[Errno {errno.EXDEV}]" in text:
            return (
                f"a rename crossed filesystems; {warehouse}. Set WORK_DIR to a folder on the warehouse's filesystem, "
                "or leave it empty."
            )
        if f"[Errno {errno.ENOSPC}]" in text or "No space left" in text:
            return disk_filled(work_dir, after_publishing)
    return None


def _postgres_error(cls_name: str) -> type | None:
    """psycopg's class of that name when it is an operational error (a server gone, refused, out of disk)."""
    import psycopg  # the serving copy's client; only its error classes are needed here

    found = getattr(psycopg, cls_name, None) or getattr(psycopg.errors, cls_name, None)
    return found if isinstance(found, type) and issubclass(found, psycopg.OperationalError) else None


def _chain(error) -> Iterator:
    """An error and every error it was raised from or while handling."""
    yield error
    for linked in (getattr(error, "cause", None), getattr(error, "context", None)):
        if linked is not None:
            yield from _chain(linked)
