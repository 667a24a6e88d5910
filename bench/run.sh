#!/usr/bin/env bash
# isrc-stamp's benchmark: generates its own corpus, times isrc-stamp against reference
# tools on the same files (medians of several runs, via hyperfine), and prints the
# ratios beside their targets.
#
#   bash bench/run.sh            # everything (needs ~15 GB of free disk in $BENCH_DIR)
#   ONLY=rf64 bash bench/run.sh  # just the 4.5 GB RF64 master's rows
#   ONLY=export bash bench/run.sh  # just the ledger export rows (no audio corpus)
#   ONLY=floors bash bench/run.sh  # just the rows against the floors (24/96 album, 2,000 files)
#   ONLY=ddp bash bench/run.sh  # just the CD rows (ddp write, verify DDPDIR)
#   ONLY=import bash bench/run.sh  # just the ledger import rows (no audio corpus)
#   ONLY=release bash bench/run.sh  # just the release rows (a 20-track release, 1,000,000 codes)
#   RUNS=9 bash bench/run.sh     # more runs per measure (PAIRED_RUNS: 2 × RUNS by default)
#
# Needs: cargo, hyperfine, flac, ffmpeg, sha256sum, GNU time (/usr/bin/time), python3;
# for the floor rows, openssl and fpcalc (apt-get install libchromaprint-tools);
# for the PostgreSQL rows, psql and a server (BENCH_POSTGRES, see below), else skipped;
# for the export row against sqlite3, the sqlite3 shell, else skipped.
# On Debian: apt-get install hyperfine flac ffmpeg time
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
BENCH_DIR=${BENCH_DIR:-/tmp/isrc-stamp-bench}
RUNS=${RUNS:-5}
PAIRED_RUNS=${PAIRED_RUNS:-$((RUNS * 2))}
BIN=$ROOT/target/release/isrc-stamp
case "${ONLY:-}" in
    "" | rf64 | export | floors | ddp | import | release) ;;
    *) echo "bench: ONLY=$ONLY: expected rf64, export, floors, ddp, import or release" >&2; exit 2 ;;
esac
mkdir -p "$BENCH_DIR"
cd "$BENCH_DIR"

for tool in hyperfine flac ffmpeg sha256sum /usr/bin/time python3; do
    command -v "$tool" >/dev/null || { echo "bench: $tool is missing (apt-get install hyperfine flac ffmpeg time)" >&2; exit 2; }
done

echo "== building (release)" >&2
cargo build --release --quiet --manifest-path "$ROOT/Cargo.toml" --bin isrc-stamp --example fill_ledger

# ---------------------------------------------------------------- corpus
# Music-like enough for FLAC to work for its living: a few tones, a slow sweep and
# pink noise, different per track (seeded).
make_wav() { # out seconds rate codec seed
    local out=$1 secs=$2 rate=$3 codec=$4 seed=$5
    [ -f "$out" ] && return
    local f1=$((110 + seed * 37 % 400)) f2=$((220 + seed * 91 % 700))
    ffmpeg -v error -y \
        -f lavfi -i "sine=f=$f1:r=$rate:d=$secs" \
        -f lavfi -i "sine=f=$f2:r=$rate:d=$secs,volume=0.5" \
        -f lavfi -i "anoisesrc=r=$rate:d=$secs:a=0.08:c=pink:seed=$seed" \
        -filter_complex "[0][1][2]amix=3,aformat=channel_layouts=stereo" \
        -c:a "$codec" -ar "$rate" "$out"
}
echo "== corpus in $BENCH_DIR" >&2
if [ -z "${ONLY:-}" ]; then
make_wav master.wav 300 96000 pcm_s24le 1
[ -f master.flac ] || flac -s -f -o master.flac master.wav
mkdir -p album
for i in $(seq -w 1 12); do
    make_wav "album/$i.wav" 240 44100 pcm_s16le "$((10#$i + 100))"
    [ -f "album/$i.flac" ] || flac -s -f -o "album/$i.flac" "album/$i.wav"
done
make_wav hour.wav 3600 96000 pcm_s24le 7
fi
if [ -z "${ONLY:-}" ] || [ "${ONLY:-}" = ddp ]; then
# A 12-track, 50-minute CD album (16/44.1), assigned once on a ledger of its own.
mkdir -p cd
for i in $(seq -w 1 12); do
    make_wav "cd/$i.wav" 250 44100 pcm_s16le "$((10#$i + 200))"
done
if [ ! -f ledger-cd.sqlite3 ]; then
    "$BIN" -q --ledger ledger-cd.sqlite3.part init --prefix QZ-BEN >/dev/null
    "$BIN" -q --ledger ledger-cd.sqlite3.part assign cd >/dev/null
    mv ledger-cd.sqlite3.part ledger-cd.sqlite3
fi
fi
if [ "${ONLY:-}" = "" ] || [ "${ONLY:-}" = floors ]; then
# The floors' corpus: 12 × 4-minute 24/96 masters (1.66 GB of PCM) as WAV and as FLAC,
# and 2,000 files of 10 s (16/44.1 WAV, 3.5 GB), each its own melody.
mkdir -p album96 album96-flac
for i in $(seq -w 1 12); do
    make_wav "album96/$i.wav" 240 96000 pcm_s24le "$((10#$i + 300))"
    [ -f "album96-flac/$i.flac" ] || flac -s -f -o "album96-flac/$i.flac" "album96/$i.wav"
