"""What a fuzz session says: a line per example under `make fuzz` (FUZZ_PROGRESS), the outcomes counted for the
summary, Hypothesis' statistics, and each falsifying mutation written as a file that reproduces it."""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hypothesis import event

from orchestration.warehouse.settings import REPO_ROOT
from tests.fuzz.mutations import Mutation

FAILURES = Path(os.environ.get("FUZZ_FAILURES", REPO_ROOT / "fuzz-failures"))
PROGRESS = bool(os.environ.get("FUZZ_PROGRESS"))
outcomes: Counter = Counter()
started = time.monotonic()


def example(depth: str, mutation: Mutation, outcome: str, message: str) -> None:
    outcomes[(depth, outcome)] += 1
    event(f"{depth}: {outcome}, {mutation.file_name}")
    if PROGRESS:
        first = message.strip().splitlines()[0][:120] if message.strip() else ""
        count = sum(n for (d, _), n in outcomes.items() if d == depth)
        elapsed = time.monotonic() - started
        print(f"{depth} #{count} {elapsed:7.1f} s  {mutation!r}: {outcome}  {first}", file=sys.stderr)


@contextmanager
def reproducible(depth: str, mutation: Mutation) -> Iterator[None]:
    """On a failure (an assertion or any error), the mutated file and what went wrong written to fuzz-failures/, to
    reproduce by hand. Hypothesis replays the smallest falsifying example last, so the file left is that one."""
    try:
        yield
    except Exception as error:
        FAILURES.mkdir(parents=True, exist_ok=True)
        stem = f"{depth}-{mutation.file_name.removesuffix('.csv')}"
        (FAILURES / f"{stem}.csv").write_bytes(mutation.content)
        (FAILURES / f"{stem}.txt").write_text(
            f"{mutation!r}\n\n{type(error).__name__}: {error}\n\nTo reproduce: cp {FAILURES / (stem + '.csv')} "
            f"seeds/{mutation.file_name} && make run (then git checkout seeds/{mutation.file_name})\n"
        )
        raise


def summary() -> list[str]:
    lines = []
    for depth in sorted({d for d, _ in outcomes}):
        counts = {o: n for (d, o), n in outcomes.items() if d == depth}
        total = sum(counts.values())
        lines.append(f"{depth}: {total} examples: " + ", ".join(f"{n} {o}" for o, n in sorted(counts.items())))
    if lines:
        lines.append(f"in {time.monotonic() - started:.0f} s; falsifying mutations, if any, in {FAILURES}/")
    return lines
