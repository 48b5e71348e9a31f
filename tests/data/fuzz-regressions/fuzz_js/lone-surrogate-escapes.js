const code_verifier = "\uD800" + '\uDC00x' + "\u{D800}";
const challenge = `\uDBFF${code_verifier}\uDFFF`;
const p = { response_type: "code\uD800", code_challenge_method: "pl\u0061in" };
