"""A command of the command line (`python -m orchestration NAME`), declared beside what it does: each package with
commands lists them in its own `commands.py`, and `orchestration/__main__.py` only gathers them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Argument:
    """One of argparse's add_argument calls."""

    flags: tuple[str, ...]
    options: dict = field(default_factory=dict)


def argument(*flags: str, **options) -> Argument:
    return Argument(flags, options)


@dataclass(frozen=True)
class Command:
    """Its name, its help line, its arguments, and what it runs: called with the parsed arguments as keywords, it
    returns the exit status."""

    name: str
    help: str
    run: Callable[..., int]
    arguments: tuple[Argument, ...] = ()


def print_settings() -> int:
    from orchestration.warehouse.settings import SETTINGS

    print(f"{'variable':<24} {'value':<26} {'default':<24} what")
    for setting in SETTINGS:
        print(f"{setting.variable:<24} {setting.shown() or '-':<26} {setting.default or '-':<24} {setting.description}")
    print("\nRelative paths resolve from the repository root.")
    return 0


COMMANDS = [
    Command("settings", "print every setting (environment variable) with its current value", print_settings),
]
