"""Where a request comes from, for rate limits and address hashes."""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _address(value: str | None) -> str | None:
    """`value` as one canonical IP address, or None when it is not one."""
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or what the trusted proxies saw.

    Each of the `TRUSTED_PROXY_COUNT` proxies in front of the site appends the
    address it was reached from to X-Forwarded-For, so the client is the entry
    that many places from the right; anything to its left was written by the
    client and may be forged. With no trusted proxy the header is ignored. A
    header too short or not an address there falls back to REMOTE_ADDR.
    """
    peer = _address(request.META.get("REMOTE_ADDR"))
    hops = settings.TRUSTED_PROXY_COUNT
    if hops <= 0:
        return peer
    entries = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    if len(entries) < hops:
        return peer
    return _address(entries[-hops]) or peer
