"""Which address a request comes from, read through the trusted proxies only."""

import pytest
from django.test import RequestFactory

from core.net import client_ip
from tests.api.conftest import API, json_client


def request_from(remote: str = "203.0.113.9", forwarded: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_with_no_trusted_proxy_x_forwarded_for_is_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0

    assert client_ip(request_from("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


def test_with_one_trusted_proxy_the_address_it_appended_is_used(settings):
    settings.TRUSTED_PROXY_COUNT = 1

    assert client_ip(request_from("10.0.0.2", "198.51.100.7")) == "198.51.100.7"


def test_a_spoofed_left_most_entry_never_wins(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    spoofed = "1.2.3.4, 5.6.7.8, 198.51.100.7"

    assert client_ip(request_from("10.0.0.2", spoofed)) == "198.51.100.7"


def test_with_two_trusted_proxies_the_second_hop_from_the_right_is_used(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    header = "1.2.3.4, 198.51.100.7, 192.0.2.50"  # spoofed, client, outer proxy

    assert client_ip(request_from("10.0.0.2", header)) == "198.51.100.7"


@pytest.mark.parametrize(
    "header", ["", "garbage", "198.51.100.7, not-an-address", "999.1.1.1", " , "]
)
def test_garbage_in_the_trusted_hop_is_ignored(settings, header):
    settings.TRUSTED_PROXY_COUNT = 1

    assert client_ip(request_from("10.0.0.2", header)) == "10.0.0.2"


def test_fewer_hops_than_trusted_proxies_falls_back_to_the_peer(settings):
    settings.TRUSTED_PROXY_COUNT = 2

    assert client_ip(request_from("10.0.0.2", "198.51.100.7")) == "10.0.0.2"


def test_ipv6_addresses_come_back_in_one_spelling(settings):
    settings.TRUSTED_PROXY_COUNT = 1

    found = client_ip(request_from("10.0.0.2", "2001:DB8:0:0::1"))

    assert found == "2001:db8::1"


def test_no_usable_address_at_all_is_none(settings):
    settings.TRUSTED_PROXY_COUNT = 0

    assert client_ip(request_from("")) is None


@pytest.mark.django_db
def test_sign_in_limits_count_per_client_behind_the_proxy(settings, reader):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.LOGIN_FAILURE_RATE_PER_ADDRESS = "2/15minute"
    proxy = json_client(REMOTE_ADDR="10.0.0.2")

    def guess(client_address: str, name: str) -> int:
        return proxy.post(
            f"{API}/auth/token/",
            {"username": name, "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"6.6.6.6, {client_address}",
        ).status_code

    assert [guess("198.51.100.1", f"n{i}") for i in range(3)] == [400, 400, 429]
    # Another reader behind the same proxy is not locked out with them.
    assert guess("198.51.100.2", "someone") == 400
