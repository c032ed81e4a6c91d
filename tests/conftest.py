import os
import sys
from pathlib import Path

import pytest
from hypothesis import settings

sys.path.insert(0, str(Path(__file__).resolve().parent))

# In CI the property tests draw the same examples every run: a red CI is then always
# the code's doing, never a new random draw (locally they keep exploring).
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(autouse=True)
def _own_read_cache(tmp_path_factory, monkeypatch):
    """Each test its own cache of files as read (on by default in the user's cache
    folder): no test takes a file from another test's runs, or leaves entries behind."""
    monkeypatch.setenv("CONSOLIDATE_CACHE", str(tmp_path_factory.mktemp("read-cache")))
