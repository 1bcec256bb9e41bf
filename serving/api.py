"""The scoring API (FastAPI): `mfs serve` runs it; OpenAPI docs at /docs and /openapi.json.

    POST /v1/models/{model}/score   score 1..1000 entities (API key)
    GET  /v1/models                 the models and the versions being served (API key)
    GET  /health/live               the process answers
    GET  /health/ready              503 until a model is served and the online store answers
    GET  /metrics                   Prometheus metrics

The API key goes in the `X-API-Key` header (serving/auth.py). Health and metrics are open, as
orchestrators and scrapers expect. Ids travel in request bodies, never in paths, and the
server's own log lines carry counts and timings only, so no log holds an entity id, let alone
PII. Scoring runs on the event loop: one request is a few SQLite/Redis reads and a
sub-millisecond prediction, cheaper than handing it to a thread pool.
"""

from __future__ import annotations

import gc
import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Path, Request, Security
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import APIKeyHeader
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from serving.auth import is_valid
from serving.metrics import ServingMetrics
from serving.models import EntityScore, ProductionModels
from training.config import canonical_name

log = logging.getLogger("mfs.serving")

MAX_IDS = 1000
# Letters, digits and . _ : - (CRM ids, UUIDs); no '@' or spaces, so an email or a name sent by
# mistake is refused instead of looked up (and possibly logged somewhere downstream).
ENTITY_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:\-]{0,127}$"
EntityId = Annotated[str, StringConstraints(pattern=ENTITY_ID_PATTERN)]


class ScoreRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ids: list[EntityId] = Field(min_length=1, max_length=MAX_IDS,
                                description="Entity ids (customer_id or lead_id), 1 to 1000.")
    reasons: int = Field(3, ge=0, le=20, description="How many reason codes per entity.")
    include_features: bool = Field(False, description="Also return the feature vector used.")


class ReasonOut(BaseModel):
    feature: str
    description: str
    value: Any
    contribution: float = Field(description="SHAP contribution in log-odds.")
    direction: str = Field(description="`raises` or `lowers` the score.")


class EntityScoreOut(BaseModel):
    id: str
    found: bool = Field(description="False: the online store has no row for this id; the "
                        "score is the model's default for an all-missing feature vector.")
    probability: float
    decile: int = Field(description="1 = as high as the top 10% of the model's test window.")
    reasons: list[ReasonOut]
    feature_timestamps: dict[str, datetime | None]
    features: dict[str, Any] | None = None


class ScoreResponse(BaseModel):
    model: str
    version: int
    feature_service: str
    features_as_of: datetime
    scores: list[EntityScoreOut]


def _entity_json(score: EntityScore) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": score.id, "found": score.found, "probability": score.probability,
        "decile": score.decile, "reasons": [r.as_dict() for r in score.reasons],
        "feature_timestamps": {view: ts.isoformat() if ts else None
                               for view, ts in score.feature_timestamps.items()},
    }
    if score.features is not None:
        out["features"] = score.features
    return out


