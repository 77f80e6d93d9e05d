"""Temporary: the sandbox package's old import path of grader.core.files (goes with the sandbox regroup)."""

from grader.core.files import (
    NotARegularFile as NotARegularFile,
)
from grader.core.files import (
    copy_regular_file as copy_regular_file,
)
from grader.core.files import (
    read_regular_file as read_regular_file,
)
