"""The attack corpus is data, not tests: never collect it, and above all never load the hostile
``conftest.py`` (and its plugin) that one submission folder carries."""

collect_ignore = ["submissions"]
