#!/usr/bin/env python3
"""Writes OAuth-dense files that used to make skillaudit's per-file analyses super-linear.

usage: scripts/hostile.py [--size BYTES] [--shapes a,b] [--langs js,ts,py] OUTDIR

Each shape is written in JavaScript (.js), TypeScript (.ts) and Python (.py) as OUTDIR/SHAPE.EXT, grown
to about BYTES (default 1,900,000: under skillaudit's 2 MiB limit) by repeating one block. The shapes
(docs/performance.md, "Hostile shapes"):

  same-url     one request URL variable of the same name in each of many functions
  same-method  many classes, each calling a same-named `this.makeVerifier()` / `self.make_verifier()`
  cross        cross-assignments among five verifier-like names (`codeVerifier = state;` ...)
  self-ref     a verifier reassigned to itself doubled, over and over (`v = v + v`)
  doubling     chains of strings that double at every step, with rebindings, each ~4 KB, one per function
  huge-string  OAuth code with one huge string literal inside, used in requests and verifiers

Standard library only; the output is deterministic.
"""

import argparse
import sys
from pathlib import Path

SIZE = 1_900_000
LANGS = ("js", "ts", "py")


def grow(head, block, size, tail=""):
    """head + block(0) + block(1) + ... + tail, stopping before `size` bytes."""
    out = [head]
    total = len(head) + len(tail)
    i = 0
    while True:
        b = block(i)
        if total + len(b) > size:
            break
        out.append(b)
        total += len(b)
        i += 1
    out.append(tail)
    return "".join(out)


def ann(lang, t):
    """A TypeScript type annotation, or nothing."""
    return f": {t}" if lang == "ts" else ""


JS_HEAD = 'import { randomBytes, createHash, randomUUID } from "node:crypto";\n\n'
PY_HEAD = "import base64\nimport hashlib\nimport secrets\nimport uuid\nfrom urllib.parse import urlencode\n\n"


def same_url(lang, size):
    if lang == "py":
        def block(i):
            return (
                f"def authorize_{i}(client_id, redirect_uri):\n"
                f"    state = secrets.token_urlsafe(16)\n"
                f"    params = {{\"response_type\": \"code\", \"client_id\": client_id}}\n"
                f"    params[\"redirect_uri\"] = redirect_uri\n"
                f"    params[\"state\"] = state\n"
                f"    query = urlencode(params)\n"
                f"    url = f\"https://auth.example.com/authorize?{{query}}\"\n"
                f"    link = \"https://auth.example.com/authorize?response_type=code&client_id=\" + client_id\n"
                f"    url = link + \"&state=\" + state\n"
                f"    return url\n\n"
            )
        return grow(PY_HEAD, block, size)
    s = ann(lang, "string")
    def block(i):
        return (
            f"export function authorize{i}(clientId{s}, redirectUri{s}) {{\n"
            f"  const state = randomBytes(16).toString(\"hex\");\n"
            f"  const url = new URL(\"https://auth.example.com/authorize\");\n"
            f"  url.searchParams.set(\"response_type\", \"code\");\n"
            f"  url.searchParams.set(\"client_id\", clientId);\n"
            f"  url.searchParams.set(\"state\", state);\n"
            f"  const params = new URLSearchParams({{ response_type: \"code\", client_id: clientId }});\n"
            f"  params.set(\"redirect_uri\", redirectUri);\n"
            f"  const query = `response_type=code&client_id=${{clientId}}`;\n"
            f"  const link = \"https://auth.example.com/authorize?\" + query + \"&state=\" + state;\n"
            f"  return [url.toString(), params.toString(), link];\n"
            f"}}\n\n"
        )
    return grow(JS_HEAD, block, size)


