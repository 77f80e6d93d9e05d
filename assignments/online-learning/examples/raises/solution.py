"""partial_fit raises."""


class OnlineClassifier:
    def partial_fit(self, X, y, classes):
        raise RuntimeError("cannot learn")

    def predict(self, X):
        raise RuntimeError("cannot predict")
