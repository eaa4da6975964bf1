"""The dashboard on synthetic events (for browser tests): `streamlit run tests/browser_app.py`.

Installs the fake pipeline from conftest, then runs dashboard.py unchanged.
"""

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for p in (str(ROOT), str(HERE)):
    if p not in sys.path:
        sys.path.insert(0, p)

import conftest  # noqa: E402

sys.modules["geo.pipeline"] = conftest.fake_pipeline_module()
runpy.run_path(str(ROOT / "dashboard.py"), run_name="__main__")
