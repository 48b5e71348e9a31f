"""Loopback OAuth login for a Python MCP client: verifiers from weak sources."""

import base64
import hashlib
import os
import random as r
import secrets
import string
import time
import uuid
from datetime import datetime
from secrets import token_urlsafe as tok
from urllib.parse import urlencode

import httpx

AUTHORIZE_URL = "https://auth.example.com/authorize"
TOKEN_URL = "https://auth.example.com/token"
CLIENT_ID = "mcp-py-client"
REDIRECT_URI = "http://127.0.0.1:8765/callback"
ALPHABET = string.ascii_letters + string.digits + "-._~"


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def authorization_url(code_verifier: str, state: str) -> str:
    query = urlencode({
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "code_challenge": s256(code_verifier),
        "code_challenge_method": "S256",
        "state": state,
    })
    return f"{AUTHORIZE_URL}?{query}"


def make_verifier(length: int = 64) -> str:
    # skillaudit-expect: weak-verifier-entropy
    return "".join(r.choice(ALPHABET) for _ in range(length))


def make_verifier_fast() -> str:
    # skillaudit-expect: weak-verifier-entropy
    return "".join(r.choices(ALPHABET, k=64))


def start_login(state: str) -> tuple[str, str]:
    code_verifier = make_verifier()
    return authorization_url(code_verifier, state), code_verifier


def start_login_fast(state: str) -> tuple[str, str]:
    code_verifier = make_verifier_fast()
    return authorization_url(code_verifier, state), code_verifier


def login_blocking(wait_for_code) -> dict:
    """Not named verifier: hashed into code_challenge, sent as code_verifier."""
    # skillaudit-expect: weak-verifier-entropy
    secret = secrets.token_hex(8)
    state = secrets.token_urlsafe(16)
    code = wait_for_code(authorization_url(secret, state), state)
    resp = httpx.post(TOKEN_URL, data={"grant_type": "authorization_code", "code": code, "code_verifier": secret, "redirect_uri": REDIRECT_URI, "client_id": CLIENT_ID})
    resp.raise_for_status()
    return resp.json()


class LoginFlow:
    def __init__(self, state: str) -> None:
        self.state = state
        self.code_verifier = self._new_verifier()

    def _new_verifier(self) -> str:
        # skillaudit-expect: weak-verifier-entropy
        return uuid.uuid4().hex

    def url(self) -> str:
        return authorization_url(self.code_verifier, self.state)


def bits_verifier() -> str:
    # skillaudit-expect: weak-verifier-entropy
    verifier = format(r.getrandbits(64), "x")
    return verifier


def clock_verifier() -> str:
    # skillaudit-expect: weak-verifier-entropy
    pkce_verifier = str(time.time()).replace(".", "")
    return pkce_verifier


def timestamp_verifier() -> str:
    # skillaudit-expect: weak-verifier-entropy
    code_verifier = datetime.now().isoformat()
    return code_verifier


def short_token_verifier() -> str:
    # 16 bytes is 128 bits.
    # skillaudit-expect: weak-verifier-entropy
    code_verifier = tok(16)
    return code_verifier


def urandom_verifier() -> str:
    # skillaudit-expect: weak-verifier-entropy
    raw = os.urandom(16)
    code_verifier = base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")
    return code_verifier


def fixed_verifier() -> str:
    # skillaudit-expect: weak-verifier-entropy
    code_verifier = "mcp-local-testing-verifier-0123456789abcdefghijk"
    return code_verifier


def truncated_verifier() -> str:
    # skillaudit-expect: weak-verifier-entropy
    code_verifier = secrets.token_urlsafe(64)[:20]
    return code_verifier


def hashed_clock_verifier() -> str:
    # skillaudit-expect: weak-verifier-entropy
    code_verifier = hashlib.sha256(f"{CLIENT_ID}:{time.time()}".encode()).hexdigest()
    return code_verifier
