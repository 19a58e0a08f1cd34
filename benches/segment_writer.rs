//! Criterion bench of the segment writer (release build: `cargo bench --bench segment_writer`):
//! 64 MiB written into a part file as a segmented download writes it, 4 segments taking turns
//! with 16 KiB chunks (hyper's usual size) through `SegmentWriter` (gathered, written at their
//! offsets, each segment's progress saved every MiB), against the same bytes written in order
//! through one buffered file (what a single connection costs). The writer must stay far faster
//! than any network it fetches from: 4 × 20 MB/s needs 80 MB/s.

use std::hint::black_box;
use std::io::Write;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use haul::transfer::PartSegments;

const SIZE: u64 = 64 * 1024 * 1024;
const CHUNK: usize = 16 * 1024;

fn open_part(dir: &std::path::Path) -> (std::path::PathBuf, std::fs::File) {
    let part = dir.join("file.bin.haul-part");
    let file = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(&part)
        .expect("part file");
    (part, file)
}

/// Every segment of a fresh part written, the writers taking turns chunk by chunk.
fn segmented(dir: &std::path::Path, conns: usize, chunk: &[u8]) {
    // The part is truncated: a saved state from the round before no longer fits it, so the
    // plan starts afresh.
    let (part, file) = open_part(dir);
    let segments = PartSegments::open(&part, file, SIZE, conns).expect("plan");
    let mut writers: Vec<_> = (0..segments.count())
        .filter_map(|i| segments.writer(i))
        .collect();
    while !writers.is_empty() {
        writers.retain_mut(|w| {
            let taken = w.write(chunk).expect("write");
            black_box(taken);
            w.room() > 0
        });
    }
    assert_eq!(segments.done(), SIZE);
}

/// The same bytes in order through one buffered file.
fn sequential(dir: &std::path::Path, chunk: &[u8]) {
    let (_, file) = open_part(dir);
    let mut out = std::io::BufWriter::with_capacity(256 * 1024, file);
    let mut left = SIZE as usize;
    while left > 0 {
        let n = left.min(chunk.len());
        out.write_all(&chunk[..n]).expect("write");
        left -= n;
    }
    out.flush().expect("flush");
}

fn bench(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("tempdir");
    let chunk = vec![0x5au8; CHUNK];
    let mut group = c.benchmark_group("segment_writer_64MiB");
    group.throughput(Throughput::Bytes(SIZE));
    group.sample_size(10);
    group.bench_function("4 segments, 16 KiB chunks", |b| {
        b.iter_batched(
            || (),
            |()| segmented(dir.path(), 4, &chunk),
            BatchSize::PerIteration,
        )
    });
    group.bench_function("1 segment, 16 KiB chunks", |b| {
        b.iter_batched(
            || (),
            |()| segmented(dir.path(), 1, &chunk),
            BatchSize::PerIteration,
        )
    });
    group.bench_function("sequential BufWriter (reference)", |b| {
        b.iter(|| sequential(dir.path(), &chunk))
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
