"""Hypothesis strategies that break a seed file as people and tools break CSV files: a byte deleted, changed or
inserted (a comma, a quote, a newline), `;` for `,`, a truncated file, a line duplicated, moved or dropped, a cell
blanked, huge, out of range or pointing at nothing, a key repeated, another encoding, a byte-order mark, other line
endings. Each mutation is one file's new bytes, with the line it touched where there is one."""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass
from pathlib import Path

from hypothesis import strategies as st

from orchestration.ingest.seed_tables import seed_tables
from tests.conftest import REPO_SEEDS

SEED_FILES = sorted(path.name for path in REPO_SEEDS.glob("*.csv"))
# The seed files in two halves of about equal cost, the files whose runs rebuild most spread over both: the suite's
# contract-level property runs as one test a half (one a worker), and `make fuzz` as one session a half (FUZZ_HALF).
HALVES = (
    ["observations.csv", "units.csv", "sources.csv", "unit_spellings.csv", "observation_quotes.csv", "bases.csv"],
    ["indicators.csv", "geographies.csv", "consistency_rules.csv", "indicator_aliases.csv", "bodies.csv"],
)
assert sorted(HALVES[0] + HALVES[1]) == SEED_FILES, "a seed file is in neither half (or in both)"
FUZZED_FILES = HALVES[int(os.environ["FUZZ_HALF"]) - 1] if os.environ.get("FUZZ_HALF") else SEED_FILES
# Bytes a hand or a tool slips into a line; each breaks the CSV differently.
SLIPS = [b",", b'"', b"\n", b"\r", b";", b"\t", b"\x00", b" ", b"\xff", "é".encode()]
# Values of a cell that are out of range, unreadable or pointing at nothing.
ODD_VALUES = [
    "",
    " ",
    "-1",
    "0",
    "1e309",
    "-1e309",
    "1e-320",
    "nan",
    "inf",
    "99999999999999999999999",
    "2025-02-30",
    "9999-12-31",
    "0001-01-01",
    "TRUE",
    "yes",
    "no_such_code",
    "NULL",
    '"',
    "x" * 100_000,
    "9" * 400,
    "=1+1",
    "数据",
]


@dataclass(frozen=True)
class Mutation:
    file_name: str
    kind: str
    content: bytes
    line: int | None = None  # the line of the file it touched (1 = the header), None for the whole file

    def __repr__(self) -> str:  # what Hypothesis prints for a falsifying example
        where = f", line {self.line}" if self.line else ""
        return f"Mutation({self.file_name}{where}: {self.kind}, {len(self.content)} bytes)"


def original(file_name: str) -> bytes:
    return (REPO_SEEDS / file_name).read_bytes()


def line_at(content: bytes, offset: int) -> int:
    return content[:offset].count(b"\n") + 1


def inserted(file_name: str, text: str, at: int, slip: bytes) -> Mutation:
    """`slip` inserted `at` characters into the first occurrence of `text` in the file (an example kept because it
    once found a defect)."""
    content = original(file_name)
    offset = content.index(text.encode()) + len(text[:at].encode())
    mutated = content[:offset] + slip + content[offset:]
    return Mutation(file_name, f"{slip!r} inserted", mutated, line_at(content, offset))


def dropped(file_name: str, line: int) -> Mutation:
    """The file without its line `line` (an example kept because it once found a defect)."""
    lines = original(file_name).splitlines(keepends=True)
    return Mutation(file_name, "line dropped", b"".join(lines[: line - 1] + lines[line:]), line)


@st.composite
def byte_mutations(draw, file_name: str) -> Mutation:
    content = original(file_name)
    offset = draw(st.integers(0, len(content) - 1))
    line = line_at(content, offset)
    kind = draw(st.sampled_from(["delete", "replace", "insert", "semicolon", "truncate"]))
    if kind == "delete":
        return Mutation(file_name, "byte deleted", content[:offset] + content[offset + 1 :], line)
    if kind == "replace":
        byte = bytes([draw(st.integers(0, 255))])
        return Mutation(file_name, f"byte changed to {byte!r}", content[:offset] + byte + content[offset + 1 :], line)
    if kind == "insert":
        slip = draw(st.sampled_from(SLIPS))
        return Mutation(file_name, f"{slip!r} inserted", content[:offset] + slip + content[offset:], line)
    if kind == "semicolon":
        commas = [i for i, byte in enumerate(content) if byte == ord(",")]
        comma = draw(st.sampled_from(commas))
        return Mutation(file_name, "; for ,", content[:comma] + b";" + content[comma + 1 :], line_at(content, comma))
    return Mutation(file_name, "truncated", content[:offset], line if offset else None)  # an empty file has no line


