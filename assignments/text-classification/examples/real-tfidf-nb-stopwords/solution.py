"""Adapted from younus4048/Machine-Learning-model, task4.py (an internship task: TF-IDF with English
stop words removed + multinomial naive Bayes on the SMS Spam Collection).

Adapted only the interface: the script's vectorizer and model (TfidfVectorizer(stop_words='english'),
MultinomialNB() with its defaults) are kept, wrapped in the SpamClassifier class; the pandas loading,
train/test split and printed report are dropped.
"""

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.naive_bayes import MultinomialNB


class SpamClassifier:
    def __init__(self):
        self.vectorizer = TfidfVectorizer(stop_words='english')
        self.model = MultinomialNB()

    def fit(self, texts, labels):
        X_train_vec = self.vectorizer.fit_transform(texts)
        self.model.fit(X_train_vec, labels)
        return self

    def predict(self, texts):
        X_test_vec = self.vectorizer.transform(texts)
        return np.asarray(self.model.predict(X_test_vec), dtype=np.int64)
