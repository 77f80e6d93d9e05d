# ruff: noqa
"""Attack (b5): raise BaseExceptions that are not Exceptions inside calls.

KeyboardInterrupt, SystemExit(1), GeneratorExit and a custom BaseException subclass whose
``__str__`` raises and whose message pretends to be a passing report.
"""


class TestsPassed(BaseException):
    def __str__(self):
        raise KeyboardInterrupt("str() of this exception is hostile too")


class Weird(BaseException):
    pass


def reconstruct(R, k):
    if k == 1:
        raise KeyboardInterrupt("==== 10 passed in 0.01s ====")
    raise TestsPassed()


class RatingPredictor:
    def __init__(self, n_factors=10):
        self.n_factors = n_factors

    def fit(self, users, items, ratings, n_users, n_items):
        raise SystemExit(1)

    def predict(self, users, items):
        raise GeneratorExit("done")

    def __getattr__(self, name):
        raise Weird(name)
