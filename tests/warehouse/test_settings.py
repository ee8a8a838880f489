"""Settings: one environment variable each, relative paths from the repository root, printed without secrets."""

import os
import subprocess
import sys

from orchestration.warehouse import settings
from orchestration.warehouse.settings import REPO_ROOT, SETTINGS


def test_relative_paths_resolve_from_the_repository_root_whatever_the_current_directory(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WAREHOUSE_PATH", "elsewhere/warehouse.duckdb")
    monkeypatch.delenv("WORK_DIR", raising=False)
    assert settings.WAREHOUSE_PATH() == REPO_ROOT / "elsewhere" / "warehouse.duckdb"
    assert settings.WORK_DIR() == REPO_ROOT / "elsewhere" / ".runs"
    monkeypatch.setenv("WAREHOUSE_PATH", str(tmp_path / "absolute.duckdb"))
    assert settings.WAREHOUSE_PATH() == tmp_path / "absolute.duckdb"


def test_the_settings_command_prints_every_setting_and_masks_passwords():
    environment = {
        **os.environ,
        "REFRESH_CRON": "30 5 * * 1",
        "SERVING_DATABASE_URL": "postgresql://loader:s3cret-word@127.0.0.1:54329/warehouse",
    }
    printed = subprocess.run(
        [sys.executable, "-m", "orchestration", "settings"],
        cwd=REPO_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for setting in SETTINGS:
        assert setting.variable in printed
    assert "30 5 * * 1" in printed
    assert "postgresql://loader:***@127.0.0.1:54329/warehouse" in printed
    assert "s3cret-word" not in printed


def test_an_unknown_engine_is_said_in_one_sentence_before_anything_runs(tmp_path):
    completed = subprocess.run(
        [sys.executable, "-m", "orchestration", "refresh"],
        cwd=REPO_ROOT,
        env={**os.environ, "WAREHOUSE_ENGINE": "sparc", "WAREHOUSE_PATH": str(tmp_path / "warehouse.duckdb")},
        capture_output=True,
        text=True,
    )
    assert completed.returncode == 2
    assert completed.stderr.strip() == "WAREHOUSE_ENGINE='sparc': expected one of duckdb, spark"
    assert not (tmp_path / "warehouse.duckdb").exists()
