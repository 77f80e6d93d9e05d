"""``python -m grader …`` is ``judge …`` (how ``judge serve`` starts its embedded worker)."""

from grader.cli import main

main()
