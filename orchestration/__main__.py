"""Command line for the warehouse.

`refresh` loads, checks, transforms and publishes it (`make run`); `rollback` publishes the previous version again
(`make rollback`); `site` writes the data page from the published warehouse (`make site`); `serve` and `serve-stop`
run the local PostgreSQL copy for BI tools; `superset` and `superset-stop` run Superset with the starter dashboard;
`export` writes the marts as Parquet and CSV; `propose` writes the figures found in a report's text for review,
and `accept` adds the rows kept to the seeds; `dev-warehouse` loads the seed files into dbt's development file
(`make dbt-dev`); `settings` prints every setting with its current value. Every Dagster run is recorded in the
project's instance (DAGSTER_HOME), the one `make dev` shows.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import dagster as dg
import filelock

from orchestration.automation import failures


def project_instance() -> dg.DagsterInstance:
    """The project's Dagster instance (DAGSTER_HOME, `.dagster_home` by default), the one `make dev` shows: every run
    started here is recorded there with its logs, materializations and check results. Its SQLite storage takes
    several processes at once (`make dev`'s webserver and daemon, and this command)."""
    from orchestration.warehouse import settings

    home = settings.dagster_home()
    home.mkdir(parents=True, exist_ok=True)
    if not (home / "dagster.yaml").exists():  # a new instance folder starts with the project's settings
        shutil.copyfile(settings.REPO_ROOT / ".dagster_home" / "dagster.yaml", home / "dagster.yaml")
    # Opening an instance creates its SQLite tables when they are missing, and two commands opening a new folder at
    # once would both create them (one failing with "table snapshots already exists"): they open it one at a time.
    with filelock.FileLock(home / ".open.lock"):
        return dg.DagsterInstance.from_config(str(home))


def run_logs(log_file: Path, verbose: bool = False) -> dict:
    """The run's log at INFO (each step's start, end and own lines, not every engine event) on the terminal, errors
    in one line unless `verbose`; everything, in full, in `log_file` (orchestration/warehouse/logs.py)."""
    config = {"log_level": "INFO", "verbose": verbose, "log_file": str(log_file)}
    return {"loggers": {"console": {"config": config}}}


def machine_fault(instance: dg.DagsterInstance, result: dg.ExecuteInProcessResult) -> str | None:
    """The one sentence for a run that failed on a fault of the machine (orchestration/automation/failures.py)."""
    from orchestration.warehouse.paths import Paths

    tags = instance.get_run_by_id(result.run_id).tags
    run_errors, after_publishing = failures.errors(result.all_events), failures.published(result.all_events)
    return failures.machine_fault(tags, run_errors, Paths.from_settings().work_dir, after_publishing)


def print_machine_fault(fault: str | None) -> None:
    if fault:  # last, where an operator looks first
        print(f"\nMachine fault: {fault}", file=sys.stderr)


def step_timings(instance: dg.DagsterInstance, run_id: str) -> dict[str, float]:
    """Seconds per step of a run, and the whole run under "run"."""
    timings = {
        stats.step_key: stats.end_time - stats.start_time
        for stats in instance.get_run_step_stats(run_id)
        if stats.end_time and stats.start_time
    }
    run = instance.get_run_stats(run_id)
    timings["run"] = run.end_time - run.start_time
    return timings


def refresh(changed_only: bool = False, timings_path: Path | None = None, verbose: bool = False) -> int:
    from orchestration.automation.changes import seed_changes
    from orchestration.definitions import defs
    from orchestration.publish.publishing import published_checksums
    from orchestration.warehouse import quality_report as report

    warehouse = defs.resources["warehouse"]
    engine, paths = warehouse.engine, warehouse.paths
    job, tags = defs.resolve_job_def("refresh_warehouse"), {}
    if changed_only:
        changes = seed_changes(paths.seeds_dir, published_checksums(paths, engine))
        for message in changes.warnings():
            print(f"warning: {message}", file=sys.stderr)
        if not changes.roots and engine.publication(paths).exists():
            print("No seed file changed since the last publication; nothing was rebuilt.")
            return 0
        if changes.roots and engine.rebuilds_everything:
            print(f"Changed: {', '.join(changes.changed)}; rebuilding the whole warehouse on {engine.name}.")
        elif changes.roots:
            graph = defs.resolve_asset_graph()
            selection = changes.downstream(graph)
            job = defs.resolve_implicit_global_asset_job_def().get_subset(
                asset_selection=set(selection), asset_check_selection=set(changes.checks(graph))
            )
            tags = {"warehouse/changed_files": ",".join(changes.changed)}
            print(f"Changed: {', '.join(changes.changed)}; rebuilding {len(selection)} assets downstream of them.")
    with project_instance() as instance:
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            tags=tags,
            run_config=run_logs(paths.log_path, verbose),
        )
        records = report.run_check_records(instance, result.run_id)
        timings = step_timings(instance, result.run_id)
        fault = None if result.success else machine_fault(instance, result)
    slowest = sorted(((s, k) for k, s in timings.items() if k != "run"), reverse=True)[:3]
    print(f"\nRun took {timings['run']:.1f} s; slowest steps: " + ", ".join(f"{k} {s:.1f} s" for s, k in slowest))
    if timings_path:
        timings_path.write_text(json.dumps(timings, indent=1))
    if result.success:
        tally = report.counts(records)
        print(f"\nPublished {engine.publication(paths)}")
        print(f"Checks: {tally['passed']} passed, {tally['warned']} warned, {tally['failed']} failed.")
        for record in records:
            if record.outcome == "warned":
                print(
                    f"  warning, {record.asset} {record.check_name}:\n    " + record.description.replace("\n", "\n    ")
                )
        print(f"Quality report: {paths.report_path}")
        if (paths.site_dir / "index.html").exists():
            print(f"Data page: {paths.site_dir / 'index.html'}")
        return 0

    if failures.published(result.all_events):
        print(f"\nThe warehouse was published ({engine.publication(paths)}); a step after it failed.", file=sys.stderr)
    else:
        print("\nThe refresh failed; the published warehouse is unchanged.", file=sys.stderr)
    for record in records:
        if record.outcome == "failed":
            print(
                f"  {record.asset} {record.check_name}:\n    " + record.description.replace("\n", "\n    "),
                file=sys.stderr,
            )
    for message in failures.step_messages(result.all_events):
        print(f"  {message}", file=sys.stderr)
    print(f"Quality report: {paths.report_path}", file=sys.stderr)
    print(f"The whole log, tracebacks included: {paths.log_path}", file=sys.stderr)
    print_machine_fault(fault)
    return 1


