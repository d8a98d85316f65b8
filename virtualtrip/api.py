"""The project's JSON API; its OpenAPI document is served at /api/openapi.json."""

from ninja import NinjaAPI

from virtualtrip.publishing.api import router as documents_router
from virtualtrip.trips.api import router as trips_router

api = NinjaAPI(
    title="Virtual Trip API",
    version="1",
    description=("Read-only access to trips, destinations, engagements, people and published documents."),
    urls_namespace="api",
)
api.add_router("/", trips_router)
api.add_router("/", documents_router)
