"""The analysts' notebook runs top to bottom on a built warehouse, in a real Jupyter kernel."""

from pathlib import Path

import nbformat
from nbclient import NotebookClient

from orchestration.warehouse.settings import REPO_ROOT

NOTEBOOK = REPO_ROOT / "notebooks" / "computing_power.ipynb"


def outputs(cell) -> str:
    return "\n".join(
        str(output.get("text", "")) + str(output.get("data", {}).get("text/plain", "")) for output in cell.outputs
    )


def test_the_notebook_runs_top_to_bottom_on_the_published_warehouse(built_warehouse, monkeypatch):
    monkeypatch.setenv("WAREHOUSE_PATH", str(built_warehouse))  # the kernel inherits it
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    before = Path(built_warehouse).stat().st_mtime_ns

    NotebookClient(
        notebook, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOK.parent)}}
    ).execute()

    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert not [o for cell in code for o in cell.outputs if o.output_type == "error"]
    capacity, plot, conflicts, known = code[1], code[2], code[3], code[4]
    assert "280.0" in outputs(capacity) and "nda_survey" in outputs(capacity)
    assert any("image/png" in output.get("data", {}) for output in plot.outputs), "the chart is drawn"
    failing = int(outputs(conflicts).split(" failing checks")[0].split()[-1])
    assert failing > 0 and "intelligent_growth_2025#1" in outputs(conflicts)
    assert "total_computing_capacity" in outputs(known)
    assert Path(built_warehouse).stat().st_mtime_ns == before, "the notebook only reads"
