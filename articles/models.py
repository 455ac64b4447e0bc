"""Articles and the topics they are filed under."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from .markdown import render_article


class Topic(models.Model):
    name = models.CharField(max_length=80, unique=True)
    slug = models.SlugField(max_length=80, unique=True)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("topic", kwargs={"slug": self.slug})


class ArticleQuerySet(models.QuerySet):
    def published(self) -> "ArticleQuerySet":
        """Articles the public may read: published, or scheduled and due, as of now."""
        return self.filter(
            status__in=[Article.Status.PUBLISHED, Article.Status.SCHEDULED],
            published_at__lte=timezone.now(),
        )

    def visible_to(self, user) -> "ArticleQuerySet":
        """Published articles, and every article for staff (to preview drafts)."""
        if user.is_authenticated and user.is_staff:
            return self.all()
        return self.published()

    def latest_first(self) -> "ArticleQuerySet":
        return self.order_by(models.F("published_at").desc(nulls_last=True), "-pk")


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SCHEDULED = "scheduled", "Scheduled"
        PUBLISHED = "published", "Published"

    class DiscussionPolicy(models.TextChoices):
        OPEN = "open", "Open: clean comments appear at once"
        PREMODERATED = "premoderated", "Pre-moderated: every comment is held"
        CLOSED = "closed", "Closed: no new comments"

    title = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    standfirst = models.TextField(
        max_length=600, help_text="The one- or two-sentence summary under the title."
    )
    body = models.TextField(help_text="Markdown.")
    body_html = models.TextField(editable=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="articles"
    )
    topics = models.ManyToManyField(Topic, blank=True, related_name="articles")
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        db_index=True,
        help_text="When the article goes live; a scheduled article appears by "
        "itself at this time.",
    )
    discussion_policy = models.CharField(
        max_length=12, choices=DiscussionPolicy.choices, default=DiscussionPolicy.OPEN
    )
    comments_close_after_days = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Close the discussion this many days after publication; empty "
        "keeps it open.",
    )
    # Surge mode: while set, every new comment waits for a moderator and the
    # discussion says so. Written only by moderation's surge service (the
    # moderation limits themselves live in moderation's policy bundles).
    busy_since = models.DateTimeField(
        null=True,
        blank=True,
        editable=False,
        help_text="In surge mode since: comments are checked before they appear.",
    )
    # Approved comments only; kept by the comments services with F() updates.
    comment_count = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-pk"]
        indexes = [models.Index(fields=["status", "-published_at"])]

    def __str__(self) -> str:
        return self.title

    def save(self, *args, **kwargs) -> None:
        # body_html is derived from body, and the slug's history from the slug:
        # both kept here so that every writer (admin, services, fixtures,
        # imports, the shell) keeps them in step.
        self.body_html = render_article(self.body)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "body" in update_fields:
            kwargs["update_fields"] = {*update_fields, "body_html"}
        if self.pk is None or (
            update_fields is not None and "slug" not in update_fields
        ):
            super().save(*args, **kwargs)
            return
        with transaction.atomic():
            before = (
                Article.objects.filter(pk=self.pk)
                .values_list("slug", flat=True)
                .first()
            )
            super().save(*args, **kwargs)
            if before and before != self.slug:
                self._remember_slug(before)

    def get_absolute_url(self) -> str:
        return reverse("article", kwargs={"slug": self.slug})

    def _remember_slug(self, before: str) -> None:
        """Keep the slug left behind as an old address; the one taken back, if
        it was one of this article's old addresses, is current again."""
        ArticleSlug.objects.filter(article=self, slug=self.slug).delete()
        ArticleSlug.objects.update_or_create(slug=before, defaults={"article": self})

    def clean(self) -> None:
        if self.status == self.Status.SCHEDULED and not self.published_at:
            raise ValidationError(
                {"published_at": "A scheduled article needs a publication time."}
            )
        old = (
            ArticleSlug.objects.filter(slug=self.slug)
            .exclude(article_id=self.pk)
            .select_related("article")
            .first()
        )
        if old is not None:
            raise ValidationError(
                {
                    "slug": f"“{self.slug}” was the address of “{old.article.title}” "
                    "and still leads there; choose another slug (or remove it from "
                    "that article's old addresses first)."
                }
            )

    @property
    def is_live(self) -> bool:
        """Whether the public can read it now."""
        return (
            self.status != self.Status.DRAFT
            and self.published_at is not None
            and self.published_at <= timezone.now()
        )

    def is_visible_to(self, user) -> bool:
        """Whether `Article.objects.visible_to(user)` holds it: the same rule,
        for a row in hand."""
        return self.is_live or (user.is_authenticated and user.is_staff)

    @property
    def comments_close_at(self):
        if self.comments_close_after_days is None or self.published_at is None:
            return None
        return self.published_at + timedelta(days=self.comments_close_after_days)

    @property
    def accepts_comments(self) -> bool:
        """Live, discussion not closed by policy, and not past its closing date."""
        if not self.is_live or self.discussion_policy == self.DiscussionPolicy.CLOSED:
            return False
        close_at = self.comments_close_at
        return close_at is None or timezone.now() < close_at


class ArticleSlug(models.Model):
    """An address an article had before its slug changed. Its old URLs answer
    301 to the new ones (articles.middleware), imports match it, and no other
    article may take it while it is kept."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="old_slugs"
    )
    slug = models.SlugField(max_length=200, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = "old address"
        verbose_name_plural = "old addresses"

    def __str__(self) -> str:
        return self.slug
