"""dbt run inside this process, for a process that refreshes again and again (`make watch`).

dagster-dbt's DbtCliResource starts a dbt process for every invocation, which imports dbt-core and its adapter and
loads the parsed project again before its first node: seconds at every refresh. InProcessDbtResource runs the same
invocation with dbt's programmatic runner (`dbtRunner`), on a project parsed once per process, and hands dbt's
structured events to dagster-dbt exactly as a dbt process prints them (one JSON object a line), so that they become
the same materializations and check results by dagster-dbt's own code. One invocation runs at a time: dbt's runner
keeps global state.
"""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path

import orjson
from dagster._utils import pushd
from dagster_dbt import DagsterDbtTranslator, DbtCliInvocation
from dagster_dbt.asset_utils import (
    DBT_INDIRECT_SELECTION_ENV,
    extract_runtime_selection_from_args,
    get_updated_cli_invocation_params_for_context,
)
from dagster_dbt.dbt_manifest import validate_manifest
from dbt.cli.main import dbtRunner
from dbt_common.events.functions import msg_to_dict

from orchestration.warehouse.dbt import OfflineDbtCliResource, dbt_project, environment
from orchestration.warehouse.settings import DBT_EXECUTABLE

_ONE_AT_A_TIME = threading.Lock()
_EVENTS: list[dict] = []  # the running invocation's events, as dbt's JSON log lines hold them


class FinishedDbt:
    """What DbtCliInvocation reads of a dbt process, for an invocation that has already run in this process: its
    arguments, its exit code, and its standard output of JSON events."""

    def __init__(self, args: list[str], events: list[dict], returncode: int):
        self.args, self.returncode = args, returncode
        self.stdout = io.BytesIO(b"".join(orjson.dumps(event) + b"\n" for event in events))

    def wait(self, timeout: float | None = None) -> int:
        return self.returncode

    def send_signal(self, signum: int) -> None:  # the invocation has ended: nothing to interrupt
        pass


class InProcessDbtResource(OfflineDbtCliResource):
    """DbtCliResource's invocation (the same arguments, selection and environment), run by dbt's programmatic runner
    in this process."""

    @cached_property
    def _runner(self) -> dbtRunner:
        parsed = dbtRunner().invoke(["parse", "--quiet"])  # once: every invocation reuses the parsed project
        if not parsed.success:
            raise RuntimeError(f"dbt could not parse the project: {parsed.exception}")
        return dbtRunner(manifest=parsed.result, callbacks=[lambda message: _EVENTS.append(msg_to_dict(message))])

    def cli(
        self,
        args: Sequence[str],
        *,
        raise_on_error: bool = True,
        manifest=None,
        dagster_dbt_translator: DagsterDbtTranslator | None = None,
        context=None,
        target_path: Path | None = None,
    ) -> DbtCliInvocation:
        cleaned, selects, excludes = extract_runtime_selection_from_args(args)
        params = get_updated_cli_invocation_params_for_context(
            context=context,
            manifest=validate_manifest(manifest) if manifest else {},
            dagster_dbt_translator=dagster_dbt_translator or DagsterDbtTranslator(),
            runtime_selects=selects,
            runtime_excludes=excludes,
        )
        target_path = target_path or self._get_unique_target_path(context=context)
        project_dir = Path(self.project_dir)
        variables = {
            "DAGSTER_DBT_CLI": "true",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DBT_QUIET": "true",  # its lines reach Dagster as events, not as text
            "DBT_TARGET_PATH": os.fspath(target_path),
            "DBT_LOG_PATH": os.fspath(target_path),
            "DBT_PROFILES_DIR": os.fspath(self.profiles_dir or project_dir),
            "DBT_PROJECT_DIR": os.fspath(project_dir),
            **({DBT_INDIRECT_SELECTION_ENV: params.indirect_selection} if params.indirect_selection else {}),
        }
        arguments = [*self.global_config_flags, *cleaned, *params.selection_args]
        with _ONE_AT_A_TIME, pushd(str(project_dir)), environment(variables):
            runner = self._runner
            _EVENTS.clear()
            result = runner.invoke(arguments)
            events = list(_EVENTS)
        return DbtCliInvocation(
            process=FinishedDbt(["dbt", *arguments], events, 0 if result.success else 1),
            manifest=params.manifest,
            dagster_dbt_translator=params.dagster_dbt_translator,
            project_dir=project_dir,
            target_path=target_path if target_path.is_absolute() else project_dir / target_path,
            raise_on_error=raise_on_error,
            context=context,
            adapter=None,
            cli_version=self._cli_version,
            project=params.dbt_project,
        )


def in_process_dbt() -> InProcessDbtResource:
    return InProcessDbtResource(project_dir=dbt_project, dbt_executable=str(DBT_EXECUTABLE))
