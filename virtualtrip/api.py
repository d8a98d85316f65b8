"""The project's JSON API: its OpenAPI document at /api/openapi.json, browsable docs at /api/docs.

The docs page's Swagger UI comes from django-ninja's own static files ("ninja" is an installed app), so
it works offline and under the site's Content-Security-Policy; the online validator badge, which
would send the API's address to a third party, is off.
"""

from ninja import NinjaAPI, Swagger

from virtualtrip.publishing.api import router as documents_router
from virtualtrip.trips.api import router as trips_router

api = NinjaAPI(
    title="Virtual Trip API",
    version="1",
    description=("Read-only access to trips, destinations, engagements, people and published documents."),
    urls_namespace="api",
    docs=Swagger(settings={"validatorUrl": None}),
)
api.add_router("/", trips_router)
api.add_router("/", documents_router)
