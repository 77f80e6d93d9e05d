# ruff: noqa
"""Attack (e): a conftest.py beside the submission that forces every test to pass.

If the grader ran pytest with the submission's folder on its path (or as rootdir), pytest would
load this file and every check would report "passed".
"""

import os

import pytest

os.environ["MLJUDGE_ATTACK_CONFTEST_LOADED"] = "1"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    report.outcome = "passed"
    report.longrepr = None


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_call(item):
    item.runtest = lambda: None


def pytest_collection_modifyitems(items):
    for item in items:
        for mark in list(item.own_markers):
            if mark.name == "points":
                item.own_markers.append(pytest.mark.points(100).mark)
