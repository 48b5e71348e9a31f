const code_verifier: string = "\uD800\uD800";
const m = { code_challenge_method: "plain" } satisfies Record<string, "\uDFFF">;
