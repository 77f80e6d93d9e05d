# ruff: noqa
"""Attack: a module-level ``__getattr__`` that returns a callable for any name.

The worker's "missing entry points" test (``hasattr``) is satisfied for every name, and every call
returns another chameleon (callable, any attribute, any item, compares equal to anything).
Bound 0: nothing it returns is data.
"""


class Chameleon:
    def __call__(self, *args, **kwargs):
        return Chameleon()

    def __getattr__(self, name):
        return Chameleon()

    def __getitem__(self, key):
        return Chameleon()

    def __len__(self):
        return 4

    def __eq__(self, other):
        return True

    def __float__(self):
        return 3.5

    def __bool__(self):
        return True


def __getattr__(name):
    return Chameleon()
