<!-- skillaudit-ignore: oauth-without-pkce
const p = { response_type: "code" };
--> skillaudit-ignore
