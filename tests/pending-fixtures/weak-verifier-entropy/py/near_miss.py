"""Python MCP client OAuth helpers with strong verifiers.

Weak generators appear only for state, jitter, request ids and timestamps.
"""

import base64
import hashlib
import random
import secrets
import string
import time
import uuid
from datetime import datetime, timezone
from urllib.parse import urlencode

import httpx
from authlib.common.security import generate_token
from flask import session

AUTHORIZE_URL = "https://auth.example.com/authorize"
TOKEN_URL = "https://auth.example.com/token"
CLIENT_ID = "mcp-py-client"
REDIRECT_URI = "http://127.0.0.1:8765/callback"
UNRESERVED = string.ascii_letters + string.digits + "-._~"
_sysrand = random.SystemRandom()


def s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def authorization_url(code_verifier: str) -> tuple[str, str]:
    state = uuid.uuid4().hex
    params = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT_URI,
        "code_challenge": s256(code_verifier),
        "code_challenge_method": "S256",
        "state": state,
    }
    return f"{AUTHORIZE_URL}?{urlencode(params)}", state


def token_verifier() -> str:
    code_verifier = secrets.token_urlsafe(32)
    return code_verifier


def long_token_verifier() -> str:
    return secrets.token_urlsafe(64)


def bytes_verifier() -> str:
    raw = secrets.token_bytes(32)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def choice_verifier() -> str:
    code_verifier = "".join(secrets.choice(UNRESERVED) for _ in range(64))
    return code_verifier


def system_random_verifier() -> str:
    pkce_verifier = "".join(_sysrand.choice(UNRESERVED) for _ in range(128))
    return pkce_verifier


def authlib_verifier() -> str:
    code_verifier = generate_token(48)
    return code_verifier


def sliced_verifier() -> str:
    # 96 bytes give 128 characters; the slice keeps all of them.
    code_verifier = secrets.token_urlsafe(96)[:128]
    return code_verifier


def backoff(attempt: int) -> float:
    return min(30.0, 0.25 * 2 ** attempt) + random.uniform(0, 0.1)


def call_tool(endpoint: str, name: str, arguments: dict, attempt: int = 0) -> dict:
    request_id = str(uuid.uuid4())
    started = time.time()
    payload = {"jsonrpc": "2.0", "id": request_id, "method": "tools/call", "params": {"name": name, "arguments": arguments}}
    resp = httpx.post(endpoint, json=payload, headers={"x-log-nonce": format(random.getrandbits(32), "08x")})
    if resp.status_code == 503 and attempt < 5:
        time.sleep(backoff(attempt))
        return call_tool(endpoint, name, arguments, attempt + 1)
    print(f"{datetime.now(timezone.utc).isoformat()} {name} took {time.time() - started:.3f}s")
    return resp.json()


def exchange(code: str, code_verifier: str) -> dict:
    """The verifier is a parameter here: unknown origin, no finding."""
    resp = httpx.post(TOKEN_URL, data={"grant_type": "authorization_code", "code": code, "code_verifier": code_verifier, "redirect_uri": REDIRECT_URI, "client_id": CLIENT_ID})
    resp.raise_for_status()
    return resp.json()


def oauth_callback(code: str) -> dict:
    verifier = session.pop("code_verifier")
    return exchange(code, verifier)
