"""The schema names every endpoint of the contract and documents its errors
without a warning; the docs need no CDN."""

import pytest
import yaml
from django.core.management import call_command

CONTRACT = [
    "/api/v1/auth/register/", "/api/v1/auth/token/", "/api/v1/me/",
    "/api/v1/me/export/",
    "/api/v1/articles/", "/api/v1/articles/{slug}/",
    "/api/v1/articles/{slug}/comments/", "/api/v1/comments/{id}/",
    "/api/v1/comments/{id}/replies/", "/api/v1/comments/{id}/vote/",
    "/api/v1/comments/{id}/flags/", "/api/v1/moderation/queue/",
    "/api/v1/moderation/comments/{id}/decision/", "/api/v1/moderation/users/{id}/ban/",
]  # fmt: skip


@pytest.mark.django_db
def test_the_schema_describes_every_contract_path_with_its_errors(client):
    schema = schema_of(client)

    assert schema["openapi"].startswith("3.")
    assert set(CONTRACT) <= set(schema["paths"])
    post = schema["paths"]["/api/v1/articles/{slug}/comments/"]["post"]
    assert {"201", "400", "401", "403", "404", "413", "429", "503"} <= set(
        post["responses"]
    )
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


# libyaml's loader reads the same YAML ten times faster than the pure-Python one.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def schema_of(client) -> dict:
    return yaml.load(client.get("/api/v1/schema/").content, Loader=SAFE_LOADER)  # noqa: S506


def component(schema: dict, response: dict) -> dict:
    ref = response["content"]["application/json"]["schema"]["$ref"]
    return schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]


@pytest.mark.django_db
def test_the_schema_builds_without_a_warning(tmp_path):
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", tmp_path / "s.yaml"
    )


@pytest.mark.django_db
def test_every_error_answer_is_documented_in_the_one_shape(client):
    schema = schema_of(client)

    for item in schema["paths"].values():
        for operation in item.values():
            for status, response in operation["responses"].items():
                if int(status) < 400:
                    continue
                shape = component(schema, response)
                for one in shape.get("oneOf", [shape]):
                    name = one["$ref"].rsplit("/", 1)[-1] if "$ref" in one else None
                    body = schema["components"]["schemas"][name] if name else one
                    assert set(body["properties"]) == {"type", "errors"}, status


@pytest.mark.django_db
def test_a_second_flag_documents_a_conflict_and_cursors_an_invalid_cursor(client):
    schema = schema_of(client)
    paths = schema["paths"]

    flag = paths["/api/v1/comments/{id}/flags/"]["post"]["responses"]
    assert "409" in flag
    assert "409" not in paths["/api/v1/auth/register/"]["post"]["responses"]
    listed = paths["/api/v1/articles/"]["get"]["responses"]["400"]
    [invalid] = [
        schema["components"]["schemas"][one["$ref"].rsplit("/", 1)[-1]]
        for one in component(schema, listed)["oneOf"]
        if "ValidationError" in one["$ref"]
    ]
    item = invalid["properties"]["errors"]["items"]["$ref"].rsplit("/", 1)[-1]
    attr = schema["components"]["schemas"][item]["properties"]["attr"]
    assert attr["enum"] == ["cursor", "search", "topic", None]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("path", "names"),
    [("/api/v1/articles/", {"topic", "search", "cursor"}),
     ("/api/v1/moderation/queue/", {"status", "cursor"})],
)  # fmt: skip
def test_the_query_parameters_the_views_read_are_described(client, path, names):
    parameters = schema_of(client)["paths"][path]["get"]["parameters"]

    described = {p["name"]: p.get("description", "") for p in parameters}
    assert names <= set(described)
    for name in names:
        assert described[name], name
