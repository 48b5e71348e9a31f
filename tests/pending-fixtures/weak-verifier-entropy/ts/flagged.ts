// OAuth client for a remote MCP server (TypeScript, ESM).
// Each verifier has fewer than 256 bits of secure randomness.
import * as c from "node:crypto";
import { v4 as uuidv4 } from "uuid";
import { nanoid } from "nanoid";

interface AuthServer {
  authorization_endpoint: string;
  token_endpoint: string;
}

const CLIENT_ID = "mcp-ts-client";
const REDIRECT_URI = "http://127.0.0.1:47821/oauth/callback";

function s256(value: string): string {
  return c.createHash("sha256").update(value).digest("base64url");
}

function authorizeUrl(as: AuthServer, challenge: string, state: string): string {
  const url = new URL(as.authorization_endpoint);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", CLIENT_ID);
  url.searchParams.set("redirect_uri", REDIRECT_URI);
  url.searchParams.set("code_challenge", challenge);
  url.searchParams.set("code_challenge_method", "S256");
  url.searchParams.set("state", state);
  return url.toString();
}

// Arrow helper: reported on its body, not where it is called.
// skillaudit-expect: weak-verifier-entropy
const newProof = (): string => uuidv4();

export async function loginOnce(as: AuthServer, waitForCode: (url: string) => Promise<string>) {
  const proof = newProof();
  const state = c.randomBytes(16).toString("hex");
  const code = await waitForCode(authorizeUrl(as, s256(proof), state));
  const res = await fetch(as.token_endpoint, {
    method: "POST",
    body: new URLSearchParams({ grant_type: "authorization_code", code, code_verifier: proof, redirect_uri: REDIRECT_URI }),
  });
  return (await res.json()) as { access_token: string };
}

// Identified only because it is hashed into code_challenge.
export function startWithHashedSecret(as: AuthServer, state: string) {
  // skillaudit-expect: weak-verifier-entropy
  const secret = Buffer.from(c.getRandomValues(new Uint8Array(16))).toString("base64url");
  const params = new URLSearchParams({
    response_type: "code",
    client_id: CLIENT_ID,
    redirect_uri: REDIRECT_URI,
    code_challenge: c.createHash("sha256").update(secret).digest("base64url"),
    code_challenge_method: "S256",
    state,
  });
  return { url: `${as.authorization_endpoint}?${params}`, secret };
}

function pkcePair(): { verifier: string; challenge: string } {
  // skillaudit-expect: weak-verifier-entropy
  const verifier = nanoid(21);
  return { verifier, challenge: s256(verifier) };
}

export function startWithPair(as: AuthServer, state: string) {
  const { verifier: codeVerifier, challenge } = pkcePair();
  return { url: authorizeUrl(as, challenge, state), codeVerifier };
}

export class PkceSession {
  readonly codeVerifier: string;

  constructor(readonly state: string) {
    this.codeVerifier = this.createVerifier();
  }

  private createVerifier(): string {
    // skillaudit-expect: weak-verifier-entropy
    return c.randomUUID().replaceAll("-", "");
  }

  url(as: AuthServer): string {
    return authorizeUrl(as, s256(this.codeVerifier), this.state);
  }
}

export function clockVerifier(): string {
  // skillaudit-expect: weak-verifier-entropy
  const pkceVerifier: string = new Date().getTime().toString(36);
  return pkceVerifier;
}

export function shortBytesVerifier(): string {
  // 24 bytes is 192 bits.
  // skillaudit-expect: weak-verifier-entropy
  const code_verifier = c.randomBytes(24).toString("base64url");
  return code_verifier;
}

export function cutHexVerifier(): string {
  // 32 hex characters carry 128 bits.
  // skillaudit-expect: weak-verifier-entropy
  const codeVerifier = c.randomBytes(32).toString("hex").substring(0, 32);
  return codeVerifier;
}
