"""Adapted from PLSE-Lab/Python-MLAPI-expl, python_sources/spamfilter-logisticregression-py.py (a Kaggle
kernel: TF-IDF + logistic regression with default settings on the SMS spam CSV).

Adapted only the interface: TfidfVectorizer() and LogisticRegression() with their defaults, wrapped
in the SpamClassifier class. The kernel imports LogisticRegression from the private module
sklearn.linear_model.logistic, which scikit-learn removed; it is imported from sklearn.linear_model.
The data loading, split, printed head and cross-validation are dropped.
"""

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression


class SpamClassifier:
    def __init__(self):
        self.vectorizer = TfidfVectorizer()
        self.classifier = LogisticRegression()

    def fit(self, texts, labels):
        X_train = self.vectorizer.fit_transform(texts)
        self.classifier.fit(X_train, labels)
        return self

    def predict(self, texts):
        X_test = self.vectorizer.transform(texts)
        return np.asarray(self.classifier.predict(X_test), dtype=np.int64)
