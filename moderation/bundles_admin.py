"""The admin for moderation policy bundles, kept apart from the queue's."""