def rollback(verbose: bool = False) -> int:
    """Run the rollback job: the previous version published again, and the data page rewritten for it."""
    from orchestration.definitions import defs

    warehouse = defs.resources["warehouse"]
    engine, paths = warehouse.engine, warehouse.paths
    with project_instance() as instance:
        result = defs.resolve_job_def("rollback_warehouse").execute_in_process(
            instance=instance, raise_on_error=False, run_config=run_logs(paths.log_path, verbose)
        )
        fault = None if result.success else machine_fault(instance, result)
    if not result.success:
        print("\n".join(failures.step_messages(result.all_events)), file=sys.stderr)
        print_machine_fault(fault)
        return 1
    print(f"Published the previous version again as {engine.publication(paths)}.")
    print(f"Data page: {paths.site_dir / 'index.html'}")
    return 0


def published_warehouse() -> Path | None:
    """The published warehouse (WAREHOUSE_PATH), or None after saying that `make run` must build it first."""
    from orchestration.warehouse import settings

    published = settings.warehouse_path()
    if not published.exists():
        print(f"No published warehouse at {published}: run `make run` first.", file=sys.stderr)
        return None
    return published


def site() -> int:
    """Write the data page from the published warehouse."""
    from orchestration.serving.site import build_site
    from orchestration.warehouse.paths import Paths

    paths = Paths.from_settings()
    published = published_warehouse()
    if published is None:
        return 1
    page = build_site(published, paths.site_dir, paths.report_path)
    print(f"Data page: {page} (open it in a browser; it needs no server and no network)")
    return 0


