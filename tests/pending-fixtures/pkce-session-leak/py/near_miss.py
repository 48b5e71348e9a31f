"""Per-session verifier storage for a Python MCP server's upstream login."""

import base64
import hashlib
import os
import secrets
from urllib.parse import urlencode

import redis
from flask import Flask, redirect, session
from starlette.requests import Request
from starlette.responses import RedirectResponse

VERIFIER_TTL_SECONDS = 600
PENDING: dict[str, dict] = {}

app = Flask(__name__)
app.config["SESSION_COOKIE_SECURE"] = True
cache = redis.Redis.from_url(os.environ.get("REDIS_URL", "redis://localhost:6379/0"))


def new_verifier() -> str:
    return secrets.token_urlsafe(64)


def authorize_url(code_verifier: str, state: str) -> str:
    digest = hashlib.sha256(code_verifier.encode("ascii")).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    params = {
        "response_type": "code",
        "client_id": "mcp-upstream",
        "redirect_uri": "https://mcp.example.com/oauth/callback",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "state": state,
    }
    return "https://idp.example.com/authorize?" + urlencode(params)


class PkceFlow:
    def __init__(self) -> None:
        self.state = secrets.token_urlsafe(16)
        self._code_verifier = new_verifier()

    def url(self) -> str:
        return authorize_url(self._code_verifier, self.state)


@app.get("/login")
def flask_login():
    state = secrets.token_urlsafe(16)
    verifier = new_verifier()
    session["code_verifier"] = verifier
    session["oauth_state"] = state
    return redirect(authorize_url(verifier, state))


async def starlette_login(request: Request) -> RedirectResponse:
    state = secrets.token_urlsafe(16)
    verifier = new_verifier()
    request.session["code_verifier"] = verifier
    request.session["oauth_state"] = state
    return RedirectResponse(authorize_url(verifier, state))


def begin_cached(session_id: str) -> str:
    state = secrets.token_urlsafe(16)
    verifier = new_verifier()
    cache.set(f"pkce:{session_id}", verifier, ex=VERIFIER_TTL_SECONDS)
    return authorize_url(verifier, state)


def begin_keyed_by_state() -> str:
    flow = PkceFlow()
    PENDING[flow.state] = {"verifier": flow._code_verifier}
    return flow.url()


def attach_pkce(ctx) -> None:
    """ctx is owned by the caller."""
    ctx.verifier = new_verifier()
    ctx.url = authorize_url(ctx.verifier, ctx.state)


def hand_off_to_worker(verifier: str) -> str:
    path = f"/tmp/verifier-{os.getpid()}"
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(verifier)
    return path


def take_pending(state: str) -> str | None:
    entry = PENDING.pop(state, None)
    return entry["verifier"] if entry else None
