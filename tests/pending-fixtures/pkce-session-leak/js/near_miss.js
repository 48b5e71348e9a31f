// MCP gateway (Express, CommonJS) keeping each verifier with the login that
// created it: framework session, maps keyed by state, per-session cache keys.
"use strict";

const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");
const express = require("express");
const session = require("express-session");
const { LRUCache } = require("lru-cache");

const VERIFIER_TTL_MS = 600_000;
const pending = new Map();
const cache = new LRUCache({ max: 1000, ttl: VERIFIER_TTL_MS });
const HANDOFF_DIR = path.join(__dirname, "handoff");

const app = express();
app.use(session({ secret: process.env.SESSION_SECRET, resave: false, saveUninitialized: false }));

function newVerifier() {
  return crypto.randomBytes(32).toString("base64url");
}

function authorizeUrl(verifier, state) {
  const params = new URLSearchParams({
    response_type: "code",
    client_id: "mcp-gateway",
    redirect_uri: "https://mcp.example.com/oauth/callback",
    code_challenge: crypto.createHash("sha256").update(verifier).digest("base64url"),
    code_challenge_method: "S256",
    state,
  });
  return `https://idp.example.com/oauth2/authorize?${params}`;
}

class PkceAttempt {
  constructor() {
    this.state = crypto.randomBytes(16).toString("hex");
    this.codeVerifier = newVerifier();
  }
}

app.get("/login", (req, res) => {
  const state = crypto.randomBytes(16).toString("hex");
  const verifier = newVerifier();
  req.session.codeVerifier = verifier;
  req.session.oauthState = state;
  res.redirect(authorizeUrl(verifier, state));
});

app.get("/login/popup", (req, res) => {
  const attempt = new PkceAttempt();
  const verifier = attempt.codeVerifier;
  pending.set(attempt.state, { verifier, createdAt: Date.now() });
  res.redirect(authorizeUrl(verifier, attempt.state));
});

app.get("/login/cached", (req, res) => {
  const state = crypto.randomBytes(16).toString("hex");
  const verifier = newVerifier();
  cache.set(`pkce:${req.sessionID}`, verifier);
  req.session.oauthState = state;
  res.redirect(authorizeUrl(verifier, state));
});

// ctx belongs to the caller; writing into it does not share anything.
function attachPkce(ctx) {
  ctx.verifier = newVerifier();
  ctx.url = authorizeUrl(ctx.verifier, ctx.state);
  return ctx;
}

function handOff(state, verifier) {
  fs.writeFileSync(path.join(HANDOFF_DIR, `verifier-${state}.txt`), verifier, { mode: 0o600, flag: "wx" });
}

function takePending(state) {
  const entry = pending.get(state);
  pending.delete(state);
  if (!entry || Date.now() - entry.createdAt > VERIFIER_TTL_MS) return undefined;
  return entry.verifier;
}

module.exports = { app, attachPkce, handOff, takePending };
