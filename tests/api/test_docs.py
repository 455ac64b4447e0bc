"""The schema names every endpoint of the contract; the docs need no CDN."""

import pytest
import yaml

CONTRACT = [
    "/api/v1/auth/register/", "/api/v1/auth/token/", "/api/v1/me/",
    "/api/v1/articles/", "/api/v1/articles/{slug}/",
    "/api/v1/articles/{slug}/comments/", "/api/v1/comments/{id}/",
    "/api/v1/comments/{id}/replies/", "/api/v1/comments/{id}/vote/",
    "/api/v1/comments/{id}/flags/", "/api/v1/moderation/queue/",
    "/api/v1/moderation/comments/{id}/decision/", "/api/v1/moderation/users/{id}/ban/",
]  # fmt: skip


@pytest.mark.django_db
def test_the_schema_describes_every_contract_path_with_its_errors(client):
    schema = yaml.safe_load(client.get("/api/v1/schema/").content)

    assert schema["openapi"].startswith("3.")
    assert set(CONTRACT) <= set(schema["paths"])
    post = schema["paths"]["/api/v1/articles/{slug}/comments/"]["post"]
    assert {"201", "400", "401", "404", "429"} <= set(post["responses"])
    token = schema["components"]["securitySchemes"]["knoxApiToken"]
    assert token["in"] == "header"
    assert token["name"] == "Authorization"


@pytest.mark.django_db
def test_the_docs_page_loads_only_local_files_and_runs_no_inline_script(client):
    response = client.get("/api/v1/docs/")
    html = response.content.decode()

    assert response.status_code == 200
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "https://" not in html.replace('xmlns="https://', "")
    csp = response["Content-Security-Policy"]
    script_src = next(d for d in csp.split(";") if d.strip().startswith("script-src"))
    assert script_src.strip() == "script-src 'self'"
