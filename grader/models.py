"""Temporary: the sandbox package's old import path of grader.core.values (goes with the sandbox regroup)."""

from grader.core.values import Limits as Limits
from grader.core.values import SandboxRun as SandboxRun
from grader.core.values import Verdict as Verdict
