"""Run every benchmark: `python -m bench` (or `make bench`)."""

from bench.harness import scratch_database, setup_django


def main() -> None:
    setup_django()
    from django.db import connection

    from bench import api, desk, discussions, imports, moderation, pages, toxicity

    print(f"Agora benchmarks on {connection.vendor}")  # noqa: T201
    with scratch_database():
        pages.run()
        discussions.run()
        moderation.run()
        desk.run()
        api.run()
        imports.run()
        toxicity.run()


if __name__ == "__main__":
    main()
