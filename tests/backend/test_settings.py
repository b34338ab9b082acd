"""Settings are read once by pydantic-settings; a bad value stops the process with one line naming the variable."""

import subprocess
import sys
from pathlib import Path

import pytest

from backend.config import Settings
from tests.support.live import REPO_ROOT, _child_env
from worker.config import WorkerSettings
from worker.settings_base import SettingsError, load_settings


@pytest.mark.parametrize(("variable", "value", "message"), [
    ("BATTLEFIELD_PORT", "abc", "Input should be a valid integer"),
    ("BATTLEFIELD_PORT", "70000", "Input should be less than or equal to 65535"),
    ("BATTLEFIELD_LEASE_SECONDS", "0", "Input should be greater than 0"),
    ("BATTLEFIELD_MEMORY_BUDGET_MB", "lots", "Input should be a valid integer"),
])
def test_bad_backend_setting_names_the_variable(monkeypatch, variable, value, message):
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as error:
        load_settings(Settings)
    assert str(error.value).startswith(f"error: bad setting {variable}='{value}': {message}")
    assert "\n" not in str(error.value)


def test_settings_read_their_variables(monkeypatch, tmp_path: Path):
    monkeypatch.setenv("BATTLEFIELD_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("BATTLEFIELD_TOKEN", "class-secret")
    monkeypatch.setenv("BATTLEFIELD_WORKER_TOKEN", "")  # empty counts as unset
    monkeypatch.setenv("BATTLEFIELD_MEMORY_BUDGET_MB", "2048")
    backend = load_settings(Settings)
    assert (backend.token, backend.worker_token, backend.memory_budget_mb) == ("class-secret", None, 2048)
    assert backend.database_url == f"sqlite:///{tmp_path.resolve() / 'battlefield.db'}"
    assert load_settings(WorkerSettings).token == "class-secret"  # a worker sends the API token...
    monkeypatch.setenv("BATTLEFIELD_WORKER_TOKEN", "workers-only")
    assert load_settings(WorkerSettings).token == "workers-only"  # ...unless it has the narrower one


def test_backend_with_a_bad_setting_exits_with_one_line(tmp_path: Path):
    env = _child_env(tmp_path, {"BATTLEFIELD_LEASE_SECONDS": "soon"})
    done = subprocess.run([sys.executable, "-m", "backend"], cwd=REPO_ROOT, env=env, capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr == ("error: bad setting BATTLEFIELD_LEASE_SECONDS='soon': "
                           "Input should be a valid number, unable to parse string as a number\n")
