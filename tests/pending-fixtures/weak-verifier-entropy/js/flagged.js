// Loopback OAuth login for a desktop MCP client (CommonJS).
// Every verifier below comes from a weak or too-short source.
"use strict";

const { randomBytes: rb, createHash } = require("crypto");
const { nanoid } = require("nanoid");

const AUTH_BASE = "https://auth.example.com";
const CLIENT_ID = "mcp-desktop-client";
const REDIRECT_URI = "http://127.0.0.1:33418/callback";
const CHARSET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";

function s256(value) {
  return createHash("sha256").update(value).digest("base64url");
}

// The finding belongs inside the helper, not at its caller.
function makeVerifier() {
  // skillaudit-expect: weak-verifier-entropy
  return Math.random().toString(36).substring(2);
}

function randomVerifierChars(length = 64) {
  let out = "";
  for (let i = 0; i < length; i += 1) {
    // skillaudit-expect: weak-verifier-entropy
    out += CHARSET[Math.floor(Math.random() * CHARSET.length)];
  }
  return out;
}

function authorizeUrl(codeVerifier, state) {
  const params = new URLSearchParams({
    response_type: "code",
    client_id: CLIENT_ID,
    redirect_uri: REDIRECT_URI,
    code_challenge: s256(codeVerifier),
    code_challenge_method: "S256",
    state,
  });
  return `${AUTH_BASE}/authorize?${params}`;
}

function startQuickLogin(state) {
  const codeVerifier = makeVerifier();
  return { url: authorizeUrl(codeVerifier, state), codeVerifier };
}

function startLongLogin(state) {
  const codeVerifier = randomVerifierChars();
  return { url: authorizeUrl(codeVerifier, state), codeVerifier };
}

// Not named "verifier": identified because it is hashed into code_challenge
// and sent as code_verifier in the token request.
async function loginWithLoopback(waitForCode) {
  // skillaudit-expect: weak-verifier-entropy
  const secret = rb(16).toString("hex");
  const state = rb(16).toString("hex");
  const code = await waitForCode(authorizeUrl(secret, state), state);
  const res = await fetch(`${AUTH_BASE}/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "authorization_code", code, code_verifier: secret, redirect_uri: REDIRECT_URI, client_id: CLIENT_ID }),
  });
  return res.json();
}

function timestampVerifier() {
  // skillaudit-expect: weak-verifier-entropy
  const codeVerifier = `mcp-${Date.now()}-${process.pid}`;
  return codeVerifier;
}

function truncatedVerifier() {
  // 43 characters would be 256 bits; 20 is about 120.
  // skillaudit-expect: weak-verifier-entropy
  const codeVerifier = rb(32).toString("base64url").slice(0, 20);
  return codeVerifier;
}

function hashedClockVerifier() {
  // skillaudit-expect: weak-verifier-entropy
  const pkceVerifier = createHash("sha256").update(String(Date.now())).digest("base64url");
  return pkceVerifier;
}

function shortIdVerifier() {
  // nanoid() defaults to 21 characters (~126 bits).
  // skillaudit-expect: weak-verifier-entropy
  const code_verifier = nanoid();
  return code_verifier;
}

function verifierForEnvironment() {
  let codeVerifier = rb(32).toString("base64url");
  if (process.env.MCP_FIXED_PKCE === "1") {
    // skillaudit-expect: weak-verifier-entropy
    codeVerifier = "dev-fixed-verifier-0123456789abcdefghijklmnopqrstuv";
  }
  return codeVerifier;
}

class RefreshingAuth {
  constructor(state) {
    this.state = state;
  }

  begin() {
    // skillaudit-expect: weak-verifier-entropy
    this.codeVerifier = String(performance.now()).replace(".", "");
    return authorizeUrl(this.codeVerifier, this.state);
  }
}

module.exports = {
  startQuickLogin,
  startLongLogin,
  loginWithLoopback,
  timestampVerifier,
  truncatedVerifier,
  hashedClockVerifier,
  shortIdVerifier,
  verifierForEnvironment,
  RefreshingAuth,
};
