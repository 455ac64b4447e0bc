"""The events comments sends to the rest of the site.

`comment_posted(sender=Comment, comment_id: int, revision: int)`
    Sent after the transaction that saved a new comment, or an edit of one,
    commits. The comment is `pending`; moderation decides it (moderation's
    receivers subscribe in their AppConfig.ready()). Posting never waits for it.
"""

from django.dispatch import Signal

comment_posted = Signal()
