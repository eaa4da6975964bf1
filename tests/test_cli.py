"""The command line as a shell user meets it."""

import subprocess
import sys

from geo.paths import PROJECT_ROOT


def test_a_reader_that_stops_early_is_no_error(tmp_path):
    # "python -m geo extract seeds/ | head -1": head closes the pipe after one line
    env = {"NEWSMAP_HOME": str(tmp_path), "PATH": "/usr/bin:/bin"}
    # the standalone map is far more than a pipe holds, so the writer meets the closed end
    proc = subprocess.Popen([sys.executable, "-m", "geo", "extract", "seeds/", "--format",
                             "html"], cwd=PROJECT_ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.read(1)
    proc.stdout.close()  # before the rest of the output is written
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 0, err
    assert "Traceback" not in err