def serve() -> int:
    """Start the local PostgreSQL, copy the published marts into it, print how to connect."""
    from orchestration import engines
    from orchestration.definitions import build_definitions
    from orchestration.serving.assets import ServingDatabaseResource
    from orchestration.serving.local_postgres import LOADER_ROLE, READER_ROLE

    if published_warehouse() is None:
        return 1
    server = local_postgres()
    server.start()
    # The copy is a run of the copy job, so that it is recorded in the project's instance like every other.
    serving_database = ServingDatabaseResource(url=server.url(LOADER_ROLE), reader_role=READER_ROLE)
    warehouse = engines.warehouse()
    job = build_definitions(warehouse, serving_database=serving_database).resolve_job_def("copy_to_serving_database")
    with project_instance() as instance:
        logs = run_logs(warehouse.paths.log_path)
        result = job.execute_in_process(instance=instance, raise_on_error=False, run_config=logs)
        fault = None if result.success else machine_fault(instance, result)
    if not result.success:
        print("\n".join(failures.step_messages(result.all_events)), file=sys.stderr)
        print_machine_fault(fault)
        return 1
    [materialization] = result.asset_materializations_for_node("postgres_serving_copy")
    copied = materialization.metadata["rows_per_table"].value
    password = server.credentials()[READER_ROLE]
    print(f"Copied {len(copied)} marts ({sum(copied.values())} rows) to PostgreSQL on 127.0.0.1:{server.port}.")
    print(
        f"""
Connect a BI tool (read-only):
  host      127.0.0.1
  port      {server.port}
  database  warehouse
  schema    marts
  user      {READER_ROLE}
  password  {password}   (kept in {server.credentials_file})
  URL       {server.url(READER_ROLE)}

  psql "{server.url(READER_ROLE)}" -c '\\dt marts.*'

To refresh this copy with every Dagster run, start Dagster with
  SERVING_DATABASE_URL='{server.url(LOADER_ROLE)}'
Stop the server with `make serve-stop`."""
    )
    return 0


def stop_local(server, what: str) -> int:
    """Stop a local server this command line started (PostgreSQL, Superset, the Spark cluster) and say so."""
    server.stop()
    print(f"{what} in {server.folder} stopped.")
    return 0


def serve_stop() -> int:
    return stop_local(local_postgres(), "PostgreSQL")


def superset() -> int:
    """Start Superset on loopback with the starter dashboard over the published warehouse (and the PostgreSQL copy
    when `make serve` runs); print where and how to log in."""
    from orchestration.serving.local_postgres import READER_ROLE

    published = published_warehouse()
    if published is None:
        return 1
    server, postgres = local_superset(), local_postgres()
    postgres_url = postgres.url(READER_ROLE) if postgres.is_running() else None
    try:
        server.start(published, postgres_url)
    except RuntimeError as error:
        print(error, file=sys.stderr)
        return 1
    databases = "the published DuckDB file (read-only)" + (
        " and the PostgreSQL copy (bi_reader)"
        if postgres_url
        else "; run `make serve` then `make superset` to add the PostgreSQL copy"
    )
    print(
        f"""Superset is running on {server.url} over {databases}.
  user      admin
  password  {server.credentials()["ADMIN_PASSWORD"]}   (kept in {server.credentials_file})
  dashboard {server.url}/superset/dashboard/ai-computing-starter/
  log       {server.log_file}
Stop it with `make superset-stop`."""
    )
    return 0


def superset_stop() -> int:
    return stop_local(local_superset(), "Superset")


def local_superset():
    from orchestration.serving.superset import Superset
    from orchestration.warehouse import settings

    return Superset(settings.warehouse_path().parent / "superset", port=settings.superset_port())


def local_postgres():
    from orchestration.serving.local_postgres import LocalPostgres
    from orchestration.warehouse import settings

    return LocalPostgres(settings.warehouse_path().parent / "postgres", port=settings.serving_port())