def same_method(lang, size):
    if lang == "py":
        def block(i):
            source = "str(uuid.uuid4())" if i % 10 == 0 else "secrets.token_urlsafe(32)"
            return (
                f"class Client{i}:\n"
                f"    def make_verifier(self):\n"
                f"        return {source}\n\n"
                f"    def start(self):\n"
                f"        code_verifier = self.make_verifier()\n"
                f"        digest = hashlib.sha256(code_verifier.encode()).digest()\n"
                f"        code_challenge = base64.urlsafe_b64encode(digest).rstrip(b\"=\")\n"
                f"        return code_verifier, code_challenge\n\n"
            )
        return grow(PY_HEAD, block, size)
    def block(i):
        source = "randomUUID()" if i % 10 == 0 else 'randomBytes(32).toString("base64url")'
        return (
            f"export class Client{i} {{\n"
            f"  makeVerifier(){ann(lang, 'string')} {{\n"
            f"    return {source};\n"
            f"  }}\n"
            f"  start() {{\n"
            f"    const codeVerifier = this.makeVerifier();\n"
            f"    const codeChallenge = createHash(\"sha256\").update(codeVerifier).digest(\"base64url\");\n"
            f"    return {{ codeVerifier, codeChallenge }};\n"
            f"  }}\n"
            f"}}\n\n"
        )
    return grow(JS_HEAD, block, size)


NAMES_JS = ["codeVerifier", "pkceVerifier", "verifier", "nextVerifier", "state"]
NAMES_PY = ["code_verifier", "pkce_verifier", "verifier", "next_verifier", "state"]


def cross(lang, size):
    names = NAMES_PY if lang == "py" else NAMES_JS
    if lang == "py":
        head = PY_HEAD + "".join(f"{n} = secrets.token_urlsafe(32)\n" for n in names[:4])
        head += "state = str(uuid.uuid4())\n"
    else:
        s = ann(lang, "string")
        head = JS_HEAD + "".join(
            f"let {n}{s} = randomBytes(32).toString(\"base64url\");\n" for n in names[:4])
        head += f"let state{s} = randomUUID();\n"
    end = "" if lang == "py" else ";"

    def block(i):
        a, b = names[i % 5], names[(i * 3 + 1) % 5]
        if a == b:
            b = names[(i + 2) % 5]
        return f"{a} = {b}{end}\n"
    tail = ("\n\ndef send():\n    return {\"code_verifier\": code_verifier}\n" if lang == "py"
            else "\nexport function send() {\n  return { code_verifier: codeVerifier };\n}\n")
    return grow(head, block, size, tail)


def self_ref(lang, size):
    if lang == "py":
        head = PY_HEAD + "code_verifier = secrets.token_urlsafe(32)\n"
        line = "code_verifier = code_verifier + code_verifier\n"
        tail = "\n\ndef send():\n    return {\"code_verifier\": code_verifier}\n"
    else:
        head = JS_HEAD + f"let codeVerifier{ann(lang, 'string')} = randomBytes(32).toString(\"hex\");\n"
        line = "codeVerifier = codeVerifier + codeVerifier;\n"
        tail = "\nexport function send() {\n  return { code_verifier: codeVerifier };\n}\n"
    return grow(head, lambda i: line, size, tail)


def doubling(lang, size, chain=4000):
    """Per function, a ~`chain`-byte chain of verifier strings that double at every link and are rebound with
    `+=` (`v1 = v0 + v0; v1 += v0; v2 = `${v1}${v1}`; ...`), then a request built from the last link."""
    def body(i, py):
        ind = "    " if py else "  "
        name = (lambda n: f"code_verifier_{n}") if py else (lambda n: f"codeVerifier{n}")
        decl = "" if py else "let "
        end = "" if py else ";"
        lines = [f"{ind}{decl}{name(0)} = \"k{i}\"{end}\n"]
        n = 0
        while sum(map(len, lines)) < chain:
            n += 1
            p, c = name(n - 1), name(n)
            if n % 2:
                lines.append(f"{ind}{decl}{c} = {p} + {p}{end}\n")
            elif py:
                lines.append(f"{ind}{c} = f\"{{{p}}}{{{p}}}\"\n")
            else:
                lines.append(f"{ind}{decl}{c} = `${{{p}}}${{{p}}}`;\n")
            lines.append(f"{ind}{c} += {p}{end}\n")
        last = name(n)
        if py:
            lines.append(f"{ind}return f\"https://a.example/authorize?response_type=code&client_id="
                         f"{{{last}}}&state={{{last}}}&code_challenge={{{last}}}\"\n\n")
        else:
            lines.append(f"{ind}return `https://a.example/authorize?response_type=code&client_id="
                         f"${{{last}}}&state=${{{last}}}&code_challenge=${{{last}}}`;\n")
        return "".join(lines)
    if lang == "py":
        return grow(PY_HEAD, lambda i: f"def chain_{i}():\n" + body(i, True), size)
    return grow(JS_HEAD, lambda i: f"export function chain{i}() {{\n" + body(i, False) + "}\n\n", size)


