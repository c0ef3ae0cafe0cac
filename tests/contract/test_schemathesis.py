"""schemathesis against the schema a live test server serves at /api/schema/: every operation,
every check, logged in as a verified member, with a bounded number of examples so that it fits
CI's time. No server error, no answer that breaks the schema, no undocumented status code; a
failure prints schemathesis' report with a curl command that reproduces each finding.

The run is two invocations: deleting the account (``DELETE /me/``) goes last, on its own, since
once schemathesis finds ``{"confirm": true}`` the member is gone and every later call is a 401.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

CONFIG = Path(__file__).with_name("schemathesis.toml")
# Examples per operation and phase: enough to find what the issue found, small enough for CI.
MAX_EXAMPLES = int(os.environ.get("LINLI_SCHEMATHESIS_EXAMPLES", "8"))
SEED = 9
DELETE_ACCOUNT = "me_destroy"


def schemathesis(url: str, token: str, folder: Path, *selection: str) -> tuple[int, str]:
    command = [
        *(sys.executable, "-m", "schemathesis.cli", "--config-file", str(CONFIG), "run", url),
        *("--checks", "all", "--max-examples", str(MAX_EXAMPLES), "--seed", str(SEED)),
        *("--workers", "1", "--no-color", "--request-timeout", "30"),
        *("-H", f"X-Session-Token: {token}", "-H", "Accept-Language: en"),
        *selection,
    ]
    result = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=1500,
        env={**os.environ, "NO_COLOR": "1"},
        cwd=folder,  # its caches (.schemathesis/) stay out of the repository
    )
    return result.returncode, result.stdout + result.stderr


def generated(output: str) -> int:
    match = re.search(r"(\d+) generated", output)
    return int(match.group(1)) if match else 0


def test_schemathesis_finds_nothing(live_server, member_token, wechat, capsys, tmp_path) -> None:
    url = f"{live_server.url}/api/schema/"

    code, output = schemathesis(
        url, member_token, tmp_path, "--exclude-operation-id", DELETE_ACCOUNT
    )
    last_code, last_output = schemathesis(
        url, member_token, tmp_path, "--include-operation-id", DELETE_ACCOUNT
    )

    with capsys.disabled():  # the figures, for the record
        print(f"\nschemathesis: {generated(output)} + {generated(last_output)} test cases")
    assert code == 0, output
    assert last_code == 0, last_output
    assert generated(output) > 100 and generated(last_output) > 0


@pytest.fixture(autouse=True)
def _wide_output(monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "120")
