"""Adapted from scikit-learn/scikit-learn, examples/applications/plot_out_of_core_classification.py
(the out-of-core example's partial_fit classifiers; this is its "NB Multinomial":
MultinomialNB(alpha=0.01)).

Adapted only the interface: MultinomialNB(alpha=0.01) updated with partial_fit(X, y, classes=...)
batch by batch as in the example's loop. The example feeds it non-negative hashed word counts; the
stream here is gaussian features.
"""

from sklearn.naive_bayes import MultinomialNB


class OnlineClassifier:
    def __init__(self):
        self.cls = MultinomialNB(alpha=0.01)

    def partial_fit(self, X, y, classes):
        self.cls.partial_fit(X, y, classes=classes)
        return self

    def predict(self, X):
        return self.cls.predict(X)
