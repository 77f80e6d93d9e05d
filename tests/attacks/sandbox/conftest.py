"""The sandbox attack corpus is data, not tests: never collect it."""

collect_ignore = ["submissions", "privilege"]
