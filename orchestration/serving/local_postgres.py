"""A local PostgreSQL for the serving copy: `make serve` and `make serve-stop`, and the tests' real server.

The cluster lives in one folder (data/postgres by default), listens on 127.0.0.1 only, and has three roles:
`postgres` (superuser, reachable only through the cluster's own socket directory), `warehouse_loader` (owns the
`warehouse` database and writes the copy) and `bi_reader` (SELECT on `marts` only, read-only transactions). Their
passwords are generated at first start and kept in <folder>/credentials.env, which is never committed (data/ is
git-ignored). PostgreSQL refuses to run as root, so as root the server runs as the `postgres` system user.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

import psycopg
from psycopg import sql

from orchestration.warehouse.files import generate_secrets, read_secrets

DATABASE = "warehouse"
LOADER_ROLE = "warehouse_loader"
READER_ROLE = "bi_reader"
SERVER_USER = "postgres"


@dataclass(frozen=True)
class LocalPostgres:
    name: ClassVar[str] = "PostgreSQL"
    folder: Path
    port: int = 54329

    @property
    def data_dir(self) -> Path:
        return self.folder / "cluster"

    @property
    def socket_dir(self) -> Path:
        return self.data_dir  # only the server's user can enter it

    @property
    def credentials_file(self) -> Path:
        return self.folder / "credentials.env"

    def url(self, role: str) -> str:
        password = self.credentials()[role]
        return f"postgresql://{role}:{password}@127.0.0.1:{self.port}/{DATABASE}"

    def credentials(self) -> dict[str, str]:
        pairs = read_secrets(self.credentials_file)
        return {LOADER_ROLE: pairs["LOADER_PASSWORD"], READER_ROLE: pairs["READER_PASSWORD"]}

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        """Create the cluster on first use, start it, and make sure the database and roles exist."""
        self.folder.mkdir(parents=True, exist_ok=True)
        generate_secrets(self.credentials_file, ["LOADER_PASSWORD", "READER_PASSWORD"])
        if not (self.data_dir / "PG_VERSION").exists():
            self._initdb()
        if not self.is_running():
            self._run(
                "pg_ctl",
                "start",
                "-w",
                "-D",
                str(self.data_dir),
                "-l",
                str(self.data_dir / "server.log"),
                "-o",
                f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.socket_dir}",
            )
        self._create_roles_and_database()

    def stop(self) -> None:
        if self.is_running():
            self._run("pg_ctl", "stop", "-w", "-m", "fast", "-D", str(self.data_dir))

    def is_running(self) -> bool:
        if not (self.data_dir / "PG_VERSION").exists():
            return False
        status = subprocess.run(
            self._as_server_user(_binary("pg_ctl"), "status", "-D", str(self.data_dir)), capture_output=True
        )
        return status.returncode == 0

    def describe(self) -> str:
        return f"""Connect a BI tool (read-only):
  host      127.0.0.1
  port      {self.port}
  database  {DATABASE}
  schema    marts
  user      {READER_ROLE}
  password  {self.credentials()[READER_ROLE]}   (kept in {self.credentials_file})
  URL       {self.url(READER_ROLE)}

  psql "{self.url(READER_ROLE)}" -c '\\dt marts.*'

To refresh this copy with every Dagster run, start Dagster with
  SERVING_DATABASE_URL='{self.url(LOADER_ROLE)}'
Stop the server with `make serve-stop`."""

    # ------------------------------------------------------------------ setup

    def _initdb(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            server = pwd.getpwnam(SERVER_USER)
            for path in (self.folder, self.data_dir):
                os.chown(path, server.pw_uid, server.pw_gid)
        self.data_dir.chmod(0o700)
        self._run(
            "initdb",
            "-D",
            str(self.data_dir),
            "-U",
            SERVER_USER,
            "--auth-local=trust",
            "--auth-host=scram-sha-256",
            "--encoding=UTF8",
            "--no-instructions",
        )

    def _create_roles_and_database(self) -> None:
        passwords = self.credentials()
        admin = f"host={self.socket_dir} port={self.port} user={SERVER_USER} dbname=postgres"
        with psycopg.connect(admin, autocommit=True) as pg:
            for role, password in passwords.items():
                exists = pg.execute("select 1 from pg_roles where rolname = %s", [role]).fetchone()
                verb = "alter" if exists else "create"
                pg.execute(
                    sql.SQL(verb + " role {} login password {}").format(sql.Identifier(role), sql.Literal(password))
                )
            pg.execute(
                sql.SQL("alter role {} set default_transaction_read_only = on").format(sql.Identifier(READER_ROLE))
            )
            if not pg.execute("select 1 from pg_database where datname = %s", [DATABASE]).fetchone():
                pg.execute(
                    sql.SQL("create database {} owner {}").format(sql.Identifier(DATABASE), sql.Identifier(LOADER_ROLE))
                )
            database = sql.Identifier(DATABASE)
            pg.execute(sql.SQL("revoke all on database {} from public").format(database))
            pg.execute(sql.SQL("grant connect on database {} to {}").format(database, sql.Identifier(READER_ROLE)))
        with psycopg.connect(admin.replace("dbname=postgres", f"dbname={DATABASE}"), autocommit=True) as pg:
            pg.execute("revoke all on schema public from public")

    # ------------------------------------------------------------------ processes

    def _run(self, program: str, *args: str) -> None:
        completed = subprocess.run(self._as_server_user(_binary(program), *args), capture_output=True, text=True)
        if completed.returncode != 0:
            raise RuntimeError(f"{program} failed ({completed.returncode}): {completed.stderr or completed.stdout}")

    @staticmethod
    def _as_server_user(*command: str) -> list[str]:
        if os.geteuid() == 0:
            return ["runuser", "-u", SERVER_USER, "--", *command]
        return list(command)


def _binary(program: str) -> str:
    """A PostgreSQL server program: on PATH, or in Debian's /usr/lib/postgresql/<version>/bin."""
    found = shutil.which(program)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{program}"))
    if not candidates:
        raise FileNotFoundError(
            f"{program} not found; install the PostgreSQL server (Debian: apt-get install postgresql)"
        )
    return candidates[-1]
