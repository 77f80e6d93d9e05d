"""What instructors use to write and ship exercises.

- ``verify``      ``judge verify``: the reference full marks, the stub zero, every example in its range
- ``release``     ``judge release``: the student's bundle (stub, README, public checks; nothing hidden)
- ``stubs``       a stub generated from the reference's solution markers
"""