done
if [ ! -f many/1999.wav ]; then
    mkdir -p many
    # Each file a melody of its own: 40 notes of 0.25 s drawn from two octaves (noise
    # alone would sound alike to the fingerprint, and a batch of it is all conflicts).
    python3 - <<'EOP'
import math, random, struct
rate, note = 44100, 11025
blocks = []
for pitch in range(24):
    f = 220 * 2 ** (pitch / 12)
    frames = bytearray()
    for i in range(note):
        v = int(12000 * math.sin(2 * math.pi * f * i / rate) * min(1, (note - i) / 2000, i / 200))
        frames += struct.pack("<hh", v, v // 2)
    blocks.append(bytes(frames))
for n in range(2000):
    pick = random.Random(n)
    data = b"".join(blocks[pick.randrange(24)] for _ in range(40))
    header = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVEfmt " + struct.pack(
        "<IHHIIHH", 16, 1, 2, rate, rate * 4, 4, 16) + b"data" + struct.pack("<I", len(data))
    with open(f"many/{n:04}.wav", "wb") as f:
        f.write(header + data)
EOP
fi
fi
if [ "${ONLY:-}" = "" ] || [ "${ONLY:-}" = release ]; then
# A 20-track release: 20 × 30 s of 16/44.1 WAV, each with a title and an artist (RIFF
# INFO), as a release's masters have.
mkdir -p release20-raw release20
for i in $(seq -w 1 20); do
    make_wav "release20-raw/$i.wav" 30 44100 pcm_s16le "$((10#$i + 400))"
    [ -f "release20/$i.wav" ] || ffmpeg -v error -i "release20-raw/$i.wav" -c copy \
        -metadata title="Track $i" -metadata artist="Bench Ensemble" "release20/$i.wav"
done
fi
if [ "${ONLY:-}" = "" ] || [ "${ONLY:-}" = export ] || [ "${ONLY:-}" = release ]; then
if [ ! -f ledger-1m.sqlite3 ]; then
    echo "== filling a ledger with 1,000,000 recordings (about a minute)" >&2
    "$ROOT/target/release/examples/fill_ledger" ledger-1m.sqlite3.part 1000000 >/dev/null
    mv ledger-1m.sqlite3.part ledger-1m.sqlite3
fi
if [ ! -f ledger-100k.sqlite3 ]; then
    "$ROOT/target/release/examples/fill_ledger" ledger-100k.sqlite3.part 100000 >/dev/null
    mv ledger-100k.sqlite3.part ledger-100k.sqlite3
fi
fi
# A master over 4 GiB: 2 h 10 min of 24/96 stereo as RF64 (4.49 GB).
if { [ "${ONLY:-}" = "" ] || [ "${ONLY:-}" = rf64 ]; } && [ ! -f long.rf64.wav ]; then
    ffmpeg -v error -y -f lavfi -i "sine=f=233:r=96000:d=7800" \
        -f lavfi -i "anoisesrc=r=96000:d=7800:a=0.05:c=pink:seed=9" \
        -filter_complex "[0][1]amix=2,aformat=channel_layouts=stereo" \
        -c:a pcm_s24le -rf64 always long.rf64.wav.part.wav
    mv long.rf64.wav.part.wav long.rf64.wav
fi

# ---------------------------------------------------------------- helpers
median() { # hyperfine json → median seconds of command $2
    python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][int(sys.argv[2])]["median"])' "$1" "$2"
}
hf() { # json, then hyperfine arguments
    local json=$1; shift
    sync; sleep 3 # let writeback from the previous measure finish first
    hyperfine --style none --runs "$RUNS" --warmup 1 --export-json "$json" "$@" >/dev/null 2>&1 \
        || { echo "bench: hyperfine failed for: $*" >&2; hyperfine --runs 1 "$@" >&2; exit 2; }
}
ROWS=()
row() { # measure, isrc-stamp seconds, reference seconds, target comparison ("" for none), target text
    local ratio
    ratio=$(python3 -c "print(f'{$2/$3:.3f}')")
    local verdict
    verdict=""
    [ -z "$4" ] || verdict=$(python3 -c "print('meets' if $ratio $4 else 'MISSES')")
    ROWS+=("$(printf '| %s | %.3f s | %.3f s | %s× | %s %s |' "$1" "$2" "$3" "$ratio" "$5" "$verdict")")
}
# A fresh, untagged copy of the album and a fresh ledger, before each writing run.
cat > reset-album.sh <<EOS
rm -rf work-album ledger-album.sqlite3*
cp -r album work-album
"$BIN" -q --ledger ledger-album.sqlite3 init --prefix QZ-BEN >/dev/null
EOS
reset_album() { bash reset-album.sh; }

