"""What instructors use to write and ship exercises.

- ``verify``      ``judge verify``: the reference full marks, the stub zero, every example in its range
- ``release``     ``judge release``: the student's bundle (stub, README, public checks; nothing hidden)
- ``stubs``       a stub generated from the reference's solution markers
- ``autograder``  ``judge export-autograder``: the Gradescope zip (``autograder_pins``: its pinned requirements,
  ``autograder_scripts``: setup.sh and run_autograder)
- ``autograder_run``  what run_autograder runs in the container (``autograder_lockdown``: root-only files and
  the one writer of results.json, ``autograder_isolation``: bubblewrap, else the process-user backend)
"""
