"""Python MCP server logging in to an upstream provider.

The verifiers are strong, but each is kept somewhere every session (or every
process) can read and overwrite.
"""

import base64
import hashlib
import os
import secrets
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse
from flask import Flask, redirect, session

app = Flask(__name__)
api = FastAPI()

AUTHORIZE_URL = "https://idp.example.com/authorize"
CLIENT_ID = "mcp-upstream"
REDIRECT_URI = "https://mcp.example.com/oauth/callback"

# Created at import time: one verifier for every user of the process.
# skillaudit-expect: pkce-session-leak
CODE_VERIFIER = secrets.token_urlsafe(64)

STORE: dict[str, str] = {}
_verifier = None


def new_verifier() -> str:
    return secrets.token_urlsafe(64)


def authorize_url(code_verifier: str, state: str) -> str:
    digest = hashlib.sha256(code_verifier.encode("ascii")).digest()
    challenge = base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")
    return AUTHORIZE_URL + "?" + urlencode({
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
        "state": state,
    })


class PendingLogin:
    verifier = None

    @classmethod
    def start(cls, state: str) -> str:
        # skillaudit-expect: pkce-session-leak
        cls.verifier = new_verifier()
        return authorize_url(cls.verifier, state)


def begin_with_class_attribute(state: str) -> str:
    verifier = new_verifier()
    # skillaudit-expect: pkce-session-leak
    PendingLogin.verifier = verifier
    return authorize_url(verifier, state)


def begin_with_global(state: str) -> str:
    global _verifier
    # skillaudit-expect: pkce-session-leak
    _verifier = new_verifier()
    return authorize_url(_verifier, state)


def begin_with_environment(state: str) -> str:
    verifier = new_verifier()
    # skillaudit-expect: pkce-session-leak
    os.environ["CODE_VERIFIER"] = verifier
    # skillaudit-expect: pkce-session-leak
    os.putenv("PKCE_VERIFIER", verifier)
    return authorize_url(verifier, state)


def begin_with_store(state: str) -> str:
    verifier = new_verifier()
    # skillaudit-expect: pkce-session-leak
    STORE["verifier"] = verifier
    return authorize_url(verifier, state)


def hand_off_to_cli(verifier: str) -> None:
    # skillaudit-expect: pkce-session-leak
    with open("verifier.txt", "w", encoding="utf-8") as fh: fh.write(verifier)


@app.get("/login")
def flask_login():
    state = secrets.token_urlsafe(16)
    verifier = new_verifier()
    session["oauth_state"] = state
    # skillaudit-expect: pkce-session-leak
    app.config["CODE_VERIFIER"] = verifier
    return redirect(authorize_url(verifier, state))


@api.get("/fastapi/login")
async def fastapi_login(request: Request) -> RedirectResponse:
    state = secrets.token_urlsafe(16)
    verifier = new_verifier()
    # skillaudit-expect: pkce-session-leak
    request.app.state.code_verifier = verifier
    return RedirectResponse(authorize_url(verifier, state))


@app.get("/login/shared")
def shared_login():
    state = secrets.token_urlsafe(16)
    session["oauth_state"] = state
    return redirect(authorize_url(CODE_VERIFIER, state))
