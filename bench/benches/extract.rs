//! Micro benchmark of the per-file work on the bundled fixtures: parsing alone, and parsing plus extraction
//! and every rule (what `scan` does to a file that passes the prefilter). The ratio of the two is the cost of
//! the rules on top of parsing; regressions show here without a corpus. Run with `cargo bench -p skillaudit-bench` (its own crate, so that `cargo test` never builds criterion).

use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use skillaudit::lang::{self, Lang};
use skillaudit::scan;

fn fixture_files() -> Vec<(Lang, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("fixtures directory") {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else {
                out.push(path);
            }
        }
    }
    let mut paths = Vec::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures"),
        &mut paths,
    );
    paths.sort();
    paths
        .into_iter()
        .filter_map(|p| Some((Lang::from_path(&p)?, std::fs::read_to_string(&p).ok()?)))
        .collect()
}

fn per_file(c: &mut Criterion) {
    let files = fixture_files();
    let bytes: usize = files.iter().map(|(_, t)| t.len()).sum();
    let mut group = c.benchmark_group("fixtures");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("parse", |b| {
        b.iter(|| {
            for (l, text) in &files {
                let _ = std::hint::black_box(lang::parse(*l, text));
            }
        })
    });
    group.bench_function("parse+extract+rules", |b| {
        b.iter(|| {
            for (l, text) in &files {
                std::hint::black_box(scan::analyze(*l, text, false).ok());
            }
        })
    });
    group.bench_function("prefilter", |b| {
        b.iter_batched(
            || files.clone(),
            |files| {
                for (_, text) in &files {
                    std::hint::black_box(skillaudit::prefilter::mentions(text).any());
                }
            },
            BatchSize::SmallInput,
        )
    });
    group.finish();
}

criterion_group!(benches, per_file);
criterion_main!(benches);
