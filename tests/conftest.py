import os
import sys
from pathlib import Path

from hypothesis import settings

sys.path.insert(0, str(Path(__file__).resolve().parent))

# In CI the property tests draw the same examples every run: a red CI is then always
# the code's doing, never a new random draw (locally they keep exploring).
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")
