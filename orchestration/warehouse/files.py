"""File helpers every stage shares: a streamed checksum, writes that appear whole, durable renames, JSON lines, and
generated secrets kept in a file only its owner reads."""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file, read in 1 MiB chunks (never whole: seed files can hold millions of rows)."""
    digest = hashlib.sha256()
    with path.open("rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def size_bytes(path: Path) -> int:
    """The size of a file, or of every file in a folder (a publication on Spark)."""
    return (
        sum(file.stat().st_size for file in path.rglob("*") if file.is_file()) if path.is_dir() else path.stat().st_size
    )


def csv_checksums(folder: Path) -> dict[str, str]:
    """The SHA-256 of every CSV file in a folder, by file name."""
    return {path.name: file_sha256(path) for path in sorted(folder.glob("*.csv"))}


@contextmanager
def atomic_path(target: Path) -> Iterator[Path]:
    """A temporary path beside `target` to write to; once the block ends without error it is renamed onto `target`,
    so readers see the previous file or the whole new one, never half of one. On error it is removed."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        yield partial
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)


def atomic_write_text(target: Path, text: str) -> Path:
    with atomic_path(target) as partial:
        partial.write_text(text)
    return target


def fsync_directory(directory: Path) -> None:
    """Make a rename durable: a crash right after it must not bring back the old directory entry."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def prune(folder: Path, keep: int, prefix: str = "") -> None:
    """Delete all but the newest `keep` sub-folders (names start with a sortable timestamp after `prefix`)."""
    if not folder.is_dir():
        return
    candidates = sorted((p for p in folder.iterdir() if p.is_dir() and p.name.startswith(prefix)), reverse=True)
    for old in candidates[keep:]:
        shutil.rmtree(old, ignore_errors=True)


def read_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def append_jsonl(path: Path, entry: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as log:
        log.write(json.dumps(entry) + "\n")


def generate_secrets(path: Path, names: list[str]) -> None:
    """Write a `NAME=value` file of random secrets, readable by its owner only, unless it exists already."""
    if path.exists():
        return
    path.write_text("".join(f"{name}={secrets.token_urlsafe(24)}\n" for name in names))
    path.chmod(0o600)


def read_secrets(path: Path) -> dict[str, str]:
    """The `NAME=value` pairs of a file that generate_secrets wrote."""
    return dict(line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
