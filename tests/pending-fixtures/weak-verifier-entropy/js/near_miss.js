// MCP HTTP client with OAuth (ESM). Verifiers are strong; the weak sources
// here only make state, jitter, request ids, log nonces and cache-busters.
import { randomBytes, randomUUID, createHash } from "node:crypto";
import { nanoid } from "nanoid";
import * as oauth from "oauth4webapi";

const AUTH_BASE = "https://auth.example.com";
const CLIENT_ID = "mcp-http-client";
const REDIRECT_URI = "http://127.0.0.1:33418/callback";

function s256(value) {
  return createHash("sha256").update(value).digest("base64url");
}

function backoffDelay(attempt) {
  // Jitter: Math.random is fine here.
  return Math.min(30_000, 250 * 2 ** attempt) + Math.floor(Math.random() * 100);
}

export async function callTool(endpoint, name, args, attempt = 0) {
  const requestId = randomUUID();
  const logNonce = nanoid(8);
  console.debug(`[${logNonce}] tools/call ${name} started at ${performance.now()}`);
  const res = await fetch(`${endpoint}?_=${Date.now()}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: requestId, method: "tools/call", params: { name, arguments: args } }),
  });
  if (res.status === 503 && attempt < 5) {
    await new Promise((resolve) => setTimeout(resolve, backoffDelay(attempt)));
    return callTool(endpoint, name, args, attempt + 1);
  }
  return res.json();
}

export function startLogin() {
  const codeVerifier = randomBytes(32).toString("base64url");
  const state = Math.random().toString(36).slice(2);
  const params = new URLSearchParams({
    response_type: "code",
    client_id: CLIENT_ID,
    redirect_uri: REDIRECT_URI,
    code_challenge: s256(codeVerifier),
    code_challenge_method: "S256",
    state,
  });
  return { url: `${AUTH_BASE}/authorize?${params}`, codeVerifier, state };
}

export function hexVerifier() {
  // 64 bytes as hex: 128 characters, 512 bits.
  const code_verifier = randomBytes(64).toString("hex");
  return code_verifier;
}

export function trimmedVerifier() {
  // 86 base64url characters cut to 64: still 384 bits.
  const pkceVerifier = randomBytes(64).toString("base64url").slice(0, 64);
  return pkceVerifier;
}

export async function startLoginWithLibrary(as, client) {
  const codeVerifier = oauth.generateRandomCodeVerifier();
  const codeChallenge = await oauth.calculatePKCECodeChallenge(codeVerifier);
  const state = oauth.generateRandomState();
  const url = new URL(as.authorization_endpoint);
  url.searchParams.set("client_id", client.client_id);
  url.searchParams.set("redirect_uri", REDIRECT_URI);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("code_challenge", codeChallenge);
  url.searchParams.set("code_challenge_method", "S256");
  url.searchParams.set("state", state);
  return { url, codeVerifier, state };
}

// The verifier is a parameter: its origin is unknown here, so no finding.
export async function exchangeCode(code, codeVerifier) {
  const res = await fetch(`${AUTH_BASE}/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "authorization_code", code, code_verifier: codeVerifier, redirect_uri: REDIRECT_URI, client_id: CLIENT_ID }),
  });
  return res.json();
}

// Read back from the session in an Express callback handler.
export async function oauthCallback(req, res) {
  const verifier = req.session.codeVerifier;
  const tokens = await exchangeCode(String(req.query.code), verifier);
  req.session.tokens = tokens;
  res.redirect("/");
}
