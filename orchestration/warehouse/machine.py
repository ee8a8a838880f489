"""Faults of the machine, not of the data, checked before a run starts work (how a failed run's errors are read as
one of them: orchestration/automation/failures.py).

A run builds in its working folder (WORK_DIR) and publishes with one atomic rename onto the warehouse's path, so
before it loads anything it checks what would make that impossible or waste the work: both folders exist and take
files, they are on one filesystem (a rename cannot cross filesystems; copying the finished file across instead would
cost a second copy of the warehouse and lose the atomic switch), and the working folder's filesystem has room for a
working copy of the warehouse. Each refusal is a MachineFault: one sentence naming the cause and the fix.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

# Run tag holding the sentence for a fault the run met and said itself (a disk it filled), for the command line and
# the failed-runs record.
FAULT_TAG = "warehouse/machine_fault"
MIB = 1 << 20
# Room a run needs beyond its working copy: DuckDB's write-ahead log and temporary relations while dbt builds, and
# the run's report and logs.
MARGIN_FACTOR = 1.5
MARGIN_BYTES = 64 * MIB
# Without a published warehouse to go by, a warehouse was measured at about 1.8 times its seed files (1M rows: 114 MB
# of CSV, 200 MB of DuckDB file); 2 leaves a little over.
SEED_FACTOR = 2


class MachineFault(RuntimeError):
    """A fault of the machine (space, permissions, filesystems, servers, memory): its message is one sentence that
    names the cause and the fix."""


def size(count: float) -> str:
    """A number of bytes for people: 1.2 GiB, 340 MiB, 12 KiB."""
    for unit, scale in (("GiB", 1 << 30), ("MiB", MIB), ("KiB", 1 << 10)):
        if count >= scale:
            return f"{count / scale:.1f} {unit}"
    return f"{count:.0f} bytes"


def needed_bytes(published: Path, seeds_dir: Path) -> tuple[int, str]:
    """The free space a run needs in its working folder, and how it was estimated, in words."""
    seeds = sum(path.stat().st_size for path in seeds_dir.glob("*.csv")) if seeds_dir.is_dir() else 0
    if published.exists():
        copy = published.stat().st_size
        basis = f"a working copy of the published warehouse ({size(copy)})"
    else:
        copy, basis = 0, "no published warehouse yet"
    if SEED_FACTOR * seeds > copy:
        copy, basis = SEED_FACTOR * seeds, f"{SEED_FACTOR} times the seed files ({size(seeds)})"
    needed = int(copy * MARGIN_FACTOR) + MARGIN_BYTES
    return needed, f"{basis}, times {MARGIN_FACTOR}, plus {size(MARGIN_BYTES)}"


def check_folders(work_dir: Path, published: Path) -> None:
    """The working folder and the warehouse's folder exist (created if need be), take files, and share a
    filesystem; a MachineFault otherwise."""
    for folder, setting in ((work_dir, "WORK_DIR"), (published.parent, "WAREHOUSE_PATH")):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            # A real write, not os.access: a read-only filesystem and a full inode table refuse it, and root passes
            # every permission check.
            with tempfile.NamedTemporaryFile(dir=folder, prefix=".write-probe-"):
                pass
        except OSError as error:
            raise MachineFault(
                f"cannot write in {folder} ({setting}): {error.strerror or error}; nothing was changed. Give this "
                f"user write access to it, or set {setting} to a folder it can write."
            ) from None
    if os.stat(work_dir).st_dev != os.stat(published.parent).st_dev:
        raise MachineFault(
            f"the working folder {work_dir} (WORK_DIR) is on another filesystem than the warehouse's folder "
            f"{published.parent}, and publishing is one rename, which cannot cross filesystems; nothing was changed. "
            "Set WORK_DIR to a folder on the warehouse's filesystem, or leave it empty (a .runs folder beside the "
            "warehouse)."
        )


def check_free_space(work_dir: Path, published: Path, seeds_dir: Path) -> None:
    """Room in the working folder for a run, estimated from the published warehouse and the seed files; a
    MachineFault saying the estimate otherwise."""
    needed, basis = needed_bytes(published, seeds_dir)
    free = shutil.disk_usage(work_dir).free
    if free < needed:
        raise MachineFault(
            f"the working folder {work_dir} has {size(free)} free, and a run needs about {size(needed)} "
            f"({basis}); nothing was changed. Free space on that filesystem, then run again."
        )


def nearly_full(folder: Path) -> bool:
    """Whether the filesystem of `folder` has less room than a run's margin: a run that failed there removes what
    it built."""
    return shutil.disk_usage(folder).free < MARGIN_BYTES


def disk_filled(work_dir: Path, published: bool = False) -> str:
    if published:  # the working file had become the warehouse: what filled the disk came after it
        return (
            f"the disk of the warehouse's folder filled up ({size(shutil.disk_usage(work_dir).free)} free); the "
            "warehouse was published before it. Free space on that filesystem, then run again."
        )
    return (
        f"the disk of the working folder {work_dir} filled up ({size(shutil.disk_usage(work_dir).free)} free after "
        "the run's working files were removed); the published warehouse is unchanged. Free space on that "
        "filesystem, then run again."
    )
