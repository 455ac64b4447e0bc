from django.conf import settings
from django.http import HttpRequest


def site(request: HttpRequest) -> dict:
    """The site's name and tagline for the layout."""
    return {"site_name": settings.SITE_NAME, "site_tagline": settings.SITE_TAGLINE}
