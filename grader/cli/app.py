"""The ``judge`` command group; each command module registers its commands on it."""

from __future__ import annotations

import click

from grader import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="judge")
def cli() -> None:
    """mljudge: grade machine-learning exercises with hidden checks kept out of the student's process."""
