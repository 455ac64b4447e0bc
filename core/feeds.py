"""What every feed shares: titles written for the feed's type.

An RSS title is read by most feed readers as HTML, so it is escaped once more
than the XML needs and a name like "<img onerror=…>" arrives as text. An Atom
title is plain text by the standard and is left as it is.
"""

from django.contrib.syndication.views import Feed
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape


class TextTitlesFeed(Feed):
    def as_title(self, text: str) -> str:
        """`text` as this feed's type expects a title."""
        text = " ".join(text.split())
        return text if issubclass(self.feed_type, Atom1Feed) else escape(text)
