"""The trusted engine of mljudge. It never imports student code."""

__version__ = "0.1.0"
