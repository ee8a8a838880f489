"""Apache Superset on loopback, over the published warehouse and its PostgreSQL copy: `make superset` and
`make superset-stop`.

Superset cannot share the project's virtual environment (it needs SQLAlchemy < 2 and an older pandas), so it is
installed into .venv-superset from bi/superset/requirements.lock, and this module drives it from outside through its
command line. Its state lives in one folder beside the warehouse (data/superset): the metadata database, the log, the
process id, and credentials.env with the generated secret key and admin password (data/ is never committed).

Set-up imports the starter dashboard exported in bi/superset/dashboard/ once per database: over the published DuckDB
file, opened read-only with the locked-down configuration of `orchestration.serving.connect`, and, when `make serve`
runs, over the PostgreSQL copy as its read-only BI role. The export names the DuckDB database; the PostgreSQL copy of
the dashboard is the same export with its own database, names and identifiers.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import yaml

from orchestration.serving import LOCKED_DOWN_CONFIG
from orchestration.serving.processes import start_detached, stop_detached
from orchestration.warehouse.files import generate_secrets, read_secrets
from orchestration.warehouse.settings import REPO_ROOT

BUNDLE_DIR = REPO_ROOT / "bi" / "superset"
VENV = REPO_ROOT / ".venv-superset"
ADMIN = "admin"
POSTGRES_SUFFIX = " (PostgreSQL copy)"


@dataclass(frozen=True)
class Superset:
    name: ClassVar[str] = "Superset"
    folder: Path
    port: int = 8088
    warehouse: Path | None = None  # the published DuckDB file the dashboards read
    postgres_url: str | None = None  # the PostgreSQL copy's, as its read-only role, when it runs

    @property
    def credentials_file(self) -> Path:
        return self.folder / "credentials.env"

    @property
    def pid_file(self) -> Path:
        return self.folder / "superset.pid"

    @property
    def log_file(self) -> Path:
        return self.folder / "superset.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def credentials(self) -> dict[str, str]:
        return read_secrets(self.credentials_file)

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        """Install on first use, set up the metadata database and the admin, import the dashboards, and serve."""
        if self.warehouse is None:
            raise ValueError("Superset is started over a published warehouse: Superset(folder, warehouse=...)")
        install()
        self.folder.mkdir(parents=True, exist_ok=True)
        generate_secrets(self.credentials_file, ["SECRET_KEY", "ADMIN_PASSWORD"])
        self.stop()  # a restart picks up a moved warehouse or a started PostgreSQL copy
        print(f"Setting up Superset in {self.folder} and importing the dashboards...", file=sys.stderr, flush=True)
        self._superset("db", "upgrade")
        if not (self.folder / "initialised").exists():
            password = self.credentials()["ADMIN_PASSWORD"]
            self._superset(
                "fab", "create-admin", "--username", ADMIN, "--firstname", "Warehouse", "--lastname", "Admin",
                "--email", "admin@localhost", "--password", password,
            )  # fmt: skip
            self._superset("init")
            (self.folder / "initialised").touch()
        bundle = self.folder / "dashboards.zip"
        write_bundle(bundle, self.warehouse, self.postgres_url)
        self._superset("import-dashboards", "--path", str(bundle), "--username", ADMIN)
        self._serve()

    def stop(self) -> None:
        stop_detached(self.pid_file)

    def is_running(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/health", timeout=2) as response:
                return response.status == 200
        except OSError:
            return False

    def describe(self) -> str:
        databases = "the published DuckDB file (read-only)" + (
            " and the PostgreSQL copy (bi_reader)"
            if self.postgres_url
            else "; run `make serve` then `make superset` to add the PostgreSQL copy"
        )
        return f"""Superset is running on {self.url} over {databases}.
  user      {ADMIN}
  password  {self.credentials()["ADMIN_PASSWORD"]}   (kept in {self.credentials_file})
  dashboard {self.url}/superset/dashboard/ai-computing-starter/
  log       {self.log_file}
