// Remote MCP server's login to its upstream provider (TypeScript). Strong
// verifiers, shared stores: class statics, globals, constant cache keys, a
// fixed file.
import { createHash, randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { LRUCache } from "lru-cache";
import { createClient } from "redis";

declare global {
  // eslint-disable-next-line no-var
  var codeVerifier: string | undefined;
}

const AUTHORIZE = "https://idp.example.com/authorize";
const CLIENT_ID = "mcp-upstream";
const REDIRECT_URI = "https://mcp.example.com/oauth/callback";
const CONFIG_DIR = join(homedir(), ".config", "mcp-server");

const cache = new LRUCache<string, string>({ max: 500, ttl: 600_000 });
const redis = createClient({ url: process.env.REDIS_URL });

let currentVerifier: string | undefined;

function newVerifier(): string {
  return randomBytes(32).toString("base64url");
}

function authorizeUrl(verifier: string, state: string): string {
  const url = new URL(AUTHORIZE);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", CLIENT_ID);
  url.searchParams.set("redirect_uri", REDIRECT_URI);
  url.searchParams.set("code_challenge", createHash("sha256").update(verifier).digest("base64url"));
  url.searchParams.set("code_challenge_method", "S256");
  url.searchParams.set("state", state);
  return url.toString();
}

export class OAuthFlow {
  static verifier: string | undefined;

  static begin(state: string): string {
    const v = newVerifier();
    // skillaudit-expect: pkce-session-leak
    OAuthFlow.verifier = v;
    return authorizeUrl(v, state);
  }
}

export class DefaultPkce {
  // Evaluated once, when the class is defined.
  // skillaudit-expect: pkce-session-leak
  static readonly codeVerifier = randomBytes(32).toString("base64url");
}

export function beginWithModuleState(state: string): string {
  // skillaudit-expect: pkce-session-leak
  currentVerifier = newVerifier();
  return authorizeUrl(currentVerifier, state);
}

export function beginWithGlobal(state: string): string {
  const v = newVerifier();
  // skillaudit-expect: pkce-session-leak
  globalThis.codeVerifier = v;
  return authorizeUrl(v, state);
}

export function beginWithCache(state: string): string {
  const verifier = newVerifier();
  // skillaudit-expect: pkce-session-leak
  cache.set("pkce_verifier", verifier);
  return authorizeUrl(verifier, state);
}

export async function beginWithRedis(state: string): Promise<string> {
  const verifier = newVerifier();
  // skillaudit-expect: pkce-session-leak
  await redis.set("code_verifier", verifier, { EX: 600 });
  return authorizeUrl(verifier, state);
}

export async function beginWithFile(state: string): Promise<string> {
  const verifier = newVerifier();
  // skillaudit-expect: pkce-session-leak
  await writeFile(join(CONFIG_DIR, "code_verifier.txt"), verifier, { mode: 0o600 });
  return authorizeUrl(verifier, state);
}

export async function redeem(code: string): Promise<unknown> {
  const verifier = OAuthFlow.verifier ?? currentVerifier ?? cache.get("pkce_verifier");
  if (!verifier) throw new Error("no pending login");
  const res = await fetch("https://idp.example.com/token", {
    method: "POST",
    body: new URLSearchParams({ grant_type: "authorization_code", code, code_verifier: verifier, redirect_uri: REDIRECT_URI }),
  });
  return res.json();
}
