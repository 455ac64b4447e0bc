"""What an import brought in, by the id it had where it came from.

A second run of the same file looks each id up here and adds nothing; a comment
written on the site has no row here, so no import ever touches it.
"""

from django.db import models

from articles.models import Article
from comments.models import Comment


class ImportedComment(models.Model):
    """One comment an import placed, under its id in the source."""

    # "wordpress:<site address>" or "disqus:<forum>": ids are unique per source.
    source = models.CharField(max_length=200)
    source_id = models.CharField(max_length=100)
    comment = models.OneToOneField(
        Comment, on_delete=models.CASCADE, related_name="imported_from"
    )
    imported_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_id"], name="one_import_per_source_id"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source} #{self.source_id} → comment {self.comment_id}"


class ImportedPing(models.Model):
    """A pingback or trackback: another site's notice of a link, not a reader's
    comment, so it is kept here, apart from the discussion."""

    class Kind(models.TextChoices):
        PINGBACK = "pingback", "Pingback"
        TRACKBACK = "trackback", "Trackback"

    source = models.CharField(max_length=200)
    source_id = models.CharField(max_length=100)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    title = models.CharField(max_length=300, blank=True)
    url = models.URLField(max_length=500, blank=True)
    excerpt = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "source_id"], name="one_ping_per_source_id"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} from {self.url or self.title}"
