"""The contract-level property of the seed fuzzer (contracts.py) on the second half of the seed files."""

import pytest

from tests.fuzz.contracts import property_on
from tests.fuzz.mutations import HALVES

pytestmark = pytest.mark.fuzz

test_a_broken_seed_file_is_refused_naming_it_or_loads = property_on(HALVES[1])
