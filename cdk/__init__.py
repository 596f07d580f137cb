"""The CDK app: one construct per concern, everything derived from the event catalog and TABLES.

Importing this package puts the shared layer on sys.path (the catalog and TABLES live there) and
silences jsii's Node end-of-life banner.
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for _path in (ROOT, ROOT / "layers" / "shared" / "python"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