def create_app(models: ProductionModels, api_keys: tuple[bytes, ...]) -> FastAPI:
    """The app over `models` (started and stopped with the app); `api_keys` are digests."""
    metrics = ServingMetrics(CollectorRegistry())

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        models.start()
        # Everything loaded so far (Feast, protobuf, models) lives as long as the process: move
        # it out of the collector's reach, so a request-time collection scans only new objects.
        gc.freeze()
        yield
        models.stop()

    app = FastAPI(title="Marketing feature store: scoring API", version="1",
                  lifespan=lifespan,
                  description="Scores from the production model of each model, on the "
                  "online features of its Feast feature service, with reason codes.")
    key_header = APIKeyHeader(name="X-API-Key", auto_error=False,
                              description="One of the keys in MFS_API_KEYS / MFS_API_KEYS_FILE.")

    # Dependencies are `async def`: FastAPI runs plain `def` ones in a thread pool, and two
    # thread hand-offs per request cost more than scoring a customer.
    async def require_key(key: str | None = Security(key_header)) -> None:
        if not is_valid(key, api_keys):
            raise HTTPException(401, "missing or invalid API key (header X-API-Key)",
                                headers={"WWW-Authenticate": "APIKey"})

    async def known_model(model: str = Path(description="purchase_propensity or lead_scoring "
                                      "(dashes allowed)", max_length=100)) -> str:
        name = canonical_name(model)
        if name not in models.models:
            raise HTTPException(404, f"unknown model {model!r}; known: "
                                f"{', '.join(models.models)}")
        return name

    @app.get("/health/live", tags=["health"])
    async def live() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/health/ready", tags=["health"],
             responses={503: {"description": "no model is served yet, or the online store "
                                              "does not answer"}})
    async def ready() -> JSONResponse:
        status = models.status()
        serving = [m for m, s in status.items() if s["serving"] is not None]
        store_ok, store_error = True, None
        for model in serving:
            served = models.get(model)
            if served is None:
                continue
            try:
                served.reader.read(["__readiness_probe__"])
            except Exception as exc:
                store_ok, store_error = False, f"{type(exc).__name__}: {exc}"
            break
        is_ready = bool(serving) and store_ok
        return JSONResponse({"ready": is_ready, "models": status,
                             "online_store_error": store_error},
                            status_code=200 if is_ready else 503)

    @app.get("/metrics", tags=["health"], response_class=Response)
    async def prometheus() -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @app.get("/v1/models", tags=["models"], dependencies=[Depends(require_key)])
    async def list_models() -> dict[str, Any]:
        status = models.status()
        out = []
        for model in models.models:
            served = models.get(model)
            entry: dict[str, Any] = {"model": model, "production_version":
                                     models.registry.production(model),
                                     "serving_version": status[model]["serving"],
                                     "error": status[model]["error"]}
            if served is not None:
                entry.update(served.describe())
            out.append(entry)
        return {"models": out}

    @app.post("/v1/models/{model}/score", tags=["models"], response_model=ScoreResponse,
              dependencies=[Depends(require_key)],
              responses={404: {"description": "unknown model"},
                         503: {"description": "the model has no production version"}})
    async def score(request: Request, body: ScoreRequest,
                    model: str = Depends(known_model)) -> JSONResponse:
        started = time.perf_counter()
        served = models.get(model)
        if served is None:
            error = models.status()[model]["error"]
            raise HTTPException(503, error or f"{model} has no production version; promote one "
                                "with `mfs models promote`")
        scores = served.score(body.ids, reasons=body.reasons,
                              with_features=body.include_features)
        unknown = sum(not s.found for s in scores)
        payload = {"model": model, "version": served.scorer.version,
                   "feature_service": served.scorer.service_name,
                   "features_as_of": served.reader.as_of.isoformat(),
                   "scores": [_entity_json(s) for s in scores]}
        elapsed = time.perf_counter() - started
        metrics.observe(model, served.scorer.version, len(scores), unknown, elapsed)
        log.info("scored model=%s version=%s entities=%d unknown=%d ms=%.2f", model,
                 served.scorer.version, len(scores), unknown, elapsed * 1000)
        return JSONResponse(payload)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        metrics.errors.labels(status=str(exc.status_code)).inc()
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code,
                            headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        metrics.errors.labels(status="422").inc()
        return await request_validation_exception_handler(request, exc)

    return app


def app_from_environment() -> FastAPI:
    """The app as `mfs serve` runs it, in each worker process: keys from MFS_API_KEYS /
    MFS_API_KEYS_FILE, the store of MFS_FEAST_ENV, the registry of MFS_MODELS_DIR, the poll
    interval from MFS_SERVE_POLL_SECONDS."""
    import os

    from mfs.featurestore.store import open_store
    from serving.auth import load_api_keys

    # Worker processes start without the parent's logging set-up.
    logging.basicConfig(level=os.environ.get("MFS_SERVE_LOG_LEVEL", "INFO").upper(),
                        format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("feast").setLevel(logging.WARNING)  # a line per registry cache refresh

    models = ProductionModels(open_store(),
                              poll_seconds=float(os.environ.get("MFS_SERVE_POLL_SECONDS", "1")))
    return create_app(models, load_api_keys())
