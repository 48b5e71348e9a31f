// Browser MCP inspector: sign in to a remote MCP server (React + TSX).
// localStorage and window properties outlive the login and are shared by
// every tab and script of the origin; sessionStorage is per tab.
import { useCallback, useState } from "react";

declare global {
  interface Window {
    codeVerifier?: string;
  }
}

type LoginProps = {
  authorizeEndpoint: string;
  clientId: string;
  mode: "redirect" | "popup" | "tab";
};

function base64url(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function randomVerifier(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

async function buildAuthorizeUrl(endpoint: string, clientId: string, verifier: string, state: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  const params = new URLSearchParams({
    response_type: "code",
    client_id: clientId,
    redirect_uri: `${window.location.origin}/oauth/callback`,
    code_challenge: base64url(new Uint8Array(digest)),
    code_challenge_method: "S256",
    state,
  });
  return `${endpoint}?${params}`;
}

export function McpSignIn({ authorizeEndpoint, clientId, mode }: LoginProps) {
  const [error, setError] = useState<string | null>(null);

  const signIn = useCallback(async () => {
    const verifier = randomVerifier();
    const state = crypto.randomUUID();
    sessionStorage.setItem("mcp_oauth_state", state);
    if (mode === "redirect") {
      // skillaudit-expect: pkce-session-leak
      localStorage.setItem("pkce_verifier", verifier);
    } else if (mode === "popup") {
      // skillaudit-expect: pkce-session-leak
      window.codeVerifier = verifier;
    } else {
      // Per-tab storage: not a finding.
      sessionStorage.setItem("pkce_verifier", verifier);
    }
    const url = await buildAuthorizeUrl(authorizeEndpoint, clientId, verifier, state);
    if (mode === "popup") {
      if (!window.open(url, "mcp-login", "width=480,height=640")) setError("Popup blocked");
    } else {
      window.location.assign(url);
    }
  }, [authorizeEndpoint, clientId, mode]);

  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        void signIn();
      }}
    >
      <button type="submit">Sign in to MCP server</button>
      {error && <p role="alert">{error}</p>}
    </form>
  );
}