Stop it with `make superset-stop`."""

    # ------------------------------------------------------------------ processes

    def _environment(self) -> dict[str, str]:
        return {
            **os.environ,
            "SUPERSET_HOME": str(self.folder),
            "SUPERSET_CONFIG_PATH": str(BUNDLE_DIR / "superset_config.py"),
            "SUPERSET_SECRET_KEY": self.credentials()["SECRET_KEY"],
            "FLASK_APP": "superset",
        }

    def _superset(self, *args: str) -> None:
        completed = subprocess.run(
            [str(VENV / "bin" / "superset"), *args], env=self._environment(), capture_output=True, text=True
        )
        if completed.returncode != 0:
            raise RuntimeError(
                f"`superset {' '.join(args[:2])}` failed:\n{(completed.stdout + completed.stderr)[-3000:]}"
            )

    def _serve(self) -> None:
        """gunicorn (a Superset dependency) on loopback, detached in its own process group, logging to the folder."""
        command = [
            str(VENV / "bin" / "gunicorn"),
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            "1",
            "--threads",
            "8",
            "--worker-class",
            "gthread",
            "--timeout",
            "120",
            "superset.app:create_app()",
        ]  # fmt: skip
        process = start_detached(command, self.log_file, self.pid_file, self._environment())
        deadline = time.monotonic() + 180
        while not self.is_running():
            if process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    f"Superset did not start; its log: {self.log_file}\n{self.log_file.read_text()[-3000:]}"
                )
            time.sleep(1)


def install() -> None:
    """Create .venv-superset from the lock file, once (again when the lock file changes)."""
    lock = BUNDLE_DIR / "requirements.lock"
    stamp = VENV / ".installed"
    if stamp.exists() and stamp.stat().st_mtime >= lock.stat().st_mtime:
        return
    print(f"Installing Apache Superset into {VENV} (about a minute, once)...", file=sys.stderr, flush=True)
    shutil.rmtree(VENV, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)
    pip = [str(VENV / "bin" / "pip"), "install", "-qq", "--disable-pip-version-check"]
    subprocess.run([*pip, "--upgrade", "pip"], check=True)
    subprocess.run([*pip, "-r", str(lock)], check=True)
    stamp.touch()


def write_bundle(path: Path, warehouse: Path, postgres_url: str | None) -> None:
    """The exported dashboard as an import bundle: over the DuckDB file, and again over PostgreSQL when given."""
    exported = {
        file.relative_to(BUNDLE_DIR / "dashboard").as_posix(): file.read_text()
        for file in sorted((BUNDLE_DIR / "dashboard").rglob("*.yaml"))
    }
    files = dict(exported)
    [duckdb_name] = [name for name in files if name.startswith("databases/")]
    database = yaml.safe_load(files[duckdb_name])
    database["sqlalchemy_uri"] = f"duckdb:///{warehouse}"
    database["extra"] = {"engine_params": {"connect_args": {"read_only": True, "config": dict(LOCKED_DOWN_CONFIG)}}}
    files[duckdb_name] = yaml.safe_dump(database, sort_keys=False)
    if postgres_url:
        files.update(_postgres_copy(exported, postgres_url))
    with zipfile.ZipFile(path, "w") as bundle:
        for name, text in files.items():
            bundle.writestr(f"bundle/{name}", text)


def _postgres_copy(exported: dict[str, str], postgres_url: str) -> dict[str, str]:
    """The same dashboard over the PostgreSQL copy: every identifier replaced by one derived from it, every name
    suffixed, and the database pointed at the copy (psycopg2, Superset's PostgreSQL driver)."""
    identifiers = {value for text in exported.values() for value in _uuids(yaml.safe_load(text))}
    copied = {}
    for name, text in exported.items():
        if name == "metadata.yaml":
            continue
        for old in identifiers:
            text = text.replace(old, str(uuid.uuid5(uuid.NAMESPACE_URL, f"postgres/{old}")))
        content = yaml.safe_load(text)
        folder, _, file_name = name.rpartition("/")
        if folder == "databases":
            content["database_name"] += POSTGRES_SUFFIX
            content["sqlalchemy_uri"] = postgres_url.replace("postgresql://", "postgresql+psycopg2://", 1)
            content["extra"] = {}
        elif folder.startswith("datasets/"):
            # Superset's SQLite metadata allows one physical dataset per table name across databases: the copy's are
            # virtual datasets over the same tables.
            content["sql"] = f"select * from {content['schema']}.{content['table_name']}"
            content["table_name"] += POSTGRES_SUFFIX
        elif folder == "dashboards":
            content["dashboard_title"] += POSTGRES_SUFFIX
            content["slug"] += "-postgres"
        copied[f"{folder}/postgres_{file_name}"] = yaml.safe_dump(content, sort_keys=False)
    return copied


def _uuids(content) -> set[str]:
    if isinstance(content, dict):
        found = {value for key, value in content.items() if key.endswith("uuid") and isinstance(value, str)}
        return found.union(*(_uuids(value) for value in content.values()))
    if isinstance(content, list):
        return set().union(*(_uuids(value) for value in content))
    return set()
