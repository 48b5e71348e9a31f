#!/usr/bin/env python3
"""Times skillaudit against the parse floor on the hostile shapes of scripts/hostile.py.

usage: scripts/bench_hostile.py [--size BYTES] [--scales 0.25,0.5,1,2] [--shapes a,b] [--langs js,ts,py]
                                [--rounds N] [--timeout S] [--out DIR]

For every shape, language and scale, the file (SIZE x scale bytes) is written alone in a directory, and
`parse-floor DIR` and `skillaudit scan DIR --format json` are timed in turn, round after round, after one
warm-up round (the machine is shared and drifts, so only commands timed in the same rounds are compared).
Peak RSS of each comes from one run under `/usr/bin/time -v`. A scale above 1 is given a matching
`--max-file-size` (and `--max-bytes` to the floor), so that the linearity rows can pass the 2 MiB default.

Prints a Markdown table (shape, language, size, parse floor s, skillaudit s, ratio, peak RSS of both, the
number of findings) and writes it with the raw numbers to OUT (default /tmp/skillaudit-hostile).

Environment: PARSE_FLOOR (default /tmp/parse-floor-target/release/parse-floor), SKILLAUDIT (default
$CARGO_TARGET_DIR/release/skillaudit, else target/release/skillaudit), BEFORE (optional: an older
skillaudit binary, timed and measured in the same rounds; its time, RSS and whether its report is
byte-for-byte the same are added to each row).
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import hostile  # noqa: E402


def tool_paths():
    floor = os.environ.get("PARSE_FLOOR", "/tmp/parse-floor-target/release/parse-floor")
    target = Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    sa = os.environ.get("SKILLAUDIT", str(target / "release" / "skillaudit"))
    return floor, sa


def run(cmd, timeout):
    """Wall seconds of one run (None past the timeout) and its standard output."""
    start = time.perf_counter()
    try:
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, b""
    return time.perf_counter() - start, p.stdout


def peak_rss(cmd, timeout):
    """Peak RSS in MiB of one run under /usr/bin/time -v (None past the timeout)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as f:
        try:
            subprocess.run(["/usr/bin/time", "-v", "-o", f.name, *cmd], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        text = Path(f.name).read_text()
    return int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1)) / 1024


def fmt(x, digits=3):
    return "timeout" if x is None else f"{x:.{digits}f}"


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--size", type=int, default=hostile.SIZE)
    p.add_argument("--scales", default="1")
    p.add_argument("--shapes", default=",".join(hostile.SHAPES))
    p.add_argument("--langs", default=",".join(hostile.LANGS))
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--timeout", type=float, default=120.0, help="seconds per skillaudit run")
    p.add_argument("--out", type=Path, default=Path("/tmp/skillaudit-hostile"))
    args = p.parse_args()
    floor, sa = tool_paths()
    before = os.environ.get("BEFORE")
    args.out.mkdir(parents=True, exist_ok=True)
    rows = []
    header = ("| shape | lang | size MB | parse floor s | skillaudit s | ratio | floor RSS MiB "
              "| skillaudit RSS MiB | RSS ratio | findings |")
    rule = "\n|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"
    if before:
        header += " before s | before ratio | before RSS MiB | before RSS ratio | same report |"
        rule += "---:|---:|---:|---:|---|"
    header += rule
    print(header, flush=True)
    for shape in args.shapes.split(","):
        for lang in args.langs.split(","):
            for scale in map(float, args.scales.split(",")):
                size = int(args.size * scale)
                d = args.out / f"{shape}-{lang}-{scale:g}"
                d.mkdir(exist_ok=True)
                path = d / f"{shape}.{lang}"
                path.write_text(hostile.SHAPES[shape](lang, size))
                limit = str(max(size + 4096, 2 * 1024 * 1024))
                floor_cmd = [floor, "--max-bytes", limit, str(d)]
                sa_cmd = [sa, "scan", str(d), "--format", "json", "--max-file-size", limit]
                b_cmd = [before, *sa_cmd[1:]] if before else None
                ft, st, bt, findings, same = [], [], [], None, None
                for r in range(args.rounds + 1):
                    f, _ = run(floor_cmd, None)
                    s, out = run(sa_cmd, args.timeout)
                    if b_cmd:
                        b, b_out = run(b_cmd, args.timeout)
                        if r > 0:
                            bt.append(b)
                        if b is not None and s is not None:
                            same = (same is not False) and b_out == out
                    if r > 0 or s is None:
                        ft.append(f)
                        st.append(s)
                    if s is None:
                        break
                    findings = json.loads(out)["summary"]["findings"]
                    counts = json.loads(out)["summary"]["files_parsed"]
                    assert counts == 1, f"{path}: not parsed ({counts})"
                f_med = statistics.median(ft) if ft else None
                s_med = None if not st or None in st else statistics.median(st)
                f_rss = peak_rss(floor_cmd, None)
                s_rss = peak_rss(sa_cmd, args.timeout) if s_med is not None else None
                row = {
                    "shape": shape, "lang": lang, "scale": scale, "bytes": path.stat().st_size,
                    "floor_s": f_med, "skillaudit_s": s_med, "floor_runs": ft, "skillaudit_runs": st,
                    "ratio": None if s_med is None or not f_med else s_med / f_med,
                    "floor_rss": f_rss, "skillaudit_rss": s_rss, "findings": findings,
                }
                extra = ""
                if b_cmd:
                    b_med = None if not bt or None in bt else statistics.median(bt)
                    b_rss = peak_rss(b_cmd, args.timeout) if b_med is not None else None
                    row.update(before_s=b_med, before_runs=bt, before_rss=b_rss, same_report=same)
                    extra = (f" {fmt(b_med)} | {fmt(b_med / f_med if b_med else None, 2)} | {fmt(b_rss, 1)} | "
                             f"{fmt(b_rss / f_rss if b_rss else None, 2)} | {same} |")
                rows.append(row)
                rss_ratio = None if s_rss is None else s_rss / f_rss
                ratio = fmt(row["ratio"], 2) if s_med is not None else f"> {args.timeout / f_med:.0f}"
                print(f"| {shape} | {lang} | {row['bytes'] / 1e6:.2f} | {fmt(f_med)} | "
                      f"{fmt(s_med) if s_med is not None else f'> {args.timeout:g}'} | {ratio} | "
                      f"{fmt(f_rss, 1)} | {fmt(s_rss, 1)} | {fmt(rss_ratio, 2)} | {findings} |{extra}", flush=True)
    (args.out / "hostile.json").write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
