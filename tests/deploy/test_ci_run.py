""".ci/run runs exactly the README's test line."""

import os
import re
import subprocess

from tests.deploy.conftest import ROOT

CI_RUN = ROOT / ".ci" / "run"


def _readme_test_line() -> str:
    readme = (ROOT / "README.md").read_text()
    block = re.search(
        r"<!-- test-line -->\s*```\w*\n(.*?)\n```\s*<!-- /test-line -->", readme, re.DOTALL
    )
    assert block, "README.md has no fenced block between <!-- test-line --> markers"
    return block.group(1).strip()


def test_ci_runs_the_same_line_as_the_readme():
    printed = subprocess.run(
        [str(CI_RUN), "--print-test-line"], capture_output=True, text=True, check=True
    ).stdout.strip()

    assert printed == _readme_test_line()


def test_the_readme_test_line_is_one_uv_pytest_command():
    line = _readme_test_line()

    assert "\n" not in line
    assert line == "pip install uv && uv run pytest"


def test_ci_run_is_executable():
    assert os.access(CI_RUN, os.X_OK)
