// MCP client authorization done right (TypeScript). The weak generators that
// appear here never produce a verifier.
import * as c from "node:crypto";
import { v4 as uuidv4 } from "uuid";
import { nanoid } from "nanoid";
import pkceChallenge from "pkce-challenge";

interface AuthServer {
  authorization_endpoint: string;
  token_endpoint: string;
}

const CLIENT_ID = "mcp-ts-client";
const REDIRECT_URI = "http://127.0.0.1:47821/oauth/callback";

function base64url(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64url");
}

function authorizeUrl(as: AuthServer, challenge: string, state: string): string {
  const params = new URLSearchParams({
    response_type: "code",
    client_id: CLIENT_ID,
    redirect_uri: REDIRECT_URI,
    code_challenge: challenge,
    code_challenge_method: "S256",
    state,
  });
  return `${as.authorization_endpoint}?${params.toString()}`;
}

export async function startWithPkceChallenge(as: AuthServer) {
  const { code_verifier, code_challenge } = await pkceChallenge();
  const state = uuidv4();
  return { url: authorizeUrl(as, code_challenge, state), code_verifier, state };
}

export function startWithWebCrypto(as: AuthServer) {
  const codeVerifier = base64url(c.getRandomValues(new Uint8Array(32)));
  const codeChallenge = c.createHash("sha256").update(codeVerifier).digest("base64url");
  const state = nanoid();
  return { url: authorizeUrl(as, codeChallenge, state), codeVerifier, state };
}

export class McpOAuthSession {
  private readonly verifier = c.randomBytes(32).toString("base64url");
  readonly state = c.randomUUID();
  readonly startedAt = new Date().getTime();

  url(as: AuthServer): string {
    const challenge = c.createHash("sha256").update(this.verifier).digest("base64url");
    return authorizeUrl(as, challenge, this.state);
  }

  expired(now = Date.now()): boolean {
    return now - this.startedAt > 10 * 60 * 1000;
  }

  async exchange(as: AuthServer, code: string): Promise<unknown> {
    const started = performance.now();
    const res = await fetch(as.token_endpoint, {
      method: "POST",
      headers: { "x-request-id": uuidv4() },
      body: new URLSearchParams({ grant_type: "authorization_code", code, code_verifier: this.verifier, redirect_uri: REDIRECT_URI }),
    });
    console.debug(`token exchange took ${Math.round(performance.now() - started)} ms`);
    return res.json();
  }
}

// MCP SDK-style provider: the SDK generates the verifier and hands it to us.
export class FileBackedProvider {
  private _codeVerifier?: string;

  saveCodeVerifier(codeVerifier: string): void {
    this._codeVerifier = codeVerifier;
  }

  codeVerifier(): string {
    if (!this._codeVerifier) throw new Error("no code verifier saved for this session");
    return this._codeVerifier;
  }
}

export function retryAfter(attempt: number): number {
  return 500 * 2 ** attempt + Math.random() * 250;
}
