from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from .services import site_health


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and operators: 200 when database and cache answer.

    The body also says whether a worker is running tasks (`worker`) and, with
    replicas, how far each replays behind (`replicas`, `degraded`).
    """
    report = site_health()
    return JsonResponse(report, status=200 if report["ok"] else 503)
