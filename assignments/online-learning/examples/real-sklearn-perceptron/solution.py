"""Adapted from scikit-learn/scikit-learn, examples/applications/plot_out_of_core_classification.py
(the out-of-core example's partial_fit classifiers; this is its "Perceptron": Perceptron()).

Adapted only the interface: the example's Perceptron() with default settings, updated with
partial_fit(X, y, classes=...) batch by batch as in the example's loop; the Reuters stream, the
hashing vectorizer and the plots are dropped.
"""

from sklearn.linear_model import Perceptron


class OnlineClassifier:
    def __init__(self):
        self.cls = Perceptron()

    def partial_fit(self, X, y, classes):
        self.cls.partial_fit(X, y, classes=classes)
        return self

    def predict(self, X):
        return self.cls.predict(X)