# Ratios of runs doing (nearly) the same work alternate their runs (bench/alternate.py)
# and are twice as many: a drift in the machine's speed then falls on both sides alike.
alternate() { # json, prepare, commands
    local json=$1 prepare=$2; shift 2
    sync; sleep 3
    python3 "$ROOT/bench/alternate.py" "$json" "$PAIRED_RUNS" "$prepare" "$@" \
        || { echo "bench: a run failed in: $*" >&2; exit 2; }
}

# ---------------------------------------------------------------- measures
peak() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null | tail -1; }
MEM=()
mem_row() { # measure, KiB
    MEM+=("$(printf '| %s | %.1f MiB | ≤ 64 MiB | %s |' "$1" "$(python3 -c "print($2/1024)")" \
        "$(python3 -c "print('meets' if $2 <= 65536 else 'MISSES')")")")
}
rf64_rows() {
    echo "== RF64 master over 4 GiB: inspect vs sha256sum, peak memory" >&2
    RUNS=${RF64_RUNS:-3} hf rf64.json "$BIN inspect long.rf64.wav" "sha256sum long.rf64.wav"
    row "inspect 2 h 10 min 24/96 RF64 ($(( $(stat -c %s long.rf64.wav) / 1000000 )) MB) vs sha256sum" \
        "$(median rf64.json 0)" "$(median rf64.json 1)" "<= 0.4" "≤ 0.4×"
    mem_row "peak memory, inspect the RF64 master" "$(peak "$BIN" inspect long.rf64.wav)"
    rm -f long-copy.wav ledger-long.sqlite3*
    cp long.rf64.wav long-copy.wav
    "$BIN" -q --ledger ledger-long.sqlite3 init --prefix QZ-BEN >/dev/null
    mem_row "peak memory, assign the RF64 master" "$(peak "$BIN" -q --ledger ledger-long.sqlite3 assign long-copy.wav)"
    rm -f long-copy.wav
}
# The full export's columns straight from the same tables, times formatted as the export
# formats them: what the sqlite3 shell does for the same rows.
EXPORT_SQL="SELECT r.code AS isrc, r.title, r.artist, r.version_note, r.status, r.origin, r.parent, r.relation,
 strftime('%Y-%m-%dT%H:%M:%SZ', r.issued_at, 'unixepoch') AS issued_at, r.issued_by, r.void_reason,
 a.audio_id, a.frames, a.rate AS sample_rate, a.channels, a.bits, a.first_path,
 strftime('%Y-%m-%dT%H:%M:%SZ', a.added_at, 'unixepoch') AS added_at
 FROM recording AS r LEFT JOIN audio AS a ON a.isrc = r.code ORDER BY r.code, a.audio_id"
EXPORT_NOTE=""
export_rows() {
    echo "== ledger export: 100,000 recordings as CSV vs sqlite3 -csv; peak memory of 1,000,000" >&2
    if command -v sqlite3 >/dev/null; then
        # The same cells in the same rows (sqlite3 quotes more and ends lines with CRLF):
        # the two do the same work.
        "$BIN" -q --ledger ledger-100k.sqlite3 ledger export > export-100k.csv
        sqlite3 -csv -header ledger-100k.sqlite3 "$EXPORT_SQL" > sqlite3-100k.csv
        python3 -c 'import csv, sys; sys.exit(list(csv.reader(open(sys.argv[1], newline=""))) != list(csv.reader(open(sys.argv[2], newline=""))))' \
            export-100k.csv sqlite3-100k.csv \
            || { echo "bench: ledger export and sqlite3 -csv give other cells on ledger-100k.sqlite3" >&2; exit 2; }
        rm -f export-100k.csv sqlite3-100k.csv
        # Alternating: this machine's speed drifts by more than the ratio within seconds.
        alternate export.json "" "$BIN -q --ledger ledger-100k.sqlite3 ledger export" \
            "sqlite3 -csv -header ledger-100k.sqlite3 \"$EXPORT_SQL\""
        row "ledger export, 100,000 recordings (CSV) vs sqlite3 -csv of the same tables" \
            "$(median export.json 0)" "$(median export.json 1)" "" "(no target)"
    else
        EXPORT_NOTE="The export row against sqlite3 was skipped: sqlite3 is missing (apt-get install sqlite3)."
    fi
    mem_row "peak memory, ledger export of 1,000,000 recordings (CSV)" \
        "$(peak "$BIN" -q --ledger ledger-1m.sqlite3 ledger export)"
}
# The floor of a command: the work it cannot avoid, done by the fastest tools here
# (OpenSSL's SHA-256 and MD5, libFLAC's decoder, fpcalc's Chromaprint), on both cores:
# `xargs -P2` over the files, so the floor is that work divided by 2 cores. fpcalc is
# given the first 120 s, as much as isrc-stamp fingerprints (acoustic::MAX_SECONDS).
# evict.py FOLDER...: drops the files under the folders from the page cache (a cold
# read), as a script: alternate.py runs its PREPARE in a shell of its own.
cat > evict.py <<'EOP'
import os, sys
for root in sys.argv[1:]:
    for folder, _, names in os.walk(root):
        for name in names:
            fd = os.open(os.path.join(folder, name), os.O_RDONLY)
            os.fsync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
            os.close(fd)
