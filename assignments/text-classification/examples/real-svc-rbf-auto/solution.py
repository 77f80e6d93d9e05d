"""Adapted from vilasdasalkar/dmb, (ML2)emailspam.py (a lab exercise: SVC(C=1.0, kernel='rbf',
gamma='auto') on the Kaggle "emails.csv" table of 3,000 word-count columns).

Adapted only the interface: the original reads word counts of the 3,000 most common words from the
CSV; here CountVectorizer(max_features=3000) builds the same kind of table from the messages. The SVC
and its settings are kept (gamma='auto' is 1 / n_features); the k-NN half of the lab is dropped.
"""

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.svm import SVC


class SpamClassifier:
    def __init__(self):
        self.vectorizer = CountVectorizer(max_features=3000)
        self.svc = SVC(C=1.0, kernel='rbf', gamma='auto')

    def fit(self, texts, labels):
        train_x = self.vectorizer.fit_transform(texts)
        self.svc.fit(train_x, labels)
        return self

    def predict(self, texts):
        return np.asarray(self.svc.predict(self.vectorizer.transform(texts)), dtype=np.int64)
