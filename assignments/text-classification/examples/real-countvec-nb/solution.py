"""Adapted from vijayPK/SpamClassifier, main.py (word counts + multinomial naive Bayes on SMS spam).

Adapted only the interface: CountVectorizer() and MultinomialNB() with their defaults, as in the
script, wrapped in the SpamClassifier class (the CSV loading and the demo prediction are dropped).
"""

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer
from sklearn.naive_bayes import MultinomialNB


class SpamClassifier:
    def __init__(self):
        self.clf = MultinomialNB()
        self.vectorizer = CountVectorizer()

    def fit(self, texts, labels):
        counts = self.vectorizer.fit_transform(texts)
        self.clf.fit(counts, labels)
        return self

    def predict(self, texts):
        return np.asarray(self.clf.predict(self.vectorizer.transform(texts)), dtype=np.int64)
