"""The events moderation announces, for its own receivers and any app above it.

Each is sent once the deciding transaction commits.
"""

from django.dispatch import Signal

# A moderator changed a comment's status. Arguments: comment_id (int), action
# (moderation.models.Action), moderator (User).
comment_decided = Signal()

# A decision its author is to hear of (comment_id, kind: a DecisionNotice.Kind,
# countdown: seconds to wait first, so a moderator's undo comes before the
# e-mail), sent after commit.
author_to_be_told = Signal()
