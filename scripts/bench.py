#!/usr/bin/env python3
"""Benchmark skillaudit against the parse floor and semgrep. Run it through scripts/bench.sh.

usage: scripts/bench.sh [--quick] [--no-build] [--rounds N] CORPUS_DIR...

Every timing is a ratio between commands run in turn, round after round (A B C A B C ...), in one call:
the machine is shared and drifts, and it evicts file cache that sits unused, so commands timed in separate
blocks are not comparable. Each single run is timed by hyperfine (`--runs 1`); peak memory comes from
`/usr/bin/time -v`.

Environment: OUT (default /tmp/skillaudit-bench), PARSE_FLOOR (default
/tmp/parse-floor-target/release/parse-floor), SKILLAUDIT (default target/release/skillaudit), SEMGREP (default
`semgrep` on PATH or /tmp/sg/bin/semgrep; skipped when absent), SEMGREP_RULES (default
bench/semgrep-rules.yml), SKIP_SEMGREP=1, SKIP_LINEARITY=1.
"""

import argparse
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The benchmark kit kept in the repository: the parse floor's source and the semgrep rules (bench/README.md).
KIT = ROOT / "bench"
# skillaudit skips files over 2 MiB by default; the floors are given the same limit.
MAX_BYTES = 2 * 1024 * 1024


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def sh(cmd):
    """A command line for hyperfine's shell; skillaudit's exit 1 (findings) counts as success."""
    line = " ".join(shlex.quote(str(c)) for c in cmd)
    if Path(cmd[0]).name == "skillaudit":
        line += "; test $? -le 1"
    return line


