"""The layout holds: the ground floor imports no stage, no stage imports a later one, only the engines know which
engine runs, and the README's map and the manuals point at what exists."""

import ast
import re

import pytest
import yaml

from orchestration.engines import ENGINES, chosen
from orchestration.warehouse.settings import DBT_PROJECT_DIR, REPO_ROOT

PACKAGE = REPO_ROOT / "orchestration"
# The flow, ground floor first; a package may import itself, the ground floor and packages before it. The engines
# implement the stages' work on DuckDB or Spark with the stages' own parts; the stages reach them only through the
# engine seam of the ground floor (warehouse/engine.py), handed to them in the warehouse resource.
FLOW = ["warehouse", "ingest", "proposals", "transform", "consistency", "publish", "engines", "serving", "automation"]


def imported_packages(path) -> set[str]:
    """The orchestration packages a module imports, at module level or inside functions."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "orchestration" and len(parts) > 1:
                found.add(parts[1])
    return found


@pytest.mark.parametrize("stage", FLOW)
def test_a_stage_imports_only_the_ground_floor_and_earlier_stages(stage):
    allowed = set(FLOW[: FLOW.index(stage) + 1])
    for module in sorted((PACKAGE / stage).rglob("*.py")):
        against_the_flow = (imported_packages(module) & set(FLOW)) - allowed
        assert not against_the_flow, f"{module.relative_to(REPO_ROOT)} imports {sorted(against_the_flow)}"


def test_no_module_outside_the_engines_compares_the_engine():
    names = set(ENGINES)
    for module in sorted(PACKAGE.rglob("*.py")):
        if "engines" in module.relative_to(PACKAGE).parts:
            continue
        for node in ast.walk(ast.parse(module.read_text())):
            if isinstance(node, ast.Compare):
                operands = [node.left, *node.comparators]
                compared = [
                    operand
                    for operand in operands
                    if (isinstance(operand, ast.Constant) and operand.value in names)
                    or (isinstance(operand, ast.Attribute) and operand.attr == "engine")
                    or (isinstance(operand, ast.Name) and operand.id == "engine")
                ]
                assert not compared, f"{module.relative_to(REPO_ROOT)}:{node.lineno} compares the engine"


def test_each_engine_is_the_one_its_name_chooses():
    assert {name: chosen(name).name for name in ENGINES} == {name: name for name in ENGINES}


def test_every_package_is_a_stage_of_the_flow_and_on_the_readme_map():
    packages = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists())
    assert packages == sorted(FLOW)
    readme = (REPO_ROOT / "README.md").read_text()
    for package in packages:
        assert f"  {package}/" in readme, f"orchestration/{package}/ is missing from the README's map"


def test_the_readme_is_a_front_door_whose_links_all_resolve():
    readme = REPO_ROOT / "README.md"
    assert len(readme.read_text().splitlines()) <= 150
    for document in [readme, *sorted((REPO_ROOT / "docs").glob("*.md"))]:
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", document.read_text()):
            assert (document.parent / target).exists(), f"{document.name} links to {target}, which does not exist"


def test_every_rule_type_has_its_model_and_its_row_in_the_checks_manual():
    rule_types = yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())["vars"]["rule_types"]
    checks = (REPO_ROOT / "docs" / "checks.md").read_text()
    models = DBT_PROJECT_DIR / "models" / "intermediate" / "consistency"
    for rule_type in rule_types:
        assert (models / f"int_consistency_{rule_type}.sql").exists(), f"no model evaluates {rule_type}"
        assert f"| `{rule_type}` |" in checks, f"docs/checks.md does not describe {rule_type}"
