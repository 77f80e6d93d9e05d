"""The trusted engine of mljudge. It never imports student code.

- ``core``       grading one submission: exercise, checks in pytest, the sandboxed module, the Grade
- ``sandbox``    where student code runs: process, bwrap, bwrap-warm, docker, behind one interface
- ``course``     grading a class: discovery, the inbox, batches, the gradebook
- ``authoring``  writing and shipping exercises: verify, release, generated stubs
- ``outputs``    the terminal table, results.json, exports, feedback pages, the class report
- ``data``       data helpers that exercise checks import (synthetic, real data sets from wheels)
- ``cli``        the ``judge`` command, a thin layer over all of the above
"""

__version__ = "0.1.0"