def spark_cluster() -> int:
    """Start the local Spark cluster (master, worker, Spark Connect and Thrift servers) and print how to use it."""
    cluster = local_spark_cluster()
    cluster.start()
    print(
        f"""Spark cluster running on loopback in {cluster.folder}:
  master         {cluster.master_url}
  Spark Connect  {cluster.remote_url}
  Thrift (JDBC)  {cluster.jdbc_url}   the published tables of {cluster.spark_dir}, for BI tools
  tables under   {cluster.warehouse_dir}

Refresh the warehouse on it, publishing where the Thrift server reads:
  WAREHOUSE_ENGINE=spark SPARK_REMOTE={cluster.remote_url} make run
Query the published marts as a BI tool does:
  {cluster.beeline} -u {cluster.jdbc_url} -e 'show tables'

Build the dbt project on it (the seed files loaded as Parquet under SPARK_RAW_DIR, docs/spark.md):
  cd dbt_project && SPARK_REMOTE={cluster.remote_url} SPARK_RAW_DIR=... ../.venv/bin/dbt build --target spark_connect
Stop it with `make spark-cluster-stop`."""
    )
    return 0


def spark_cluster_stop() -> int:
    return stop_local(local_spark_cluster(), "Spark cluster")


def local_spark_cluster():
    from orchestration.engines.spark import publications_dir
    from orchestration.serving.spark_cluster import LocalSparkCluster
    from orchestration.warehouse import settings
    from orchestration.warehouse.paths import Paths

    return LocalSparkCluster(
        settings.warehouse_path().parent / "spark-cluster",
        spark_dir=publications_dir(Paths.from_settings()),
        master_port=settings.spark_master_port(),
        connect_port=settings.spark_connect_port(),
        thrift_port=settings.spark_thrift_port(),
    )


def export() -> int:
    """Write every mart as Parquet and CSV into data/exports/."""
    from orchestration.serving.exports import export_marts
    from orchestration.warehouse import settings

    written = export_marts(settings.warehouse_path(), settings.warehouse_path().parent / "exports")
    for path in written:
        print(path)
    return 0


def dev_warehouse() -> int:
    """Load every seed file, with the same loader and contracts as a refresh, into dbt's development file, so that
    `dbt build`, `dbt compile` and sqlfluff work in dbt_project/ without Dagster and never touch the published file."""
    from orchestration.ingest.validation import check_seed_folder
    from orchestration.warehouse import settings
    from orchestration.warehouse.connections import connect_duckdb

    path = settings.DBT_DEV_WAREHOUSE
    path.parent.mkdir(parents=True, exist_ok=True)
    with connect_duckdb(path) as connection:
        loaded, errors = check_seed_folder(connection, settings.seeds_dir())
    for name, rows in loaded.items():
        print(f"raw.{name}: {rows} rows from {name}.csv")
    if errors:
        print("\n".join(errors), file=sys.stderr)
        return 1
    print(f"\ndbt's development file is ready: {path}\nNow, in dbt_project/: dbt build, dbt compile, or sqlfluff lint.")
    return 0


def propose(report: Path, source_id: str, folder: Path) -> int:
    """Figures found in a report's plain text, written to <folder>/<source_id>.csv for review."""
    from orchestration.proposals.catalogs import read_catalogs, source_published_on
    from orchestration.proposals.extraction import propose as propose_figures
    from orchestration.proposals.writing import write_proposals
    from orchestration.warehouse import settings

    if not report.is_file():
        print(f"no report {report}: give the path of a plain-text file", file=sys.stderr)
        return 2
    seeds = settings.seeds_dir()
    published_on = source_published_on(seeds, source_id)
    if published_on is None:
        print(
            f"source {source_id!r} is not in {seeds / 'sources.csv'}: add the report there first (its published_on "
            "tells a forecast from an outcome)",
            file=sys.stderr,
        )
        return 2
    proposals = propose_figures(report.read_text(encoding="utf-8"), read_catalogs(seeds), published_on)
    path = write_proposals(proposals, source_id, folder / f"{source_id}.csv")
    to_review = sum(1 for proposal in proposals if proposal.review)
    print(f"{len(proposals)} proposals in {path}, {to_review} with something to review (column `review`).")
    print(
        "Review each row: correct what is wrong, settle what `review` says, and write true in column keep for each "
        f"row to keep. Then `make accept PROPOSALS={path}` adds them to the seeds, and `make run` checks them "
        "against every related figure."
    )
    return 0


