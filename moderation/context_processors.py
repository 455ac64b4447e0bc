"""What every page may link to in moderation, without the lower apps' templates
naming a moderation route."""

from django.urls import reverse


def moderation_links(request) -> dict:
    return {"moderation_policy_url": reverse("moderation:policy")}
