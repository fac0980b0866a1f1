"""The README's two set-up commands are the ones CI runs."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    setup = readme.split("## Set up", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", setup)


def test_readme_has_exactly_two_setup_commands():
    app, tests = _commands()
    assert "streamlit run app.py" in app and "pip install -r requirements.txt" in app
    assert "pytest" in tests


def test_ci_runs_the_readme_test_command_verbatim():
    _, tests = _commands()
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert tests in ci


def _streamlit_config(env: dict[str, str]) -> dict[str, str]:
    """The options `streamlit run app.py` gets in the project folder, as Streamlit itself reports them."""
    import os
    import subprocess
    import sys

    clean = {k: v for k, v in os.environ.items() if not k.startswith("STREAMLIT_")}
    out = subprocess.run(
        [sys.executable, "-m", "streamlit", "config", "show"], cwd=ROOT, env={**clean, **env},
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout  # fmt: skip
    return dict(re.findall(r"^(\w+) = (.+)$", out, re.M))


def test_the_readme_command_runs_without_the_file_watcher_and_development_gets_it_back():
    """The watcher walks every imported module as scripts run and held the server for seconds (issue 22)."""
    app, _ = _commands()
    assert app.endswith("streamlit run app.py")  # from the project folder: .streamlit/config.toml applies
    served = _streamlit_config({})
    assert served["fileWatcherType"] == '"none"' and served["runOnSave"] == "false"
    dev = _streamlit_config({"STREAMLIT_SERVER_FILE_WATCHER_TYPE": "auto", "STREAMLIT_SERVER_RUN_ON_SAVE": "true"})
    assert dev["fileWatcherType"] == '"auto"' and dev["runOnSave"] == "true"
    assert "STREAMLIT_SERVER_FILE_WATCHER_TYPE=auto" in (ROOT / "README.md").read_text()