def accept(proposals: Path) -> int:
    """The kept rows of a reviewed proposals file added to the seeds, once every input contract holds with them."""
    from orchestration.proposals.accepting import OBSERVATIONS, QUOTES, ProposalsError
    from orchestration.proposals.accepting import accept as accept_rows
    from orchestration.warehouse import settings

    seeds = settings.seeds_dir()
    try:
        accepted = accept_rows(proposals, seeds)
    except ProposalsError as error:
        print(error, file=sys.stderr)
        return 1
    lines = accepted.seed_lines
    print(
        f"Accepted {len(lines)} figure(s) of {proposals} into {seeds / OBSERVATIONS} (lines {lines[0]} to "
        f"{lines[-1]}), {accepted.quotes} with their quote in {seeds / QUOTES}."
    )
    print(
        "Now `make run` publishes them and checks them against every related figure: the quality report lists them "
        'under "New or changed figures", with what each agrees or conflicts with.'
    )
    return 0


def print_settings() -> int:
    from orchestration.warehouse.settings import SETTINGS

    print(f"{'variable':<24} {'value':<26} {'default':<24} what")
    for setting in SETTINGS:
        print(f"{setting.variable:<24} {setting.shown() or '-':<26} {setting.default or '-':<24} {setting.description}")
    print("\nRelative paths resolve from the repository root.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    refresh_command = commands.add_parser("refresh", help="load, check, transform and publish the warehouse")
    refresh_command.add_argument("--timings", type=Path, help="write the seconds each step took to this JSON file")
    refresh_command.add_argument(
        "--verbose", action="store_true", help="print errors with their tracebacks (they are always in the log file)"
    )
    refresh_command.add_argument(
        "--changed",
        action="store_true",
        help="rebuild only what depends on seed files changed since the last publication (nothing if none)",
    )
    rollback_command = commands.add_parser("rollback", help="publish the previous version of the warehouse again")
    rollback_command.add_argument("--verbose", action="store_true", help="print errors with their tracebacks")
    commands.add_parser("site", help="write the data page (charts, findings) from the published warehouse")
    commands.add_parser("serve", help="start a local PostgreSQL with a copy of the marts for BI tools")
    commands.add_parser("serve-stop", help="stop that PostgreSQL")
    commands.add_parser("superset", help="start Superset on loopback with the starter dashboard")
    commands.add_parser("superset-stop", help="stop that Superset")
    commands.add_parser("export", help="write every mart as Parquet and CSV into data/exports/")
    commands.add_parser(
        "spark-cluster", help="start a local Spark cluster with Spark Connect and Thrift servers, on loopback"
    )
    commands.add_parser("spark-cluster-stop", help="stop that Spark cluster")
    commands.add_parser("dev-warehouse", help="load the seed files into dbt's development file (dbt without Dagster)")
    commands.add_parser("settings", help="print every setting (environment variable) with its current value")
    propose_command = commands.add_parser("propose", help="figures found in a report's text, for review")
    propose_command.add_argument("report", type=Path, help="the report as plain text (UTF-8)")
    propose_command.add_argument("--source-id", required=True, help="the report's source_id in seeds/sources.csv")
    propose_command.add_argument(
        "--out", type=Path, default=Path("proposals"), help="the folder of the proposals file (default: proposals/)"
    )
    accept_command = commands.add_parser("accept", help="add the kept rows of a reviewed proposals file to the seeds")
    accept_command.add_argument("proposals", type=Path, help="the proposals file, with true in column keep to keep")
    args = parser.parse_args(argv)
    from orchestration import engines

    try:
        engines.chosen()  # read by everything the commands import: a wrong value is said once, plainly
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    if args.command == "refresh":
        return refresh(changed_only=args.changed, timings_path=args.timings, verbose=args.verbose)
    if args.command == "rollback":
        return rollback(verbose=args.verbose)
    if args.command == "propose":
        return propose(args.report, args.source_id, args.out)
    if args.command == "accept":
        return accept(args.proposals)
    commands = {
        "site": site,
        "serve": serve,
        "serve-stop": serve_stop,
        "superset": superset,
        "superset-stop": superset_stop,
        "export": export,
        "spark-cluster": spark_cluster,
        "spark-cluster-stop": spark_cluster_stop,
        "dev-warehouse": dev_warehouse,
        "settings": print_settings,
    }
    return commands[args.command]()


if __name__ == "__main__":
    sys.exit(main())
