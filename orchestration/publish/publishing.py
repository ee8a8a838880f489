"""What publishing is on every engine (each engine's own steps are under orchestration/engines/): the publish log's
entry for a publication or a rollback, the audit tables a publication carries (audit.publish_log, audit.failed_runs,
audit.check_results), the recorded history rebuilt by dbt for a rollback, and which seed files the latest
publication was built from.
"""

from __future__ import annotations

import json
import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

from orchestration.publish import history
from orchestration.warehouse import settings
from orchestration.warehouse.check_records import CheckRecord, counts
from orchestration.warehouse.dbt import REFRESH_BUILD_ARGS
from orchestration.warehouse.engine import Engine
from orchestration.warehouse.files import csv_checksums, read_jsonl
from orchestration.warehouse.paths import Paths


def audit_rows(paths: Paths, run_id: str, entry: dict, records: list[CheckRecord]) -> dict:
    """The rows of the audit tables publishing writes (audit.py), with this run's entry in the publish log."""
    return {
        "publish_log": [publish_log_row(e) for e in [*read_jsonl(paths.publish_log_path), entry]],
        "failed_runs": [
            [f["failed_at"], f["run_id"], f["job"], f["failing_steps"], f["error"], f.get("machine_fault")]
            for f in read_jsonl(paths.failed_runs_log_path)
        ],
        "check_results": [[run_id, r.asset, r.check_name, r.outcome, r.description] for r in records],
    }


def rebuild_history(variables: dict[str, str], target_args: list[str], target_path: Path) -> None:
    """dbt builds the history model alone, where `variables` say (the engine's environment for dbt)."""
    completed = subprocess.run(
        [
            str(settings.DBT_EXECUTABLE),
            "build",
            "--select",
            history.HISTORY_TABLE,
            *REFRESH_BUILD_ARGS[1:],
            *target_args,
            "--profiles-dir",
            ".",
            "--target-path",
            str(target_path),
        ],
        cwd=settings.DBT_PROJECT_DIR,
        env={**os.environ, **variables},
        capture_output=True,
        text=True,
        check=False,
    )
    if completed.returncode != 0:
        raise RuntimeError(
            f"the rollback could not rebuild the recorded history; nothing was published:\n{completed.stdout[-3000:]}"
        )


def published_checksums(paths: Paths, engine: Engine) -> dict[str, str]:
    """The seed checksums of the latest publication on `engine`: what it was built from."""
    publications = [
        entry
        for entry in read_jsonl(paths.publish_log_path)
        if entry["action"] == "publish" and engine_of(entry) == engine.name
    ]
    return publications[-1]["seed_checksums"] if publications else {}


def publish_log_entry(
    run_id: str, action: str, seeds_dir: Path | None, records: list[CheckRecord], engine: str
) -> dict:
    tally = counts(records)
    return {
        "run_id": run_id,
        "action": action,
        "engine": engine,
        "published_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "code_version": code_version(),
        "seed_checksums": csv_checksums(seeds_dir) if seeds_dir is not None else {},
        "checks_passed": tally["passed"],
        "checks_warned": tally["warned"],
        "checks_failed": tally["failed"],
    }


def engine_of(entry: dict) -> str:
    """The engine a publish log entry was published on; entries written before there were two engines have none,
    and are DuckDB's."""
    return entry.get("engine", "duckdb")


def publish_log_row(entry: dict) -> list:
    return [
        entry["run_id"],
        entry["action"],
        entry["published_at"],
        entry["code_version"],
        json.dumps(entry["seed_checksums"]),
        entry["checks_passed"],
        entry["checks_warned"],
        entry["checks_failed"],
        engine_of(entry),
    ]


def code_version() -> str:
    """The git revision of the code (with +dirty for uncommitted changes), or 'unknown' outside a checkout."""

    def git(*args: str) -> str:
        command = ["git", *args]
        return subprocess.run(
            command, cwd=settings.REPO_ROOT, capture_output=True, text=True, check=True, timeout=10
        ).stdout.strip()

    try:
        revision = git("rev-parse", "--short=12", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return revision + ("+dirty" if dirty else "")
