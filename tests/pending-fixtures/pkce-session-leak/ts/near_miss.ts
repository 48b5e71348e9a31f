// Per-session verifier storage for an MCP server's upstream login (TypeScript).
// Nothing here is shared between authorization sessions.
import { createHash, randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "redis";

interface PendingAuth {
  verifier: string;
  expiresAt: number;
}

interface LoginContext {
  sessionId: string;
  verifier?: string;
  challenge?: string;
}

const VERIFIER_TTL_MS = 600_000;
const verifiers = new Map<string, PendingAuth>();
const redis = createClient({ url: process.env.REDIS_URL });

function newVerifier(): string {
  return randomBytes(32).toString("base64url");
}

function challengeOf(verifier: string): string {
  return createHash("sha256").update(verifier).digest("base64url");
}

export function authorizeUrl(verifier: string, state: string): string {
  const params = new URLSearchParams({
    response_type: "code",
    client_id: "mcp-upstream",
    redirect_uri: "https://mcp.example.com/oauth/callback",
    code_challenge: challengeOf(verifier),
    code_challenge_method: "S256",
    state,
  });
  return `https://idp.example.com/authorize?${params}`;
}

// Shaped like the MCP SDK's OAuthClientProvider storage methods.
export class SessionOAuthProvider {
  private static readonly VERIFIER_BYTES = 32;
  private _codeVerifier?: string;

  constructor(readonly sessionId: string) {}

  saveCodeVerifier(codeVerifier: string): void {
    this._codeVerifier = codeVerifier;
  }

  codeVerifier(): string {
    if (!this._codeVerifier) throw new Error("no code verifier saved for this session");
    return this._codeVerifier;
  }

  freshVerifier(): string {
    return randomBytes(SessionOAuthProvider.VERIFIER_BYTES).toString("base64url");
  }
}

export function beginKeyedByState(): string {
  const state = randomBytes(16).toString("hex");
  const verifier = newVerifier();
  verifiers.set(state, { verifier, expiresAt: Date.now() + VERIFIER_TTL_MS });
  return authorizeUrl(verifier, state);
}

export async function beginKeyedBySession(sessionId: string): Promise<string> {
  const state = randomBytes(16).toString("hex");
  const verifier = newVerifier();
  await redis.set(`pkce:${sessionId}`, verifier, { PX: VERIFIER_TTL_MS });
  return authorizeUrl(verifier, state);
}

// The caller owns ctx; writing into it is not a shared store.
export function attachPkce(ctx: LoginContext): void {
  ctx.verifier = newVerifier();
  ctx.challenge = challengeOf(ctx.verifier);
}

export async function handOffToWorker(state: string, verifier: string): Promise<string> {
  const file = join(tmpdir(), `verifier-${state}.txt`);
  await writeFile(file, verifier, { mode: 0o600, flag: "wx" });
  return file;
}

export function takeVerifier(state: string): string | undefined {
  const pending = verifiers.get(state);
  verifiers.delete(state);
  if (!pending || pending.expiresAt < Date.now()) return undefined;
  return pending.verifier;
}
