"""The refresh lock: one refresh builds the warehouse at a time.

A file lock (flock, through filelock) on <work_dir>/refresh.lock, held from a run's first step to its end. It dies
with its process, so a run killed with SIGKILL leaves no lock behind. Who holds it (run id, pid, since when) is written
to refresh.lock.holder beside it, so that a refused run can name the run it waited for.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import filelock

LOCK_NAME = "refresh.lock"


class RefreshLockedError(RuntimeError):
    """Another refresh holds the warehouse lock."""


def acquire_refresh_lock(work_dir: Path, run_id: str, timeout_seconds: float) -> filelock.BaseFileLock:
    """Take the refresh lock, waiting up to `timeout_seconds`, or raise RefreshLockedError naming its holder.
    The caller gives it back with release()."""
    work_dir.mkdir(parents=True, exist_ok=True)
    holder_file = work_dir / f"{LOCK_NAME}.holder"
    # Not thread-local: Dagster may set up and tear down a run's resources on different threads. No soft-lock
    # fallback: a lock file left by a killed run must never block the next one.
    lock = filelock.FileLock(work_dir / LOCK_NAME, thread_local=False, fallback_to_soft=False)
    try:
        lock.acquire(timeout=timeout_seconds, poll_interval=0.5)
    except filelock.Timeout:
        holder = holder_file.read_text().strip() if holder_file.exists() else "unknown"
        raise RefreshLockedError(
            f"another refresh ({holder or 'unknown'}) is building the warehouse in {work_dir}; this run waited "
            f"{timeout_seconds:.0f} s and was refused. Nothing was changed. Run it again when that one ends "
            "(REFRESH_LOCK_TIMEOUT sets how long to wait)."
        ) from None
    since = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
    holder_file.write_text(f"run {run_id}, pid {os.getpid()}, since {since}")
    return lock
