"""The code location Dagster loads (`make dev`, `dg`): the definitions of orchestration/automation/definitions.py on
the engine WAREHOUSE_ENGINE chooses (orchestration/engines/)."""

from orchestration.automation.definitions import code_location

defs = code_location()
