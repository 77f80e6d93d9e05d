"""The hostile submissions under ``mnist/`` are data, not tests: never collect them."""

collect_ignore = ["mnist"]
