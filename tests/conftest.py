"""Test tiers by marker: `app` (Streamlit's AppTest), `browser` (tests/e2e), `slow` (servers, clusters).

The quick loop, `pytest -m "not browser and not slow"`, runs the backend and AppTest tiers."""

from __future__ import annotations

import inspect
import os
import tempfile

import pytest

# What the app keeps (aeviz.store) goes to a folder of the test run's own, never the user's: servers
# the tests start inherit it. A test that needs another store sets its own.
os.environ["AEVIZ_HOME"] = tempfile.mkdtemp(prefix="aeviz-test-home-")


def pytest_collection_modifyitems(items) -> None:
    """A test that drives the app through AppTest is marked `app`, wherever it lives."""
    for item in items:
        fn = getattr(item, "function", None)
        try:
            source = inspect.getsource(fn) if fn is not None else ""
        except (OSError, TypeError):
            source = ""
        if "new_app(" in source or "AppTest" in source or "opened(" in source or "app_with(" in source:
            item.add_marker(pytest.mark.app)
