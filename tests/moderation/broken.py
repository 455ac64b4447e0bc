"""A classifier that always fails, for the tests of what failure does."""

from moderation.classifiers import Score


class BrokenClassifier:
    name = "broken"

    def score(self, text: str) -> Score:
        raise ConnectionError("the model server is down")
