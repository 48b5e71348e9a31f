// MCP gateway (Express, ESM) that logs users in to an upstream identity
// provider. Verifiers are strong, but they are kept where every session and
// every concurrent login can read or overwrite them.
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import express from "express";

const app = express();
const AUTHORIZE = "https://idp.example.com/oauth2/authorize";
const CLIENT_ID = "mcp-gateway";
const REDIRECT_URI = "https://mcp.example.com/oauth/callback";

// Created at import time: one verifier for every user of the process.
// skillaudit-expect: pkce-session-leak
const codeVerifier = crypto.randomBytes(32).toString("base64url");

let pendingVerifier;

function newVerifier() {
  return crypto.randomBytes(32).toString("base64url");
}

function authorizeUrl(verifier, state) {
  const params = new URLSearchParams({
    response_type: "code",
    client_id: CLIENT_ID,
    redirect_uri: REDIRECT_URI,
    code_challenge: crypto.createHash("sha256").update(verifier).digest("base64url"),
    code_challenge_method: "S256",
    state,
  });
  return `${AUTHORIZE}?${params}`;
}

function newState(req) {
  const state = crypto.randomBytes(16).toString("hex");
  req.session.oauthState = state;
  return state;
}

app.get("/login/shared", (req, res) => {
  res.redirect(authorizeUrl(codeVerifier, newState(req)));
});

app.get("/login", (req, res) => {
  // skillaudit-expect: pkce-session-leak
  pendingVerifier = newVerifier();
  res.redirect(authorizeUrl(pendingVerifier, newState(req)));
});

app.get("/login/worker", (req, res) => {
  const verifier = newVerifier();
  // skillaudit-expect: pkce-session-leak
  global.pkceVerifier = verifier;
  res.redirect(authorizeUrl(verifier, newState(req)));
});

app.get("/login/env", (req, res) => {
  const verifier = newVerifier();
  // skillaudit-expect: pkce-session-leak
  process.env.CODE_VERIFIER = verifier;
  res.redirect(authorizeUrl(verifier, newState(req)));
});

app.get("/login/locals", (req, res) => {
  const verifier = newVerifier();
  // skillaudit-expect: pkce-session-leak
  app.locals.codeVerifier = verifier;
  res.redirect(authorizeUrl(verifier, newState(req)));
});

// Hands the verifier to a CLI helper through a well-known file.
export function persistForCli(verifier) {
  // skillaudit-expect: pkce-session-leak
  fs.writeFileSync(path.join(os.tmpdir(), "code_verifier.txt"), verifier, { mode: 0o600 });
}

app.get("/oauth/callback", async (req, res) => {
  if (req.query.state !== req.session.oauthState) {
    res.status(400).send("state mismatch");
    return;
  }
  const verifier = pendingVerifier ?? process.env.CODE_VERIFIER ?? app.locals.codeVerifier;
  const tokenRes = await fetch("https://idp.example.com/oauth2/token", {
    method: "POST",
    body: new URLSearchParams({ grant_type: "authorization_code", code: String(req.query.code), code_verifier: verifier, redirect_uri: REDIRECT_URI }),
  });
  req.session.upstreamTokens = await tokenRes.json();
  res.redirect("/");
});

export default app;