EOP
floor_rows() {
    command -v fpcalc >/dev/null && command -v openssl >/dev/null \
        || { echo "bench: the floor rows need fpcalc and openssl (apt-get install libchromaprint-tools openssl)" >&2; exit 2; }
    local verify_wav="printf '%s\\n' album96/*.wav | xargs -P2 -n1 sh -c 'openssl dgst -sha256 \"\$1\" && openssl dgst -md5 \"\$1\"' _ >/dev/null"
    local verify_flac="printf '%s\\n' album96-flac/*.flac | xargs -P2 -n1 sh -c 'flac -dcs \"\$1\" | openssl dgst -sha256' _ >/dev/null"
    local dry_wav="printf '%s\\n' album96/*.wav | xargs -P2 -n1 sh -c 'openssl dgst -sha256 \"\$1\" && fpcalc -length 120 \"\$1\"' _ >/dev/null"
    # fpcalc reports an "End of file" error on these files after fingerprinting them,
    # and stops at the first error unless told to go on; its fingerprints are counted.
    local dry_many="printf '%s\\n' many/*.wav | xargs -P2 -n100 sh -c 'openssl dgst -sha256 \"\$@\" && { fpcalc -ignore-errors -length 120 \"\$@\" 2>/dev/null || true; }' _ >/dev/null"
    local prints
    prints=$(printf '%s\n' many/*.wav | xargs -P2 -n100 fpcalc -ignore-errors -length 120 2>/dev/null | grep -c '^FINGERPRINT=' || true)
    [ "$prints" = 2000 ] || { echo "bench: fpcalc fingerprinted $prints of the 2,000 files" >&2; exit 2; }
    rm -f ledger-floor.sqlite3* ledger-many.sqlite3*
    "$BIN" -q --ledger ledger-floor.sqlite3 init --prefix QZ-BEN >/dev/null
    "$BIN" -q --ledger ledger-floor.sqlite3 assign album96 album96-flac >/dev/null
    echo "== 24/96 album: verify WAV and FLAC vs their floors (alternating)" >&2
    alternate fverify.json "" "$BIN -q --ledger ledger-floor.sqlite3 verify album96" "$verify_wav"
    row "album verify, 12 × 4-min 24/96 WAV vs its floor (SHA-256 + MD5)" "$(median fverify.json 0)" "$(median fverify.json 1)" "<= 1.15" "≤ 1.15×"
    alternate fverifyflac.json "" "$BIN -q --ledger ledger-floor.sqlite3 verify album96-flac" "$verify_flac"
    row "album verify, the same as FLAC vs its floor (libFLAC decode with MD5 + SHA-256)" "$(median fverifyflac.json 0)" "$(median fverifyflac.json 1)" "<= 1.15" "≤ 1.15×"
    echo "== 24/96 album: assign --dry-run WAV, warm and cold, vs its floor (alternating)" >&2
    rm -f ledger-empty96.sqlite3*
    "$BIN" -q --ledger ledger-empty96.sqlite3 init --prefix QZ-BEN >/dev/null
    alternate fdry.json "" "$BIN -q --ledger ledger-empty96.sqlite3 assign --dry-run album96" "$dry_wav"
    row "album assign --dry-run, 24/96 WAV, warm vs its floor (SHA-256 + 120 s fingerprint)" "$(median fdry.json 0)" "$(median fdry.json 1)" "<= 1.15" "≤ 1.15×"
    alternate fcold.json "python3 evict.py album96" "$BIN -q --ledger ledger-empty96.sqlite3 assign --dry-run album96" \
        "$dry_wav" "cat album96/*.wav >/dev/null"
    row "album assign --dry-run, 24/96 WAV, cold vs the warm floor" "$(median fcold.json 0)" "$(median fdry.json 1)" "<= 1.15" "≤ 1.15×"
    row "album assign --dry-run, cold vs warm" "$(median fcold.json 0)" "$(median fdry.json 0)" "<= 1.10" "≤ 1.10×"
    row "(reference) the floor cold vs warm" "$(median fcold.json 1)" "$(median fdry.json 1)" "" ""
    row "(reference) reading the album cold (cat) vs the warm floor" "$(median fcold.json 2)" "$(median fdry.json 1)" "" ""
    echo "== 2,000 files of 10 s: dry run vs its floor, unchanged rerun vs dry run (alternating)" >&2
    "$BIN" -q --ledger ledger-many.sqlite3 init --prefix QZ-BEN >/dev/null
    alternate fmany.json "" "$BIN -q --ledger ledger-many.sqlite3 assign --dry-run many" "$dry_many"
    row "2,000 files (10 s 16/44.1 WAV) assign --dry-run vs its floor" "$(median fmany.json 0)" "$(median fmany.json 1)" "<= 1.15" "≤ 1.15×"
    rm -rf many-tagged
    cp -r many many-tagged
    "$BIN" -q --ledger ledger-many.sqlite3 assign many-tagged >/dev/null
    local unchanged
    unchanged=$("$BIN" --ledger ledger-many.sqlite3 --json assign many-tagged | grep -c '"action":"unchanged"' || true)
    alternate frerun.json "" "$BIN -q --ledger ledger-many.sqlite3 assign many-tagged" \
        "$BIN -q --ledger ledger-many.sqlite3 assign --dry-run many"
    row "2,000 files: unchanged rerun ($unchanged unchanged) vs the dry run" "$(median frerun.json 0)" "$(median frerun.json 1)" "<= 0.1" "≤ 0.1×"
    alternate frehash.json "" "$BIN -q --ledger ledger-many.sqlite3 assign --rehash many-tagged" \
        "$BIN -q --ledger ledger-many.sqlite3 assign --dry-run many"
    row "(reference) 2,000 files: rerun with --rehash vs the dry run" "$(median frehash.json 0)" "$(median frehash.json 1)" "" ""
    rm -rf many-tagged
}
ddp_rows() {
    echo "== CD album: ddp write vs cp -r, verify DDPDIR vs md5sum IMAGE.DAT (alternating)" >&2
    # Each run writes a new image (and a new copy): the previous one is removed first.
    alternate ddp.json "rm -rf cd-image cd-copy" \
        "$BIN -q --ledger ledger-cd.sqlite3 ddp write cd --output cd-image" "cp -r cd cd-copy"
    row "ddp write, 12-track 50-min CD album vs cp -r of its WAVs" "$(median ddp.json 0)" "$(median ddp.json 1)" "<= 1.5" "≤ 1.5×"
    # The floor under that ratio: the image's MD5 alone (CHECKSUM.MD5 needs it; MD5 cannot
    # be split across cores), and the image written durably as ddp write does (fsync).
    rm -rf cd-image
    "$BIN" -q --ledger ledger-cd.sqlite3 ddp write cd --output cd-image >/dev/null
    alternate ddpfloor.json "rm -rf cd-copy" "md5sum cd-image/IMAGE.DAT" "cp -r cd cd-copy"
    row "MD5 of the image alone (md5sum IMAGE.DAT) vs cp -r" "$(median ddpfloor.json 0)" "$(median ddpfloor.json 1)" "" "(ddp write's floor)"
    alternate ddpsync.json "rm -rf cd-copy" "cp -r cd cd-copy && sync" "cp -r cd cd-copy"
    row "cp -r and sync (a durable copy) vs cp -r" "$(median ddpsync.json 0)" "$(median ddpsync.json 1)" "" "(reference)"
    alternate ddpverify.json "" "$BIN -q --ledger ledger-cd.sqlite3 verify cd-image" "md5sum cd-image/IMAGE.DAT"
    row "verify DDPDIR vs md5sum IMAGE.DAT" "$(median ddpverify.json 0)" "$(median ddpverify.json 1)" "<= 1.2" "≤ 1.2×"
    rm -rf cd-image cd-copy
}
# ledger import stays linear in its rows: 8,000 audio ids of one code (800 KB; 64.6 s
# before each code's audio ids were read once per commit check) against 8,000 codes
# of one audio id each, both into a new ledger.
import_rows() {
    echo "== ledger import: 8,000 audio ids of one code vs 8,000 codes" >&2
    python3 - <<'EOI'
with open("one-code.csv", "w") as one, open("many-codes.csv", "w") as many:
    header = "isrc,audio_id,frames,sample_rate,channels,bits,first_path\n"
    one.write(header)
    many.write(header)
    for n in range(8000):
        audio = f"pcm1:{n:064x},441000,44100,2,16,/masters/{n}.wav\n"
        one.write(f"GBBBB2300001,{audio}")
        many.write(f"GBBBB23{n + 1:05},{audio}")
EOI
    alternate import.json "rm -f import-one.sqlite3 import-many.sqlite3" \
        "$BIN -q --ledger import-one.sqlite3 ledger import --foreign one-code.csv" \
        "$BIN -q --ledger import-many.sqlite3 ledger import --foreign many-codes.csv"
    row "ledger import, 8,000 audio ids of one code vs 8,000 codes (target: under 1 s)" \
        "$(median import.json 0)" "$(median import.json 1)" "<= 1.5" "≤ 1.5×, < 1 s"
}
# A release's rows: `release add` of a 20-track release and its ERN message on a ledger
# of 1,000,000 codes against an empty one (both hold the 20 codes: the same masters
# assigned on each), and `ledger check --metadata` over the 1,000,000 codes against the
# sqlite3 shell counting the same missing fields: each field's missing codes, and the
# codes missing any (every field is judged for every code, as check --metadata does;
# the count of the last alone would stop at the first field missing).
LACKS_DURATION="NOT (r.declared_ms IS NOT NULL OR EXISTS (SELECT 1 FROM audio AS a WHERE a.isrc = r.code AND a.frames > 0 AND a.rate > 0))"
CHECK_SQL="SELECT sum(r.title IS NULL), sum(r.artist IS NULL), sum($LACKS_DURATION), sum(r.p_date IS NULL),
 sum(r.title IS NULL OR r.artist IS NULL OR r.p_date IS NULL OR $LACKS_DURATION)
 FROM recording AS r WHERE r.status = 'active'"
release_rows() {
    echo "== release add and its ERN message, 1,000,000 codes vs none; ledger check --metadata vs sqlite3" >&2
    command -v sqlite3 >/dev/null || { echo "bench: the release rows need sqlite3 (apt-get install sqlite3)" >&2; exit 2; }
    local upc=4006381333931 full=ledger-1m-release.sqlite3 empty=ledger-empty-release.sqlite3
    if [ ! -f "$full" ]; then
        rm -f "$full.part"*
        cp ledger-1m.sqlite3 "$full.part"
        "$BIN" -q --ledger "$full.part" assign release20 >/dev/null
        mv "$full.part" "$full"
    fi
    rm -f "$empty"*
    "$BIN" -q --ledger "$empty" init --prefix QZ-BEN >/dev/null
    "$BIN" -q --ledger "$empty" assign release20 >/dev/null
    local add="release add $upc --title Bench --artist Ensemble --label Bench --date 2026-01-02 release20"
    alternate release-add.json \
        "$BIN -q --ledger $full release remove $upc >/dev/null 2>&1; $BIN -q --ledger $empty release remove $upc >/dev/null 2>&1; true" \
        "$BIN -q --ledger $full $add" "$BIN -q --ledger $empty $add"
    row "release add, 20 tracks (30 s WAV each), 1,000,000-code ledger vs empty" "$(median release-add.json 0)" "$(median release-add.json 1)" "<= 1.2" "≤ 1.2×"
    local ern="release export $upc --format ern --sender PADPIDA2014021302H --sender-name Bench --recipient PADPIDA2024072201A --recipient-name Shop --genre Pop"
    "$BIN" -q --ledger "$full" $add >/dev/null 2>&1 || true
    "$BIN" -q --ledger "$empty" $add >/dev/null 2>&1 || true
    "$BIN" -q --ledger "$full" $ern > ern-full.xml
    "$BIN" -q --ledger "$empty" $ern > ern-empty.xml
    [ "$(grep -c '<ISRC>' ern-full.xml)" = 20 ] || { echo "bench: the ERN message lacks tracks" >&2; exit 2; }
    alternate release-ern.json "" "$BIN -q --ledger $full $ern" "$BIN -q --ledger $empty $ern"
    row "release export --format ern, 20 tracks, 1,000,000-code ledger vs empty" "$(median release-ern.json 0)" "$(median release-ern.json 1)" "<= 1.2" "≤ 1.2×"
    # The same codes found lacking by both (every code of the filled ledger lacks its P-date).
    local listed counted
    listed=$({ "$BIN" -q --ledger ledger-1m.sqlite3 ledger check --metadata || true; } | wc -l)
    counted=$(sqlite3 ledger-1m.sqlite3 "$CHECK_SQL" | cut -d'|' -f5)
    [ "$listed" = "$counted" ] || { echo "bench: check --metadata listed $listed codes, sqlite3 counted $counted" >&2; exit 2; }
    # check --metadata exits 1 when it lists codes: `|| true` keeps the runner going.
    alternate check-metadata.json "" "$BIN -q --ledger ledger-1m.sqlite3 ledger check --metadata >/dev/null || true" \
        "sqlite3 ledger-1m.sqlite3 \"$CHECK_SQL\" >/dev/null"
    row "ledger check --metadata, 1,000,000 codes ($listed listed) vs sqlite3 counting them" "$(median check-metadata.json 0)" "$(median check-metadata.json 1)" "<= 2" "≤ 2×"
    mem_row "peak memory, ledger check --metadata of 1,000,000 codes" \
        "$(peak "$BIN" -q --ledger ledger-1m.sqlite3 ledger check --metadata)"
}
report() {
    echo
    echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/{print $2}') GiB; medians of $RUNS runs ($PAIRED_RUNS alternating for writing, rerun and export; ${RF64_RUNS:-3} for the RF64 master)."
    echo
    echo "| measure | isrc-stamp | reference | ratio | target |"
    echo "|---|---|---|---|---|"
    printf '%s\n' "${ROWS[@]}"
    echo
    echo "| measure | peak | target | |"
    echo "|---|---|---|---|"
    printf '%s\n' "${MEM[@]}"
    [ -z "${PG_NOTE:-}" ] || { echo; echo "$PG_NOTE"; }
    [ -z "${EXPORT_NOTE:-}" ] || { echo; echo "$EXPORT_NOTE"; }
}
if [ "${ONLY:-}" = rf64 ]; then
    rf64_rows
    report
    exit 0
fi
if [ "${ONLY:-}" = export ]; then
    export_rows
    report
    exit 0
fi
if [ "${ONLY:-}" = ddp ]; then
    ddp_rows
    report
    exit 0
fi
if [ "${ONLY:-}" = floors ]; then
    floor_rows
    report
    exit 0
fi
if [ "${ONLY:-}" = import ]; then
    import_rows
    report
    exit 0
fi
if [ "${ONLY:-}" = release ]; then
    release_rows
    report
    exit 0
fi

echo "== WAV audio id vs sha256sum" >&2
hf wav.json "$BIN inspect master.wav" "sha256sum master.wav"
row "inspect 5-min 24/96 WAV vs sha256sum" "$(median wav.json 0)" "$(median wav.json 1)" "<= 0.4" "≤ 0.4×"
# The audio id alone (what assign computes; inspect adds MD5(pcm), which MD5's own
# speed of about 0.6 GB/s bounds).
rm -f wavid.sqlite3*
"$BIN" -q --ledger wavid.sqlite3 init --prefix QZ-BEN >/dev/null
hf wavid.json "$BIN -q --ledger wavid.sqlite3 assign --dry-run master.wav" "sha256sum master.wav"
row "audio id alone (assign --dry-run) of the WAV vs sha256sum" "$(median wavid.json 0)" "$(median wavid.json 1)" "<= 0.4" "≤ 0.4×"
# The floor under inspect's row: MD5 of the same bytes alone, by the fastest MD5 at hand
# (OpenSSL's assembly). MD5 cannot be split across cores, so inspect, which reports
# MD5(pcm), can come no closer to sha256sum than this.
md5_tool="md5sum master.wav"
command -v openssl >/dev/null && md5_tool="openssl dgst -md5 master.wav"
hf md5.json "$md5_tool" "sha256sum master.wav"
row "MD5 of the WAV alone ($md5_tool) vs sha256sum" "$(median md5.json 0)" "$(median md5.json 1)" "" "(inspect's floor)"

echo "== FLAC audio id (MD5 checked) vs flac -t and ffmpeg" >&2
hf flac.json "$BIN inspect master.flac" "flac -s -t master.flac" \
    "ffmpeg -v error -i master.flac -c:a pcm_s24le -f hash -hash sha256 -"
row "inspect 5-min 24/96 FLAC vs flac -t" "$(median flac.json 0)" "$(median flac.json 1)" "<= 0.8" "≤ 0.8×"
row "inspect 5-min 24/96 FLAC vs ffmpeg sha256 of PCM" "$(median flac.json 0)" "$(median flac.json 2)" "" "(reference)"

echo "== album: --jobs 2 vs --jobs 1 (dry run)" >&2
reset_album
hf jobs.json "$BIN -q --ledger ledger-album.sqlite3 assign --dry-run --jobs 1 work-album" \
    "$BIN -q --ledger ledger-album.sqlite3 assign --dry-run --jobs 2 work-album"
row "album (12 WAV + 12 FLAC) --jobs 2 vs --jobs 1" "$(median jobs.json 1)" "$(median jobs.json 0)" "<= 1/1.8" "≤ 0.556× (≥ 1.8× faster)"

# The next two ratios compare runs doing (nearly) the same work, so their runs alternate
# (alternate, above) and are twice as many.
echo "== album: assign (writing) vs --dry-run (alternating)" >&2
alternate write.json "bash reset-album.sh" \
    "$BIN -q --ledger ledger-album.sqlite3 assign work-album" \
    "$BIN -q --ledger ledger-album.sqlite3 assign --dry-run work-album"
row "album assign (writing) vs --dry-run" "$(median write.json 0)" "$(median write.json 1)" "<= 1.3" "≤ 1.3×"

echo "== album: rerun on the tagged album vs --dry-run (alternating)" >&2
reset_album
"$BIN" -q --ledger ledger-album.sqlite3 assign work-album >/dev/null
before=$(find work-album -type f -printf '%p %s %T@\n' | sort | sha256sum)
alternate rerun.json "" "$BIN -q --ledger ledger-album.sqlite3 assign work-album" \
    "$BIN -q --ledger ledger-album.sqlite3 assign --dry-run work-album"
after=$(find work-album -type f -printf '%p %s %T@\n' | sort | sha256sum)
writes=$([ "$before" = "$after" ] && echo 0 || echo "some")
row "rerun on the tagged album vs --dry-run (writes: $writes)" "$(median rerun.json 0)" "$(median rerun.json 1)" "<= 1.05" "≤ 1.05×, zero writes"

echo "== a delivery: the 12-track album in four forms, --accept encodes vs --dry-run (alternating)" >&2
# 24/96 masters, 16/44.1 CD masters, MP3 and AAC: 48 files, 12 recordings.
mkdir -p delivery/hires delivery/cd delivery/mp3 delivery/aac
for i in $(seq -w 1 12); do
    make_wav "delivery/hires/$i.wav" 120 96000 pcm_s24le "$((10#$i + 200))"
    [ -f "delivery/cd/$i.wav" ] || ffmpeg -v error -i "delivery/hires/$i.wav" -ar 44100 -c:a pcm_s16le "delivery/cd/$i.wav"
    [ -f "delivery/mp3/$i.mp3" ] || ffmpeg -v error -i "delivery/cd/$i.wav" -c:a libmp3lame -q:a 2 "delivery/mp3/$i.mp3"
    [ -f "delivery/aac/$i.m4a" ] || ffmpeg -v error -i "delivery/cd/$i.wav" -c:a aac -b:a 192k "delivery/aac/$i.m4a"
done
cat > reset-delivery.sh <<EOS
rm -rf work-delivery ledger-delivery.sqlite3*
cp -r delivery work-delivery
"$BIN" -q --ledger ledger-delivery.sqlite3 init --prefix QZ-BEN >/dev/null
EOS
bash reset-delivery.sh
linked=$("$BIN" --ledger ledger-delivery.sqlite3 assign --dry-run --accept encodes --json work-delivery | grep -c '"action":"linked"' || true)
alternate delivery.json "bash reset-delivery.sh" \
    "$BIN -q --ledger ledger-delivery.sqlite3 assign --accept encodes work-delivery" \
    "$BIN -q --ledger ledger-delivery.sqlite3 assign --dry-run --accept encodes work-delivery"
row "delivery (48 files, 4 forms) assign --accept encodes vs --dry-run ($linked linked)" "$(median delivery.json 0)" "$(median delivery.json 1)" "<= 1.3" "≤ 1.3×"
ddp_rows

echo "== peak memory on the 1-hour 24/96 WAV" >&2
inspect_kib=$(peak "$BIN" inspect hour.wav)
rm -f hour-copy.wav ledger-hour.sqlite3*
cp hour.wav hour-copy.wav
"$BIN" -q --ledger ledger-hour.sqlite3 init --prefix QZ-BEN >/dev/null
assign_kib=$(peak "$BIN" -q --ledger ledger-hour.sqlite3 assign hour-copy.wav)
rm -f hour-copy.wav
mem_row "peak memory, inspect 1-hour 24/96 WAV ($(( $(stat -c %s hour.wav) / 1000000 )) MB)" "$inspect_kib"
mem_row "peak memory, assign 1-hour 24/96 WAV" "$assign_kib"

floor_rows
rf64_rows

echo "== one assign against 1,000,000 recordings vs an empty ledger" >&2
rm -f empty.sqlite3*
"$BIN" -q --ledger empty.sqlite3 init --prefix QZ-BEN >/dev/null
one_wav='ffmpeg -v error -y -f lavfi -i anoisesrc=r=44100:d=2:seed=$RANDOM -c:a pcm_s16le one.wav'
hf ledger.json --shell bash --prepare "$one_wav" \
    "$BIN -q --ledger ledger-1m.sqlite3 assign one.wav" "$BIN -q --ledger empty.sqlite3 assign one.wav"
row "one assign, 1,000,000-recording ledger vs empty" "$(median ledger.json 0)" "$(median ledger.json 1)" "<= 1.2" "≤ 1.2×"

export_rows
import_rows
release_rows

# ---------------------------------------------------------------- PostgreSQL (optional)
# Needs a server the benchmark may create databases on: BENCH_POSTGRES (or
# ISRC_STAMP_TEST_POSTGRES) = a superuser's URL, such as the one `.ci/postgres start DIR`
# prints. Without one these rows are skipped, and the report says so.
PG=${BENCH_POSTGRES:-${ISRC_STAMP_TEST_POSTGRES:-}}
pg_db() { # name → the server's URL with that database
    python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$PG" "$1"
}
pg_fresh() { # name: drops and creates the database
    psql -q "$PG" -c "DROP DATABASE IF EXISTS $1" -c "CREATE DATABASE $1" >/dev/null
}
PG_NOTE=""
if [ -n "$PG" ] && command -v psql >/dev/null && psql -q "$PG" -c 'SELECT 1' >/dev/null 2>&1; then
    echo "== PostgreSQL: one assign against 1,000,000 recordings vs an empty ledger" >&2
    pg_fresh bench_1m
    "$BIN" -q --ledger ledger-1m.sqlite3 ledger copy --to "$(pg_db bench_1m)" >/dev/null
    pg_fresh bench_empty
    "$BIN" -q --ledger "$(pg_db bench_empty)" init --prefix QZ-BEN >/dev/null
    hf pg-ledger.json --shell bash --prepare "$one_wav" \
        "$BIN -q --ledger '$(pg_db bench_1m)' assign one.wav" "$BIN -q --ledger '$(pg_db bench_empty)' assign one.wav"
    row "PostgreSQL: one assign, 1,000,000-recording ledger vs empty" "$(median pg-ledger.json 0)" "$(median pg-ledger.json 1)" "<= 1.2" "≤ 1.2×"

    echo "== album dry run: PostgreSQL vs SQLite (alternating)" >&2
    reset_album
    pg_fresh bench_album
    "$BIN" -q --ledger "$(pg_db bench_album)" init --prefix QZ-BEN >/dev/null
    alternate pg-album.json "" "$BIN -q --ledger '$(pg_db bench_album)' assign --dry-run work-album" \
        "$BIN -q --ledger ledger-album.sqlite3 assign --dry-run work-album"
    row "album (12 WAV + 12 FLAC) --dry-run, PostgreSQL vs SQLite" "$(median pg-album.json 0)" "$(median pg-album.json 1)" "<= 1.2" "≤ 1.2×"
else
    PG_NOTE="PostgreSQL rows skipped: no server (set BENCH_POSTGRES to a superuser's URL, e.g. from \`.ci/postgres start DIR\`)."
fi

# ---------------------------------------------------------------- report
report