def _rows(file_name: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(original(file_name).decode("utf-8"))))


def _written(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


@st.composite
def csv_mutations(draw, file_name: str) -> Mutation:
    rows = _rows(file_name)
    if len(rows) < 2:  # a header alone: a row of odd values is the mutation
        width = len(rows[0])
        row = draw(st.lists(st.sampled_from(ODD_VALUES), min_size=width, max_size=width))
        return Mutation(file_name, "a row of odd values", _written([*rows, row]), 2)
    table = next(table for table in seed_tables() if table.file_name == file_name)
    index = draw(st.integers(1, len(rows) - 1))  # a data row; file line index + 1 (no quoted newlines in the seeds)
    kind = draw(st.sampled_from(["duplicate", "move", "drop", "cell", "same key", "header"]))
    if kind == "duplicate":
        rows.insert(index, list(rows[index]))
        return Mutation(file_name, "line duplicated", _written(rows), index + 2)
    if kind == "move":
        target = draw(st.integers(0, len(rows) - 1))
        rows.insert(target, rows.pop(index))
        return Mutation(file_name, f"line moved to line {target + 1}", _written(rows), target + 1)
    if kind == "drop":
        del rows[index]
        return Mutation(file_name, "line dropped", _written(rows), index + 1)
    if kind == "header":
        column = draw(st.integers(0, len(rows[0]) - 1))
        rows[0][column] = draw(st.sampled_from(["", rows[0][column].upper(), rows[0][column] + " ", "extra"]))
        return Mutation(file_name, f"header cell {column + 1} changed", _written(rows), 1)
    column = draw(st.integers(0, len(rows[0]) - 1))
    if kind == "same key" and table.unique_key:
        other = draw(st.integers(1, len(rows) - 1))
        for name in table.unique_key:
            position = rows[0].index(name)
            rows[index][position] = rows[other][position]
        return Mutation(file_name, f"key of line {other + 1} repeated", _written(rows), index + 1)
    value = draw(st.sampled_from(ODD_VALUES))
    rows[index][column] = value
    return Mutation(file_name, f"column {rows[0][column]} set to {value[:20]!r}", _written(rows), index + 1)


@st.composite
def encoding_mutations(draw, file_name: str) -> Mutation:
    text = original(file_name).decode("utf-8")
    kind = draw(st.sampled_from(["bom", "crlf", "cr", "utf-16", "latin-1", "no final newline", "blank lines", "empty"]))
    content = {
        "bom": lambda: b"\xef\xbb\xbf" + text.encode(),
        "crlf": lambda: text.replace("\n", "\r\n").encode(),
        "cr": lambda: text.replace("\n", "\r").encode(),
        "utf-16": lambda: text.encode("utf-16"),
        "latin-1": lambda: (text.rstrip("\n") + ",café\n").encode("latin-1", errors="replace"),
        "no final newline": lambda: text.rstrip("\n").encode(),
        "blank lines": lambda: (text + "\n\n,\n").encode(),
        "empty": lambda: b"",
    }[kind]()
    return Mutation(file_name, kind, content)


def mutations(file_names: list[str] = FUZZED_FILES) -> st.SearchStrategy[Mutation]:
    """One mutation of one of the seed files."""
    return st.sampled_from(file_names).flatmap(
        lambda name: st.one_of(byte_mutations(name), csv_mutations(name), encoding_mutations(name))
    )


def write(mutation: Mutation, seeds: Path) -> Path:
    path = seeds / mutation.file_name
    path.write_bytes(mutation.content)
    return path
