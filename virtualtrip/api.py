"""The project's JSON API; its OpenAPI document is served at /api/openapi.json."""

from ninja import NinjaAPI

from virtualtrip.trips.api import router as trips_router

api = NinjaAPI(
    title="Virtual Trip API",
    version="1",
    description="Read-only access to trips, destinations, engagements and people.",
    urls_namespace="api",
)
api.add_router("/", trips_router)
