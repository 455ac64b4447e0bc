"""/healthz tells operators how far each replica is behind, and says when one is
not fit to read from; the site still answers 200 (reads go elsewhere)."""

import pytest
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.utils import load_backend


@pytest.fixture
def replica_at(settings):
    """Make alias `replica_x` point at `port` (the test database's server, or
    a port nothing listens on)."""
    made = []

    def make(port: int | None = None) -> str:
        config = {**connections[DEFAULT_DB_ALIAS].settings_dict}
        if port:
            config["PORT"] = port
        connections["replica_x"] = load_backend(config["ENGINE"]).DatabaseWrapper(
            config, "replica_x"
        )
        made.append("replica_x")
        settings.DATABASE_REPLICAS = ["replica_x"]
        return "replica_x"

    yield make
    for alias in made:
        connections[alias].close()
        del connections[alias]


@pytest.mark.django_db
def test_healthz_calls_an_unreachable_replica_degraded_but_still_serves(
    client, replica_at
):
    replica_at(port=1)

    response = client.get("/healthz")

    assert response.status_code == 200
    body = response.json()
    assert body["replicas"] == {
        "replica_x": {"lag_seconds": None, "state": "error: OperationalError"}
    }
    assert body["degraded"] is True
    assert body["ok"] is True


@pytest.mark.django_db
def test_healthz_says_when_a_replica_url_names_a_primary(client, replica_at):
    replica_at()

    body = client.get("/healthz").json()

    assert body["replicas"]["replica_x"]["state"] == "error: not a replica"
    assert body["degraded"] is True


@pytest.mark.django_db
def test_healthz_without_replicas_says_nothing_of_them(client):
    body = client.get("/healthz").json()

    assert "replicas" not in body
    assert "degraded" not in body
