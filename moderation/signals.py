"""The events moderation announces, for its own receivers and any app above it.

Each is sent once the deciding transaction commits.
"""

from django.dispatch import Signal

# A moderator changed a comment's status. Arguments: comment_id (int), action
# (moderation.models.Action), moderator (User).
comment_decided = Signal()
