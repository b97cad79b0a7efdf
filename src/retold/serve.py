"""`retold serve`: the HTTP API and the editors' page, thin over the library.

Safety (README, Serve): every request passes ``_Guard`` first. It refuses conflicting framing
(Content-Length with Transfer-Encoding: 400), counts the body bytes actually received whatever the
framing and stops at MAX_BODY_BYTES (413), asks for RETOLD_API_TOKEN on /v1/ and the API docs
(compared as bytes, in constant time), puts a Content-Security-Policy on every response, and turns
an unexpected exception into a 500 with an error id (the traceback goes to the log, never to the
client). The server fetches no URLs for a client (the openai engine talks only to the server's own
--base-url); it binds to 127.0.0.1 unless told otherwise; rewrites run in a worker process (jobs.py).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import functools
import json
import logging
import secrets
from contextlib import asynccontextmanager
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any, Literal

import anyio
from fastapi import APIRouter, Depends, FastAPI, HTTPException, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, StreamingResponse
from fastapi.security import HTTPBearer
from fastapi.staticfiles import StaticFiles
from pydantic import AfterValidator, BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

import retold
from retold.errors import RetoldError
from retold.inputs import replace_surrogates
from retold.jobs import JobStore, QueueFull
from retold.options import MAX_KEYWORD, MAX_STYLE, MAX_TRIES, MIN_WORDS, EngineName, RewriteOptions
from retold.render import report_html, report_markdown, rewrite_html, rewrite_markdown
from retold.settings import settings

MAX_BODY_BYTES = 4_000_000
"""The largest request body accepted (4 MB: a long article page with its HTML, twice over)."""
RETRY_AFTER_SECONDS = 60
"""What a client is told to wait when the job queue is full."""
WEB = files("retold") / "web"
log = logging.getLogger("retold.serve")

# Only the page's own script and style run; a pasted <script> could not run even if it were inserted.
PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
# Swagger UI and ReDoc: only their packaged scripts; ReDoc writes its own <style> elements and search worker.
DOCS_CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
            "worker-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
# Everything else (rendered reports and rewrites, JSON, errors): no script at all, only its inline style.
DOCUMENT_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
                "form-action 'none'; frame-ancestors 'none'")

Text = Annotated[str, AfterValidator(replace_surrogates)]
"""JSON can carry lone surrogates ("\\udfff"), which are not characters: each becomes U+FFFD."""


class ExtractIn(BaseModel):
    text: Text = Field(description="A news page: HTML or text copied off it.")
    input_format: Literal["auto", "html", "text"] = "auto"


class CheckIn(BaseModel):
    source: Text = Field(description="The source page or article (HTML or text).")
    rewrite: Text = Field(description="The rewrite or summary to check; every paragraph counts.")


class RewriteIn(BaseModel):
    text: Text = Field(description="The source page or article (HTML or text).")
    engine: EngineName = "local"
    model: Literal["default", "smollm2"] | None = Field(None, description="local engine: which packaged model.")
    words: int | None = Field(None, ge=MIN_WORDS, le=5000)
    keyword: Text | None = Field(None, max_length=MAX_KEYWORD)
    style: Text = Field("neutral", max_length=MAX_STYLE)
    seed: int = 0
    tries: int = Field(RewriteOptions.tries, ge=1, le=MAX_TRIES)


def rewrite_job(request: dict[str, Any], progress, *, base_url: str | None, api_model: str | None
                ) -> tuple[dict, str, str]:
    """One rewrite job, run in the worker process: the one place the server calls ``retold.rewrite``."""
    fields = dict(request)
    text = fields.pop("text")
    options = RewriteOptions.from_dict(fields | {"base_url": base_url, "api_model": api_model})
    result = retold.rewrite(text, options, progress=progress)
    return result.to_dict(), rewrite_markdown(result), rewrite_html(result)


_TOO_LARGE = f"request body over the limit of {MAX_BODY_BYTES:,} bytes"
_CLOSE = {"Connection": "close"}  # the rest of a refused body is not read: uvicorn closes instead of draining it


class _BodyTooLarge(HTTPException):
    def __init__(self) -> None:
        super().__init__(413, _TOO_LARGE, headers=_CLOSE)


def _is_docs(path: str) -> bool:
    return path in ("/docs", "/redoc", "/openapi.json") or path.startswith("/docs/")


def _policy(path: str) -> str:
    if path == "/" or path.startswith("/static/"):
        return PAGE_CSP
    return DOCS_CSP if _is_docs(path) else DOCUMENT_CSP


def _error(status: int, detail: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"detail": detail}, status, headers=headers)


class _Guard:
    """A pure ASGI middleware in front of everything (see the module's docstring)."""

    def __init__(self, app, token: bytes | None) -> None:
        self.app = app
        self.token = token

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        security = [(b"content-security-policy", _policy(scope["path"]).encode()),
                    (b"x-content-type-options", b"nosniff")]
        started = False

        async def send_secured(message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                names = {name.lower() for name, _ in message.get("headers", [])}
                added = [header for header in security if header[0] not in names]
                message = {**message, "headers": [*message.get("headers", []), *added]}
            await send(message)

        refusal = self._refuse(scope)
        if refusal is not None:
            await refusal(scope, receive, send_secured)
            return
        received = 0

        async def receive_counted():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > MAX_BODY_BYTES:  # whatever the framing said: stop reading here
                    raise _BodyTooLarge()
            return message

        try:
            await self.app(scope, receive_counted, send_secured)
        except Exception as exc:
            if started:  # nothing to tell the client any more; the connection closes
                log.error("retold: error on %s %s after the response started", scope["method"], scope["path"],
                          exc_info=exc)
                return
            if isinstance(exc, _BodyTooLarge):
                response = _error(413, _TOO_LARGE, _CLOSE)
            else:
                error_id = secrets.token_hex(6)
                log.error("retold: error %s on %s %s", error_id, scope["method"], scope["path"], exc_info=exc)
                response = _error(500, f"internal error {error_id}: the server logged the details")
            await response(scope, receive, send_secured)

    def _refuse(self, scope) -> JSONResponse | None:
        headers, path = scope["headers"], scope["path"]
        lengths = [value for name, value in headers if name == b"content-length"]
        encoded = any(name == b"transfer-encoding" for name, _ in headers)
        if lengths and encoded:
            return _error(400, "conflicting framing: Content-Length and Transfer-Encoding in one request", _CLOSE)
        if len(lengths) > 1 or (lengths and not lengths[0].isdigit()):
            return _error(400, "a malformed Content-Length", _CLOSE)
        if self.token is not None and (path.startswith("/v1/") or _is_docs(path)) and not self._authorized(scope):
            challenge = 'Basic realm="retold", charset="UTF-8"' if _is_docs(path) else "Bearer"
            return _error(401, "a valid API token is required (Authorization: Bearer …)",
                          {"WWW-Authenticate": challenge} | _CLOSE)
        if lengths and int(lengths[0]) > MAX_BODY_BYTES:
            return _error(413, _TOO_LARGE, _CLOSE)
        if path.startswith("/v1/") and scope["method"] == "POST" and not lengths and not encoded:
            return _error(411, "send the request body with a Content-Length or chunked")
        return None

    def _authorized(self, scope) -> bool:
        """``Bearer TOKEN``; for the docs, which a browser opens, also HTTP Basic with the token as password."""
        values = [value for name, value in scope["headers"] if name == b"authorization"]
        scheme, _, credential = (values[0] if len(values) == 1 else b"").partition(b" ")
        if scheme.lower() == b"basic" and _is_docs(scope["path"]):
            try:
                credential = base64.b64decode(credential.strip(), validate=True).partition(b":")[2]
            except (binascii.Error, ValueError):
                credential = b""
        elif scheme.lower() != b"bearer":
            credential = b""
        return self.token is not None and secrets.compare_digest(credential.strip(), self.token)


def create_app(db: Path | None = None, base_url: str | None = None, api_model: str | None = None,
               token: str | None = None, max_queued: int = 20, keep_days: float | None = 30) -> FastAPI:
    """The application; ``base_url`` is the only server the openai engine may talk to."""
    env = settings()
    token = token if token is not None else env.api_token
    store_path = db or env.db
    work = functools.partial(rewrite_job, base_url=base_url, api_model=api_model)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.jobs = JobStore(store_path, work, max_queued=max_queued, keep_days=keep_days)
        # CPU-bound work runs on as many threads as there are cores, not Starlette's 40: the same
        # throughput, and far less memory (each thread grows its own allocator arenas).
        app.state.cpu = anyio.CapacityLimiter(env.threads)
        yield
        app.state.jobs.close()

    app = FastAPI(title="retold", version=retold.__version__, lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Extract, rewrite and check news articles; every rewrite sentence proven against its source.")
    # Environment strings carry undecodable bytes as surrogates: surrogateescape gives the bytes back.
    app.add_middleware(_Guard, token=token.encode("utf-8", "surrogateescape") if token else None)

    @app.exception_handler(RetoldError)
    async def retold_error(request: Request, exc: RetoldError):
        return JSONResponse({"detail": str(exc)}, 422)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        # FastAPI answers 400 for a body json.loads cannot take other than by a JSONDecodeError: bytes that
        # are not UTF-8, nesting deeper than Python recurses, a number too long to convert. They are malformed JSON.
        cause = exc.__cause__
        if exc.status_code == 400 and isinstance(cause, (ValueError, RecursionError)):
            reason = ("not UTF-8" if isinstance(cause, UnicodeDecodeError) else
                      "nested too deeply" if isinstance(cause, RecursionError) else str(cause))
            return JSONResponse({"detail": [{"type": "json_invalid", "loc": ["body"], "msg": "JSON decode error",
                                             "ctx": {"error": reason}}]}, 422)
        return await http_exception_handler(request, exc)

    @app.get("/healthz")
    def healthz() -> dict:
        return {"status": "ok", "version": retold.__version__}

    async def work_on(request: Request, fn, *args):
        return await anyio.to_thread.run_sync(fn, *args, limiter=request.app.state.cpu)

    # The check itself is the middleware's; this declares it, so that /docs offers "Authorize".
    v1 = APIRouter(prefix="/v1", dependencies=[Depends(HTTPBearer(auto_error=False, description="RETOLD_API_TOKEN"))])

    @v1.post("/extract")
    async def extract(body: ExtractIn, request: Request) -> dict:
        return (await work_on(request, retold.extract, body.text, body.input_format)).to_dict()

    @v1.post("/check", responses={200: {"content": {"text/markdown": {}, "text/html": {}}}})
    async def check(body: CheckIn, request: Request, format: Literal["json", "md", "html"] = "json"):
        report = await work_on(request, retold.check, body.source, body.rewrite)
        if format == "md":
            return PlainTextResponse(report_markdown(report), media_type="text/markdown; charset=utf-8")
        if format == "html":
            return HTMLResponse(report_html(report))
        return report.to_dict()

    @v1.post("/rewrite", status_code=202, responses={503: {"description": "The job queue is full (see Retry-After)."}})
    async def rewrite(body: RewriteIn, request: Request) -> dict:
        if body.engine == "openai" and not base_url:
            raise HTTPException(422, "this server has no openai engine configured (retold serve --base-url)")
        await work_on(request, retold.extract, body.text)  # fail now, not in the job, on input with no article
        try:
            job_id = request.app.state.jobs.submit(body.model_dump())
        except QueueFull as exc:
            raise HTTPException(503, str(exc), headers={"Retry-After": str(RETRY_AFTER_SECONDS)}) from None
        return {"id": job_id, "status": "queued", "url": f"/v1/jobs/{job_id}", "events": f"/v1/jobs/{job_id}/events"}

    @v1.get("/jobs/{job_id}", responses={200: {"content": {"text/markdown": {}, "text/html": {}}}})
    def job(job_id: str, request: Request, format: Literal["json", "md", "html"] = "json"):
        found = request.app.state.jobs.get(job_id)
        if found is None:
            raise HTTPException(404, "no such job")
        if format != "json":
            if found["status"] != "done":
                raise HTTPException(409, f"the job is {found['status']}")
            if format == "md":
                return PlainTextResponse(found["markdown"], media_type="text/markdown; charset=utf-8")
            return HTMLResponse(found["html"])
        return {k: v for k, v in found.items() if k not in ("markdown", "html")}

    @v1.delete("/jobs/{job_id}")
    def delete_job(job_id: str, request: Request) -> dict:
        """Cancel a queued or running job (it fails as cancelled), or delete a finished one."""
        action = request.app.state.jobs.delete(job_id)
        if action is None:
            raise HTTPException(404, "no such job")
        return {"id": job_id, "action": action}

    @v1.get("/jobs/{job_id}/events")
    async def events(job_id: str, request: Request):
        jobs = request.app.state.jobs
        if jobs.get(job_id) is None:
            raise HTTPException(404, "no such job")

        async def stream():
            last = None
            while (found := jobs.get(job_id)) is not None:  # None: deleted
                state = {"status": found["status"], "progress": found["progress"], "error": found["error"]}
                if state != last:
                    yield f"event: {found['status']}\ndata: {json.dumps(state)}\n\n"
                    last = state
                if found["status"] in ("done", "failed") or await request.is_disconnected():
                    return
                await asyncio.sleep(0.5)

        return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-store"})

    app.include_router(v1)

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(str(WEB / "index.html"))

    @app.get("/docs", include_in_schema=False)
    def docs() -> FileResponse:
        return FileResponse(str(WEB / "docs.html"))

    @app.get("/redoc", include_in_schema=False)
    def redoc() -> FileResponse:
        return FileResponse(str(WEB / "redoc.html"))

    # Swagger UI and ReDoc from the fastapi-offline package: /docs works with no network.
    app.mount("/docs/assets", StaticFiles(directory=str(files("fastapi_offline") / "static")), name="docs-assets")
    app.mount("/static", StaticFiles(directory=str(WEB)), name="static")
    return app


def main(host: str = "127.0.0.1", port: int = 8000, **options) -> None:
    import uvicorn

    uvicorn.run(create_app(**options), host=host, port=port, log_level="info")
