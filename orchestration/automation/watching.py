"""`make watch`: one long-lived process that republishes the warehouse each time a seed file is saved.

It loads what every refresh needs once (the definitions, Great Expectations, dbt's parsed project, the project's run
history), then watches the seed folder with `watchfiles`. Each save runs the refresh `refresh --changed` runs
(orchestration/automation/refreshing.py): the same selection, input contracts, dbt build, checks, lock and
write–audit–publish, recorded in the project's run history like any other run. Saves that follow one another within
QUIET_MS make one refresh, and saves during a refresh make the next one. Each refresh prints one line: what changed, how
long it took, the checks' counts and any conflict it published that was not there before; a refresh that fails says why
in one line, publishes nothing, and the watcher goes on. The whole log of every run is in the log file beside the
published warehouse.

Ctrl-C (or SIGTERM) stops the watcher once the refresh under way has ended, so that no run is left half-recorded; a
second one stops it at once (publication is kill-safe: the published warehouse is the old or the new one, whole).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import watchfiles

from orchestration.automation.instance import project_instance
from orchestration.automation.refreshing import Refreshed, refresh_once, run_logs
from orchestration.warehouse.check_records import counts
from orchestration.warehouse.connections import duckdb_rows

QUIET_MS = 100  # saves closer together than this make one refresh (an editor's save is often several writes)
REASON_LENGTH = 400  # characters of why a refresh failed on its line


def seed_file_filter(change: watchfiles.Change, path: str) -> bool:
    """A seed file: a CSV file, not an editor's lock, swap or backup file beside it."""
    name = Path(path).name
    return name.endswith(".csv") and not name.startswith((".", "~", "#"))


def conflict_sentences(reader_path: Path) -> set[str]:
    """The sentences of the published conflicts (marts.mart_conflict), none when nothing is published yet."""
    if not reader_path.exists():
        return set()
    try:
        return {sentence for (sentence,) in duckdb_rows(reader_path)("select sentence from marts.mart_conflict")}
    except duckdb.CatalogException:  # a warehouse published before the conflicts mart existed has none to compare
        return set()


def summary(done: Refreshed, seconds: float, new_conflicts: set[str]) -> str:
    """The one line a refresh gets on the terminal."""
    what = ", ".join(done.changed) or "the seeds"
    if done.success:
        tally = counts(done.records)
        line = (
            f"{what}: published in {seconds:.1f} s; checks {tally['passed']} passed, {tally['warned']} warned, "
            f"{tally['failed']} failed"
        )
        if new_conflicts:
            line += f"; {len(new_conflicts)} new conflict(s): " + " | ".join(sorted(new_conflicts))
        return line
    reasons = [f"{r.asset} {r.check_name}: {r.description}" for r in done.records if r.outcome == "failed"]
    reasons += done.messages
    reason = (done.fault or (reasons[0] if reasons else "see the log")).strip().splitlines()
    state = "published, then a later step failed" if done.published else "not published"
    said = " ".join(part.strip() for part in reason)
    if len(said) > REASON_LENGTH:  # the whole of it is in the log
        said = said[:REASON_LENGTH] + " …"
    return f"{what}: {state} ({seconds:.1f} s): {said}"


def watch_seeds(stop: threading.Event | None = None, say: Callable[[str], None] | None = None) -> int:
    """Watch the seed folder and refresh on every save until `stop` is set (Ctrl-C and SIGTERM set it)."""
    from orchestration.automation.definitions import code_location

    stop = stop or threading.Event()
    terminal = sys.stdout  # kept: a refresh sends dbt's own lines (which dagster-dbt echoes) to nowhere
    say = say or (lambda line: print(line, file=terminal, flush=True))
    _stop_on_signals(stop, say)
    defs = code_location(dbt_in_process=True)
    warehouse = defs.resources["warehouse"]
    engine, paths = warehouse.engine, warehouse.paths
    # What a refresh would otherwise import on its first save (the input contracts use it).
    import great_expectations  # noqa: F401

    # The runs' own lines go to the log file only: the terminal gets one line per refresh.
    logs = run_logs(paths.log_path, terminal="CRITICAL")
    with project_instance(step_output=False) as instance:

        def refresh() -> None:
            started, before = time.monotonic(), conflict_sentences(engine.reader_path(paths))
            try:
                done = _in_thread(lambda: refresh_once(defs, instance, changed_only=True, logs=logs))
            except Exception as error:  # noqa: BLE001 (outside any run: said, and the next save tries again)
                say(f"{time.strftime('%H:%M:%S')} could not refresh: {type(error).__name__}: {error}")
                return
            for warning in done.warnings:
                say(f"warning: {warning}")
            if done.ran:
                after = conflict_sentences(engine.reader_path(paths)) if done.published else before
                say(f"{time.strftime('%H:%M:%S')} {summary(done, time.monotonic() - started, after - before)}")

        # The first yield comes once the watcher is live (after a second, or at the first save): the refresh then
        # brings the warehouse up to date with what changed while nothing watched, and every later save is seen.
        watching = False
        for changes in watchfiles.watch(
            paths.seeds_dir,
            watch_filter=seed_file_filter,
            step=QUIET_MS,
            rust_timeout=1000,
            yield_on_timeout=True,
            stop_event=stop,
            raise_interrupt=False,
        ):
            if changes or not watching:
                refresh()
            if not watching:
                say(f"Watching {paths.seeds_dir} for saved seed files; Ctrl-C stops. Each run's log: {paths.log_path}")
                watching = True
    say("Stopped watching.")
    return 0


def _in_thread(work: Callable[[], Refreshed]) -> Refreshed:
    """`work` run in a thread of its own, its standard output sent nowhere, the main thread waiting for it: Dagster,
    run on the main thread, takes Ctrl-C over for the length of a run and forgets it afterwards; here the main thread
    keeps it."""

    def quietly() -> Refreshed:
        with open(os.devnull, "w") as nowhere, contextlib.redirect_stdout(nowhere):
            return work()

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="refresh") as pool:
        return pool.submit(quietly).result()


def _stop_on_signals(stop: threading.Event, say: Callable[[str], None]) -> None:
    def handle(signum: int, frame) -> None:
        if stop.is_set():  # a second Ctrl-C: at once
            say("Stopped during a refresh; the published warehouse is the last one published whole.")
            os._exit(130)
        stop.set()
        say("Stopping after the refresh under way, if any (Ctrl-C again stops at once).")

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, handle)
