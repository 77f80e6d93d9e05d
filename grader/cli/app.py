"""The ``judge`` command group. Each command module registers its commands on it, and is imported
only when one of its commands runs (``judge check`` does not pay for the server or the gradebook)."""

from __future__ import annotations

import importlib

import click

from grader import __version__

#: Each command and the module that defines it (under ``grader.cli``).
COMMANDS: dict[str, str] = {
    "list": "single", "check": "single", "submit": "single", "grade": "classwide",
    "export": "records", "report": "records", "verify": "authoring", "release": "authoring", "new": "authoring",
    "export-autograder": "autograder", "db": "database", "leaderboard": "leaderboard", "roster": "people",
    "instructor": "people", "status": "remote", "worker": "serving", "serve": "serving", "similarity": "similarity",
}


class LazyGroup(click.Group):
    """A group whose commands' modules are imported when a command is looked up."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*COMMANDS, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in COMMANDS:
            importlib.import_module(f"grader.cli.{COMMANDS[cmd_name]}")
        return super().get_command(ctx, cmd_name)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="judge")
def cli() -> None:
    """mljudge: grade machine-learning exercises with hidden checks kept out of the student's process."""