def text_lines(n_bytes, hole="", every=0):
    """About `n_bytes` of 79-character lines of text; every `every`-th line ends with `hole`."""
    lines, total, i = [], 0, 0
    while total < n_bytes:
        line = f"line {i:07d} of a long embedded document, template or data blob; nothing to see here."[:79]
        if every and i % every == every - 1:
            line += hole
        lines.append(line)
        total += len(line) + 1
        i += 1
    return "\n".join(lines)


def huge_string(lang, size):
    """About 60 OAuth functions around two huge multi-line strings (lines stay short, so the file is not taken
    for a minified bundle): BLOB without holes and PAGE with a hole every 40 lines, used in requests and
    verifiers."""
    if lang == "py":
        def fn(i):
            return (
                f"def authorize_{i}(client_id):\n"
                f"    code_verifier = BLOB[:64] + secrets.token_urlsafe(32)\n"
                f"    code_challenge = base64.urlsafe_b64encode(hashlib.sha256(code_verifier.encode()).digest())\n"
                f"    url = \"https://a.example/authorize?response_type=code&client_id=\" + client_id + BLOB\n"
                f"    other = f\"{{PAGE}}?response_type=code&state={{BLOB}}&code_challenge={{code_challenge}}\"\n"
                f"    params = {{\"response_type\": \"code\", \"client_id\": client_id, \"state\": BLOB}}\n"
                f"    return url, other, urlencode(params)\n\n"
            )
        code = "".join(fn(i) for i in range(60))
        room = max(0, size - len(PY_HEAD) - len(code) - 64) // 2
        blobs = (f"CLIENT_ID = \"abc\"\nBLOB = \"\"\"{text_lines(room)}\"\"\"\n"
                 f"PAGE = f\"\"\"{text_lines(room, '{CLIENT_ID}', 40)}\"\"\"\n\n")
        return PY_HEAD + blobs + code
    s = ann(lang, "string")

    def fn(i):
        return (
            f"export function authorize{i}(clientId{s}) {{\n"
            f"  const codeVerifier = BLOB.slice(0, 64) + randomBytes(32).toString(\"base64url\");\n"
            f"  const codeChallenge = createHash(\"sha256\").update(codeVerifier).digest(\"base64url\");\n"
            f"  const url = \"https://a.example/authorize?response_type=code&client_id=\" + clientId + BLOB;\n"
            f"  const other = `${{PAGE}}?response_type=code&state=${{BLOB}}&code_challenge=${{codeChallenge}}`;\n"
            f"  const params = new URLSearchParams({{ response_type: \"code\", client_id: clientId, state: BLOB }});\n"
            f"  return [url, other, params.toString()];\n"
            f"}}\n\n"
        )
    code = "".join(fn(i) for i in range(60))
    room = max(0, size - len(JS_HEAD) - len(code) - 64) // 2
    blobs = (f"const CLIENT_ID = \"abc\";\nconst BLOB = `{text_lines(room)}`;\n"
             f"const PAGE = `{text_lines(room, '${CLIENT_ID}', 40)}`;\n\n")
    return JS_HEAD + blobs + code


SHAPES = {
    "same-url": same_url,
    "same-method": same_method,
    "cross": cross,
    "self-ref": self_ref,
    "doubling": doubling,
    "huge-string": huge_string,
}


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("outdir", type=Path)
    p.add_argument("--size", type=int, default=SIZE, help="bytes per file (default %(default)s)")
    p.add_argument("--shapes", default=",".join(SHAPES), help="comma-separated shapes (default: all)")
    p.add_argument("--langs", default=",".join(LANGS), help="comma-separated js,ts,py (default: all)")
    args = p.parse_args()
    args.outdir.mkdir(parents=True, exist_ok=True)
    for shape in args.shapes.split(","):
        if shape not in SHAPES:
            sys.exit(f"unknown shape {shape!r}; known: {', '.join(SHAPES)}")
        for lang in args.langs.split(","):
            if lang not in LANGS:
                sys.exit(f"unknown language {lang!r}; known: {', '.join(LANGS)}")
            path = args.outdir / f"{shape}.{lang}"
            path.write_text(SHAPES[shape](lang, args.size))
            print(path)


if __name__ == "__main__":
    main()