def time_once(cmd, tmp):
    """One run of `cmd`, timed by hyperfine: wall seconds."""
    out = Path(tmp) / "run.json"
    subprocess.run(
        ["hyperfine", "--shell=bash", "--runs", "1", "--warmup", "0", "--style", "none",
         "--export-json", str(out), sh(cmd)],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    return json.loads(out.read_text())["results"][0]["times"][0]


def interleaved(commands, rounds, tmp, label):
    """Times each (name, cmd) once per round, in turn, after one warm-up round. Returns name -> [seconds]."""
    times = {name: [] for name, _ in commands}
    for r in range(rounds + 1):
        for name, cmd in commands:
            t = time_once(cmd, tmp)
            if r > 0:
                times[name].append(t)
        log(f"   {label}: round {r}/{rounds}" + (" (warm-up)" if r == 0 else ""))
    return times


def peak_rss(cmd):
    """(wall seconds, peak RSS in MB, exit code) of one run under /usr/bin/time -v."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as f:
        p = subprocess.run(["/usr/bin/time", "-v", "-o", f.name, *map(str, cmd)],
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        text = Path(f.name).read_text()
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1)) / 1024
    wall = 0.0
    for part in re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text).group(1).split(":"):
        wall = wall * 60 + float(part)
    return wall, rss, p.returncode


def stats(ts):
    return {"mean": statistics.mean(ts), "min": min(ts), "sd": statistics.stdev(ts) if len(ts) > 1 else 0.0,
            "runs": len(ts)}


def listing(floor, dirs):
    """parse-floor's file list: (size, path) of every file it would parse."""
    out = subprocess.run([floor, "--list", "--max-bytes", str(MAX_BYTES), *dirs], check=True,
                         capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines():
        size, path = line.split("\t", 1)
        rows.append((int(size), path))
    return rows


def summary_of(sa, args, dirs):
    p = subprocess.run([sa, "scan", *args, "--format", "json", *dirs], capture_output=True, text=True)
    return json.loads(p.stdout)["summary"]


def subsets(rows, root):
    """Hard-linked copies of 1/4 and 1/2 of the corpus files (every 4th / every other file in path order),
    keeping their paths below `root`, so that the mix of languages, sizes and test code stays the same."""
    rows = sorted(rows, key=lambda r: r[1])
    out = []
    for name, keep in (("25", lambda i: i % 4 == 0), ("50", lambda i: i % 2 == 0)):
        base = Path(root) / f"corpus-{name}"
        if base.exists():
            shutil.rmtree(base)
        size = 0
        count = 0
        for i, (s, path) in enumerate(rows):
            if not keep(i):
                continue
            dest = base / path.lstrip("/")
            dest.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(path, dest)
            except OSError:
                shutil.copyfile(path, dest)
            size += s
            count += 1
        out.append((f"{name}%", [str(base)], count, size))
    return out


def git_rev(d):
    p = subprocess.run(["git", "-C", d, "rev-parse", "HEAD"], capture_output=True, text=True)
    return p.stdout.strip() if p.returncode == 0 else "?"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="2 rounds, no semgrep")
    ap.add_argument("--rounds", type=int, help="timed rounds after the warm-up round (default 5, 2 with --quick)")
    ap.add_argument("dirs", nargs="+", metavar="CORPUS_DIR")
    a = ap.parse_args()
    rounds = a.rounds or (2 if a.quick else 5)
    dirs = [str(Path(d).resolve()) for d in a.dirs]
    for d in dirs:
        if not Path(d).is_dir():
            sys.exit(f"bench: not a directory: {d}")
    out = Path(os.environ.get("OUT", "/tmp/skillaudit-bench"))
    out.mkdir(parents=True, exist_ok=True)
    floor = os.environ.get("PARSE_FLOOR", "/tmp/parse-floor-target/release/parse-floor")
    if not os.access(floor, os.X_OK):
        sys.exit(f"bench: parse-floor not found at {floor}; build it with:\n  cargo build --release "
                 f"--manifest-path {KIT}/parse-floor/Cargo.toml --target-dir /tmp/parse-floor-target")
    for tool in ("hyperfine", "/usr/bin/time"):
        if not shutil.which(tool):
            sys.exit(f"bench: {tool} not found (apt-get install -y hyperfine time)")
    # A private copy, so that a rebuild during the benchmark cannot change the binary under test.
    src_bin = Path(os.environ.get("SKILLAUDIT", ROOT / "target" / "release" / "skillaudit"))
    (out / "bin").mkdir(exist_ok=True)
    sa = out / "bin" / "skillaudit"
    shutil.copy2(src_bin, sa)
    semgrep = os.environ.get("SEMGREP") or shutil.which("semgrep") or (
        "/tmp/sg/bin/semgrep" if os.access("/tmp/sg/bin/semgrep", os.X_OK) else None)
    rules = os.environ.get("SEMGREP_RULES", str(KIT / "semgrep-rules.yml"))
    if a.quick or os.environ.get("SKIP_SEMGREP") == "1" or not semgrep:
        semgrep = None

    report = {"date": time.strftime("%Y-%m-%d %H:%M:%S %Z"), "cpus": os.cpu_count(),
              "cpu": next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?"),
              "kernel": platform.release(), "load_at_start": open("/proc/loadavg").read().split()[:3],
              "skillaudit": subprocess.run([sa, "--version"], capture_output=True, text=True).stdout.strip(),
              "rev": git_rev(str(ROOT)), "rounds": rounds,
              "hyperfine": subprocess.run(["hyperfine", "--version"], capture_output=True, text=True).stdout.strip(),
              "corpus": [{"dir": d, "commit": git_rev(d)} for d in dirs]}
    log(f"== corpus: {len(dirs)} dirs")
    rows = listing(floor, dirs)
    report["floor_files"], report["floor_bytes"] = len(rows), sum(s for s, _ in rows)
    report["summary_default"] = summary_of(sa, [], dirs)
    report["summary_all"] = summary_of(sa, ["--include-tests"], dirs)
    all_files = ["--include-tests"]
    no_pf = ["--include-tests", "--no-prefilter"]
    scan = lambda *args: [sa, "scan", *args, "--format", "json", "-o", "/dev/null", *dirs]
    commands = [
        ("read-only floor", [floor, "--read-only", "--max-bytes", MAX_BYTES, *dirs]),
        ("parse floor", [floor, "--max-bytes", MAX_BYTES, *dirs]),
        ("skillaudit", scan()),
        ("skillaudit --include-tests", scan(*all_files)),
        ("skillaudit --include-tests --no-prefilter", scan(*no_pf)),
        ("skillaudit --include-tests --no-prefilter -j 1", scan(*no_pf, "-j", "1")),
        ("skillaudit --include-tests --no-prefilter -j 2", scan(*no_pf, "-j", "2")),
    ]
    with tempfile.TemporaryDirectory() as tmp:
        log("== main: commands in turn")
        times = interleaved(commands, rounds, tmp, "main")
        report["main"] = {k: stats(v) for k, v in times.items()}

        log("== peak RSS (/usr/bin/time -v)")
        report["rss"] = {}
        for name, cmd in [("parse floor", commands[1][1]), ("skillaudit", commands[2][1]),
                          ("skillaudit --include-tests --no-prefilter", commands[4][1])]:
            wall, rss, rc = peak_rss(cmd)
            report["rss"][name] = {"mb": rss, "wall": wall, "exit": rc}

        if semgrep:
            log("== semgrep, between two skillaudit runs on the same files (slow)")
            sg_cmd = [semgrep, "scan", "--config", rules, "--metrics=off", "--disable-version-check", "-j", "2",
                      "--x-ignore-semgrepignore-files", "--exclude", "*.pyi", "-q", "-o", "/dev/null", *dirs]
            before = time_once(commands[3][1], tmp)
            sg_wall, sg_rss, sg_rc = peak_rss(sg_cmd)
            after = time_once(commands[3][1], tmp)
            report["semgrep"] = {
                "version": subprocess.run([semgrep, "--version", "--metrics=off", "--disable-version-check"],
                                          capture_output=True, text=True).stdout.strip(),
                "wall": sg_wall, "rss_mb": sg_rss, "exit": sg_rc,
                "skillaudit_include_tests": [before, after], "command": " ".join(map(str, sg_cmd))}

        if os.environ.get("SKIP_LINEARITY") != "1":
            log("== linearity: 1/4, 1/2 and all of the corpus")
            sets = subsets(rows, tmp) + [("100%", dirs, len(rows), sum(s for s, _ in rows))]
            lin_cmds = []
            for label, ds, _, _ in sets:
                lin_cmds.append((f"skillaudit @{label}", [sa, "scan", "--format", "json", "-o", "/dev/null", *ds]))
                lin_cmds.append((f"skillaudit --include-tests --no-prefilter @{label}",
                                 [sa, "scan", *no_pf, "--format", "json", "-o", "/dev/null", *ds]))
                lin_cmds.append((f"parse floor @{label}", [floor, "--max-bytes", MAX_BYTES, *ds]))
            lt = interleaved(lin_cmds, max(2, rounds - 2), tmp, "linearity")
            report["linearity"] = [{"label": label, "files": n, "bytes": b,
                                    **{name.rsplit(" @", 1)[0]: stats(v)["mean"]
                                       for name, v in lt.items() if name.endswith(f"@{label}")}}
                                   for label, _, n, b in sets]

    (out / "bench.json").write_text(json.dumps(report, indent=1, default=str))
    text = render(report)
    (out / "summary.md").write_text(text)
    print(text)


def render(r):
    m = r["main"]
    mean = lambda k: m[k]["mean"]
    lines = [f"# skillaudit benchmark: {r['skillaudit']} at {r['rev'][:12]}", "",
             f"{r['date']}; {r['cpus']} CPUs ({r['cpu']}); kernel {r['kernel']}; load at start "
             f"{' '.join(r['load_at_start'])}; {r['hyperfine']}; {r['rounds']} rounds after a warm-up round, "
             "commands in turn.", ""]
    d, t = r["summary_default"], r["summary_all"]
    lines += [f"Corpus: {len(r['corpus'])} directories, {r['floor_files']} parseable files, "
              f"{r['floor_bytes'] / 1e6:.1f} MB (parse-floor, files up to 2 MiB). skillaudit by default scans "
              f"{d['files_scanned']} (it skips {d['files_skipped']}, mostly test code) and parses "
              f"{d['files_parsed']}; with --include-tests it scans {t['files_scanned']} and parses "
              f"{t['files_parsed']}.", "",
              "| command | mean s | min s | sd s |", "|---|---:|---:|---:|"]
    for k, s in m.items():
        lines.append(f"| {k} | {s['mean']:.3f} | {s['min']:.3f} | {s['sd']:.3f} |")
    lines += ["", "| ratio | value | target |", "|---|---:|---|",
              f"| skillaudit / read-only floor | {mean('skillaudit') / mean('read-only floor'):.2f} | <= 2 |",
              f"| skillaudit --include-tests / read-only floor | "
              f"{mean('skillaudit --include-tests') / mean('read-only floor'):.2f} | (same files as the floor) |",
              f"| skillaudit --include-tests --no-prefilter / parse floor | "
              f"{mean('skillaudit --include-tests --no-prefilter') / mean('parse floor'):.2f} | <= 1.3 |",
              f"| -j 1 / -j 2 (--include-tests --no-prefilter) | "
              f"{mean('skillaudit --include-tests --no-prefilter -j 1') / mean('skillaudit --include-tests --no-prefilter -j 2'):.2f} | >= 1.7 |"]
    if "semgrep" in r:
        s = r["semgrep"]
        sa = statistics.mean(s["skillaudit_include_tests"])
        lines.append(f"| semgrep / skillaudit --include-tests (same files) | {s['wall'] / sa:.0f} | >= 100 |")
    lines += ["", "| peak RSS | MB |", "|---|---:|"]
    for k, v in r["rss"].items():
        lines.append(f"| {k} | {v['mb']:.1f} |")
    if "semgrep" in r:
        s = r["semgrep"]
        lines += [f"| semgrep | {s['rss_mb']:.1f} |", "",
                  f"semgrep {s['version']}: {s['wall']:.1f} s (exit {s['exit']}); skillaudit --include-tests "
                  f"just before and after: {', '.join(f'{x:.3f}' for x in s['skillaudit_include_tests'])} s.",
                  f"`{s['command']}`"]
    if "linearity" in r:
        lines += ["", "Linearity (every 4th / every other file of the corpus, hard-linked with their paths):", "",
                  "| share | files | MB | skillaudit s | --include-tests --no-prefilter s | MB/s | parse floor s |",
                  "|---|---:|---:|---:|---:|---:|---:|"]
        for row in r["linearity"]:
            mb = row["bytes"] / 1e6
            npf = row["skillaudit --include-tests --no-prefilter"]
            lines.append(f"| {row['label']} | {row['files']} | {mb:.1f} | {row['skillaudit']:.3f} | {npf:.3f} | "
                         f"{mb / npf:.1f} | {row['parse floor']:.3f} |")
    lines += ["", "Corpus commits:", ""]
    lines += [f"- {Path(c['dir']).name}: {c['commit']}" for c in r["corpus"]]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
