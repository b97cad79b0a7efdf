"""`retold serve`: the HTTP API and the editors' page, thin over the library.

Safety: request bodies over MAX_BODY_BYTES get 413; the server fetches no URLs for a client (the
openai engine talks only to the server's own --base-url, never to one named in a request); it binds
to 127.0.0.1 unless told otherwise; with RETOLD_API_TOKEN set, /v1/ needs `Authorization: Bearer TOKEN`.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from contextlib import asynccontextmanager
from importlib.resources import files
from pathlib import Path
from typing import Literal

import anyio
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, PlainTextResponse, StreamingResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field

import retold
from retold.errors import RetoldError
from retold.jobs import JobStore
from retold.options import EngineName, RewriteOptions
from retold.settings import settings
from retold.render import report_html, report_markdown, rewrite_html, rewrite_markdown

MAX_BODY_BYTES = 4_000_000
"""The largest request body accepted (4 MB: a long article page with its HTML, twice over)."""
WEB = files("retold") / "web"


class ExtractIn(BaseModel):
    text: str = Field(description="A news page: HTML or text copied off it.")
    input_format: Literal["auto", "html", "text"] = "auto"


class CheckIn(BaseModel):
    source: str = Field(description="The source page or article (HTML or text).")
    rewrite: str = Field(description="The rewrite or summary to check; every paragraph counts.")


class RewriteIn(BaseModel):
    text: str = Field(description="The source page or article (HTML or text).")
    engine: EngineName = "local"
    model: Literal["default", "smollm2"] | None = Field(None, description="local engine: which packaged model.")
    words: int | None = Field(None, ge=20, le=5000)
    keyword: str | None = Field(None, max_length=100)
    style: str = Field("neutral", max_length=40)
    seed: int = 0
    tries: int = Field(2, ge=1, le=10)


def create_app(db: Path | None = None, base_url: str | None = None, api_model: str | None = None,
               token: str | None = None) -> FastAPI:
    """The application; ``base_url`` is the only server the openai engine may talk to."""
    env = settings()
    token = token if token is not None else env.api_token
    store_path = db or env.db

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.jobs = JobStore(store_path)
        # CPU-bound work runs on as many threads as there are cores, not Starlette's 40: the same
        # throughput, and far less memory (each thread grows its own allocator arenas).
        app.state.cpu = anyio.CapacityLimiter(env.threads)
        yield
        app.state.jobs.close()

    app = FastAPI(title="retold", version=retold.__version__, lifespan=lifespan,
                  description="Extract, rewrite and check news articles; every rewrite sentence proven against its source.")

    @app.middleware("http")
    async def limits(request: Request, call_next):
        if request.url.path.startswith("/v1/"):
            if token and not secrets.compare_digest(request.headers.get("authorization", ""), f"Bearer {token}"):
                return JSONResponse({"detail": "a valid API token is required (Authorization: Bearer …)"}, 401)
            length = request.headers.get("content-length")
            if length and length.isdigit() and int(length) > MAX_BODY_BYTES:
                return JSONResponse({"detail": f"request body over the limit of {MAX_BODY_BYTES:,} bytes"}, 413)
            if request.method == "POST" and not length:  # a chunked body could be any size
                return JSONResponse({"detail": "send the request body with a Content-Length"}, 411)
        return await call_next(request)

    @app.exception_handler(RetoldError)
    async def retold_error(request: Request, exc: RetoldError):
        return JSONResponse({"detail": str(exc)}, 422)

    @app.get("/healthz")
    def healthz() -> dict:
        return {"status": "ok", "version": retold.__version__}

    async def work(request: Request, fn, *args):
        return await anyio.to_thread.run_sync(fn, *args, limiter=request.app.state.cpu)

    @app.post("/v1/extract")
    async def extract(body: ExtractIn, request: Request) -> dict:
        return (await work(request, retold.extract, body.text, body.input_format)).to_dict()

    @app.post("/v1/check", responses={200: {"content": {"text/markdown": {}, "text/html": {}}}})
    async def check(body: CheckIn, request: Request, format: Literal["json", "md", "html"] = "json"):
        report = await work(request, retold.check, body.source, body.rewrite)
        if format == "md":
            return PlainTextResponse(report_markdown(report), media_type="text/markdown; charset=utf-8")
        if format == "html":
            return HTMLResponse(report_html(report))
        return report.to_dict()

    @app.post("/v1/rewrite", status_code=202)
    async def rewrite(body: RewriteIn, request: Request) -> dict:
        if body.engine == "openai" and not base_url:
            raise HTTPException(422, "this server has no openai engine configured (retold serve --base-url)")
        await work(request, retold.extract, body.text)  # fail now, not in the job, on input with no article
        job_id = request.app.state.jobs.submit(body.model_dump(), _run_rewrite(base_url, api_model))
        return {"id": job_id, "status": "queued", "url": f"/v1/jobs/{job_id}", "events": f"/v1/jobs/{job_id}/events"}

    @app.get("/v1/jobs/{job_id}", responses={200: {"content": {"text/markdown": {}, "text/html": {}}}})
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

    @app.get("/v1/jobs/{job_id}/events")
    async def events(job_id: str, request: Request):
        jobs = request.app.state.jobs
        if jobs.get(job_id) is None:
            raise HTTPException(404, "no such job")

        async def stream():
            last = None
            while True:
                found = jobs.get(job_id)
                state = {"status": found["status"], "progress": found["progress"], "error": found["error"]}
                if state != last:
                    yield f"event: {found['status']}\ndata: {json.dumps(state)}\n\n"
                    last = state
                if found["status"] in ("done", "failed") or await request.is_disconnected():
                    return
                await asyncio.sleep(0.5)

        return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-store"})

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(str(WEB / "index.html"), headers=_PAGE_HEADERS)

    app.mount("/static", StaticFiles(directory=str(WEB)), name="static")
    return app


_PAGE_HEADERS = {
    # Only the page's own script and style run; a pasted <script> could not run even if it were inserted.
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
}


def _run_rewrite(base_url: str | None, api_model: str | None):
    def work(request: dict, progress) -> tuple[dict, str, str]:
        fields = dict(request)
        text = fields.pop("text")
        options = RewriteOptions.from_dict(fields | {"base_url": base_url, "api_model": api_model})
        result = retold.rewrite(text, options, progress=progress)
        return result.to_dict(), rewrite_markdown(result), rewrite_html(result)

    return work


def main(host: str = "127.0.0.1", port: int = 8000, **options) -> None:
    import uvicorn

    uvicorn.run(create_app(**options), host=host, port=port, log_level="info")
