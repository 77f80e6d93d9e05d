# ruff: noqa
"""Attack (e): a pytest11 plugin (registered by evil-1.0.dist-info/entry_points.txt) that passes everything."""

import os

import pytest

os.environ["MLJUDGE_ATTACK_PLUGIN_LOADED"] = "1"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    report.outcome = "passed"
    report.longrepr = None
