"""The local servers BI tools and the Spark path connect to (PostgreSQL, Superset, the Spark cluster): one shape for
all three, and the detached processes Superset and the Spark cluster run as, each in a process group of its own, its
pid in a file and its output in a log, and stopped with its whole group."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar, Protocol


class LocalServer(Protocol):
    """A server on loopback that lives in one folder: started when it is not running, stopped with everything it
    started, and described as its users connect to it."""

    name: ClassVar[str]
    folder: Path

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def is_running(self) -> bool: ...

    def describe(self) -> str:
        """Where it listens, how to connect and log in, and how to stop it."""
        ...


def start_detached(
    command: list[str], log_file: Path, pid_file: Path, env: Mapping[str, str], cwd: Path | None = None
) -> subprocess.Popen:
    """Start `command` in a new session (in `cwd`, where it may leave files of its own), appending its output to
    `log_file` and its pid to `pid_file`."""
    with log_file.open("ab") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, env=dict(env), cwd=cwd, start_new_session=True
        )
    pid_file.write_text(str(process.pid))
    return process


def running_pid(pid_file: Path) -> int | None:
    """The pid in `pid_file` if that process still runs."""
    if not pid_file.exists():
        return None
    pid = int(pid_file.read_text())
    return pid if _alive(pid) else None


def stop_detached(pid_file: Path, timeout_seconds: float = 20) -> None:
    """Stop the process group whose leader's pid is in `pid_file`: SIGTERM, then SIGKILL after `timeout_seconds`."""
    if not pid_file.exists():
        return
    pid = int(pid_file.read_text())
    try:
        os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout_seconds
        while _alive(pid):
            if time.monotonic() > deadline:
                os.killpg(pid, signal.SIGKILL)
                break
            time.sleep(0.2)
    except ProcessLookupError:
        pass
    pid_file.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        if os.waitpid(pid, os.WNOHANG)[0] == pid:  # this process's own child, ended: reaped
            return False
    except ChildProcessError:
        pass  # not a child of this process
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
