// Browser "Connect MCP server" button (React + TSX, Web Crypto).
import { useState } from "react";

type Props = {
  serverName: string;
  authorizeEndpoint: string;
  clientId: string;
};

function base64url(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

async function s256(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

async function authorizeUrl(endpoint: string, clientId: string, codeVerifier: string, state: string): Promise<string> {
  const url = new URL(endpoint);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", clientId);
  url.searchParams.set("redirect_uri", `${window.location.origin}/oauth/callback`);
  url.searchParams.set("code_challenge", await s256(codeVerifier));
  url.searchParams.set("code_challenge_method", "S256");
  url.searchParams.set("state", state);
  return url.toString();
}

export function ConnectMcpServer({ serverName, authorizeEndpoint, clientId }: Props) {
  const [busy, setBusy] = useState(false);

  async function connectWithRedirect() {
    setBusy(true);
    // 16 bytes: 128 bits, half of what RFC 7636 asks for.
    // skillaudit-expect: weak-verifier-entropy
    const codeVerifier = base64url(crypto.getRandomValues(new Uint8Array(16)));
    const state = crypto.randomUUID();
    sessionStorage.setItem("mcp_code_verifier", codeVerifier);
    sessionStorage.setItem("mcp_oauth_state", state);
    window.location.assign(await authorizeUrl(authorizeEndpoint, clientId, codeVerifier, state));
  }

  async function connectWithPopup() {
    setBusy(true);
    // skillaudit-expect: weak-verifier-entropy
    const pkceVerifier = window.crypto.randomUUID();
    const state = base64url(crypto.getRandomValues(new Uint8Array(16)));
    sessionStorage.setItem("mcp_code_verifier", pkceVerifier);
    sessionStorage.setItem("mcp_oauth_state", state);
    const popup = window.open(await authorizeUrl(authorizeEndpoint, clientId, pkceVerifier, state), "mcp-login", "width=480,height=640");
    if (!popup) setBusy(false);
  }

  // Cache-buster only: Date.now() does not touch PKCE here.
  const iconUrl = `/servers/${encodeURIComponent(serverName)}/icon.png?v=${Date.now()}`;

  return (
    <div className="mcp-connect">
      <img src={iconUrl} alt="" width={24} height={24} />
      <button disabled={busy} onClick={() => void connectWithRedirect()}>
        Connect {serverName}
      </button>
      <button disabled={busy} onClick={() => void connectWithPopup()}>
        Connect in a popup
      </button>
    </div>
  );
}
