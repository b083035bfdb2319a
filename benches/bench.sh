#!/usr/bin/env bash
# Benchmark for `clean`: generates its own data (fixed seed), then times
#   - `clean filter` vs `cp -r` over a 20,000-file / ~200 MB text corpus (3 alternating runs each,
#     median wall time), plus `clean filter --threads 1`, and the peak RSS of `clean filter`;
#   - `clean train` over a CSV of 1,000,000 labelled paragraphs;
#   - `clean filter` over 20 gzip JSONL shards vs `cp -r` (only if the build has `--text-field`);
#   - with BENCH_BIG=1, the peak RSS of `clean filter` over one ~1 GB .jsonl shard (JSONL builds only).
# Ends with a `key: value` summary block. Data lives on tmpfs (/dev/shm) when there is room.
#
# Usage: benches/bench.sh            (env: BENCH_BIG=1, BENCH_RUNS=3, BENCH_KEEP=1 keeps the temp dir,
#        BENCH_TEXT_ONLY=1 times the text corpus only, BENCH_BASELINE=/path/to/an/older/clean times
#        that binary too, in the same alternating runs: before/after figures from one run)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

RUNS="${BENCH_RUNS:-3}"
BIG="${BENCH_BIG:-0}"
TEXT_ONLY="${BENCH_TEXT_ONLY:-0}"
BASELINE="${BENCH_BASELINE:-}"
NFILES=20000
NDIRS=100
FILE_BYTES=10000            # ~10 KB per file -> ~200 MB
CSV_ROWS=1000000
NSHARDS=20
SHARD_BYTES=10000000        # ~10 MB uncompressed per shard -> ~200 MB
BIG_BYTES=1000000000        # ~1 GB

log() { printf '%s\n' "$*" >&2; }

# ---------------------------------------------------------------- build
log "== building (cargo build --release -q)"
cargo build --release -q
CLEAN="$ROOT/target/release/clean"
[[ -x "$CLEAN" ]] || { log "no binary at $CLEAN"; exit 2; }

# ---------------------------------------------------------------- temp dir
need_mb=1500
[[ "$BIG" == 1 ]] && need_mb=$((need_mb + 2600))
WORK=""
if [[ -d /dev/shm && -w /dev/shm ]]; then
    avail_mb=$(df -Pm /dev/shm | awk 'NR==2 {print $4}')
    if [[ -n "$avail_mb" && "$avail_mb" -ge "$need_mb" ]]; then
        WORK="$(mktemp -d /dev/shm/clean-bench.XXXXXX)"
    fi
fi
[[ -n "$WORK" ]] || WORK="$(mktemp -d)"
cleanup() {
    if [[ "${BENCH_KEEP:-0}" == 1 ]]; then log "kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
log "== work dir: $WORK ($(df -Ph "$WORK" | awk 'NR==2 {print $1}'))"

# ---------------------------------------------------------------- helpers (python)
# measure.py OUTFILE -- CMD...: runs CMD (stdout/stderr to OUTFILE), prints "wall_s maxrss_kb rc".
# ru_maxrss from os.wait4 is the peak RSS of that child alone (cp or clean), in KB on Linux.
cat >"$WORK/measure.py" <<'PY'
import os, subprocess, sys, time
out = sys.argv[1]
cmd = sys.argv[3:]
with open(out, "wb") as f:
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=f, stderr=subprocess.STDOUT)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
print(f"{wall:.3f} {ru.ru_maxrss} {os.waitstatus_to_exitcode(status)}")
PY

cat >"$WORK/gen.py" <<'PY'
"""Synthetic data for benches/bench.sh. Fixed seeds; a pool of paragraphs is built once and sampled."""
import gzip, json, os, random, sys

R = random.Random(20240601)
CONS = "b c d f g h k l m n p r s t v w z br cl dr fl gr pl st tr sh ch th".split()
VOWS = "a e i o u ai ea ou io ee".split()
FUNC = ("the of and to in a is that for on with as was at by it from be has have "
        "said its were which but an not this after their they had been also who more").split()

def word(r):
    return "".join(r.choice(CONS) + r.choice(VOWS) for _ in range(r.choice((1, 1, 2, 2, 3)))) + r.choice(("", "", "n", "s", "ed", "er", "ing", "ly"))

def real_vocab():
    """The 6,000 commonest words of the project's own training text, so the corpus reads like
    English to the model (invented words would all be unknown to it)."""
    import collections, csv, glob, re
    counts = collections.Counter()
    for f in sorted(glob.glob(os.path.join(os.environ.get("CLEAN_ROOT", "."), "training", "*.csv"))):
        for row in csv.DictReader(open(f, encoding="utf-8")):
            counts.update(w.lower() for w in re.findall(r"[A-Za-z]{2,}", row["text"]))
    return [w for w, _ in sorted(counts.items(), key=lambda x: (-x[1], x[0]))[:6000]]

VOCAB = real_vocab() or [word(R) for _ in range(6000)]
NAMES = [w.capitalize() for w in VOCAB[:400]]
BRANDS = [w.capitalize() for w in VOCAB[400:700]]
TLDS = ["io", "com", "co", "app", "shop"]

def sentence(r):
    n = r.randint(8, 24)
    ws = []
    for i in range(n):
        x = r.random()
        if x < 0.40:
            ws.append(r.choice(FUNC))
        elif x < 0.47:
            ws.append(r.choice(NAMES))
        elif x < 0.49:
            ws.append(str(r.randint(2, 2024)))
        else:
            ws.append(r.choice(VOCAB))
        if i and i < n - 2 and r.random() < 0.07:
            ws[-1] += ","
    ws[0] = ws[0].capitalize()
    s = " ".join(ws)
    if r.random() < 0.08:
        s = f'"{s}," {r.choice(NAMES)} said'
    return s + ("?" if r.random() < 0.05 else ".")

def paragraph(r, lo=3, hi=7):
    return " ".join(sentence(r) for _ in range(r.randint(lo, hi)))

AD_TEMPLATES = [
    "Try {b} free today at {d}! Save {p}% on your first {n} months with code {c}.",
    "Sponsored: {b} helps you {v} faster. Sign up at {d} and get {p}% off - limited time only!",
    "Use code {c} at checkout for {p}% off everything at {d}. Offer ends Sunday at midnight.",
    "Subscribe to the {b} newsletter for daily deals. Click here: https://{d}/join?ref={c}",
    "LIMITED OFFER!!! Get {b} Pro for just ${x}.99/month. Cancel anytime. Visit {d} now.",
    "{b} is the all-in-one platform for {v}. Book a free demo at {d} today.",
    "Advertisement. Shop the {b} summer sale: up to {p}% off, free shipping over ${x}. {d}",
    "Don't miss out! Download the {b} app and earn {p}% cashback on every order. {d}",
]

def ad(r):
    b = r.choice(BRANDS)
    return r.choice(AD_TEMPLATES).format(
        b=b, d=f"{b.lower()}.{r.choice(TLDS)}", p=r.choice((10, 15, 20, 25, 30, 40, 50)),
        n=r.randint(2, 6), c=(b[:4] + str(r.randint(10, 99))).upper(),
        v=" ".join(r.choice(VOCAB) for _ in range(2)), x=r.randint(5, 99))

def pick(r, pool, target):
    """Paragraphs sampled from the pool until about `target` bytes."""
    paras, size = [], 0
    for p in r.choices(pool, k=40):
        paras.append(p)
        size += len(p) + 2
        if size >= target:
            break
    return paras

def corpus(out, nfiles, ndirs, file_bytes):
    r = random.Random(1)
    pool = [paragraph(r) for _ in range(4000)]
    ads = [ad(r) for _ in range(500)]
    per_dir = nfiles // ndirs
    total = 0
    for d in range(ndirs):
        dd = os.path.join(out, f"d{d // 10:02d}", f"s{d:03d}")
        os.makedirs(dd, exist_ok=True)
        for i in range(per_dir):
            paras = pick(r, pool, file_bytes)
            if r.random() < 0.5:  # sprinkle one or two ads into half the files
                for _ in range(r.randint(1, 2)):
                    paras.insert(r.randrange(len(paras) + 1), r.choice(ads))
            sep = "\n" if (i % 2) else "\n\n"  # one paragraph per line / blank-line separated
            data = (sep.join(paras) + "\n").encode()
            total += len(data)
            with open(os.path.join(dd, f"doc{i:04d}.txt"), "wb") as f:
                f.write(data)
    print(total)

GENRES_ED = ["politics", "business", "sport", "culture_review", "crime", "science"]
GENRES_AD = ["coupon_discount", "company_blurb", "newsletter_signup", "affiliate"]

def train_csv(path, rows):
    r = random.Random(2)
    def q(s):
        return '"' + s.replace('"', '""') + '"'
    ed = [f"editorial,{r.choice(GENRES_ED)},{q(paragraph(r, 1, 3))}\n" for _ in range(20000)]
    ads = [f"ad,{r.choice(GENRES_AD)},{q(ad(r))}\n" for _ in range(5000)]
    n_ad = rows // 5
    lines = r.choices(ed, k=rows - n_ad) + r.choices(ads, k=n_ad)
    r.shuffle(lines)
    with open(path, "w") as f:
        f.write("label,genre,text\n")
        f.write("".join(lines))
    print(os.path.getsize(path))

def doc(r, pool, ads, target):
    paras = pick(r, pool, target)
    if r.random() < 0.5:
        paras.insert(r.randrange(len(paras) + 1), r.choice(ads))
    return "\n\n".join(paras)

def jsonl_lines(r, pool, ads, nbytes, start_id):
    n, i = 0, start_id
    while n < nbytes:
        line = json.dumps({"id": f"doc-{i:08d}", "text": doc(r, pool, ads, 10000)}) + "\n"
        n += len(line)
        i += 1
        yield line

def jsonl_shards(out, nshards, shard_bytes):
    r = random.Random(3)
    pool = [paragraph(r) for _ in range(4000)]
    ads = [ad(r) for _ in range(500)]
    os.makedirs(out, exist_ok=True)
    total = 0
    for s in range(nshards):
        buf = "".join(jsonl_lines(r, pool, ads, shard_bytes, s * 10**6)).encode()
        total += len(buf)
        with gzip.open(os.path.join(out, f"shard-{s:03d}.jsonl.gz"), "wb", compresslevel=1) as f:
            f.write(buf)
    print(total)

def jsonl_big(path, nbytes):
    r = random.Random(4)
    pool = [paragraph(r) for _ in range(4000)]
    ads = [ad(r) for _ in range(500)]
    total = 0
    with open(path, "w") as f:
        chunk, csize = [], 0
        for line in jsonl_lines(r, pool, ads, nbytes, 0):
            chunk.append(line)
            csize += len(line)
            if csize > 8_000_000:
                f.write("".join(chunk)); total += csize; chunk, csize = [], 0
        f.write("".join(chunk)); total += csize
    print(total)

if __name__ == "__main__":
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "corpus":
        corpus(args[0], int(args[1]), int(args[2]), int(args[3]))
    elif mode == "csv":
        train_csv(args[0], int(args[1]))
    elif mode == "shards":
        jsonl_shards(args[0], int(args[1]), int(args[2]))
    elif mode == "big":
        jsonl_big(args[0], int(args[1]))
    else:
        sys.exit(f"unknown mode {mode}")
PY

# measure LABEL -- CMD...: appends "wall rss rc" to $WORK/times/LABEL, warns on non-zero exit.
mkdir -p "$WORK/times" "$WORK/logs"
measure() {
    local label="$1"; shift; shift
    local res rc
    res="$(python3 "$WORK/measure.py" "$WORK/logs/$label.log" -- "$@")"
    echo "$res" >>"$WORK/times/$label"
    rc="${res##* }"
    if [[ "$rc" != 0 ]]; then
        log "   warning: $label exited $rc: $(tail -n 3 "$WORK/logs/$label.log" | tr '\n' ' ')"
    fi
    log "   $label: $(awk '{printf "%.2fs, peak RSS %.1f MB, exit %s", $1, $2/1024, $3}' <<<"$res")"
}
median_wall() { sort -n "$WORK/times/$1" | awk '{a[NR]=$1} END {if (NR==0) print "NA"; else if (NR%2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }
max_rss_mb() { awk 'BEGIN{m=0} $2>m {m=$2} END {printf "%.1f\n", m/1024}' "$WORK/times/$1"; }
last_rc() { tail -n 1 "$WORK/times/$1" | awk '{print $3}'; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { if (a=="NA" || b=="NA" || b+0==0) print "NA"; else printf "%.2f\n", a/b }'; }
now() { date +%s.%N; }

declare -A SUM
SUM[work_dir]="$WORK"
SUM[cores]="$(nproc)"
SUM[load_avg_start]="$(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------- 1. text corpus
CORPUS="$WORK/corpus"
log "== generating text corpus: $NFILES files in $NDIRS dirs"
t0=$(now)
export CLEAN_ROOT="$ROOT"
bytes=$(python3 "$WORK/gen.py" corpus "$CORPUS" "$NFILES" "$NDIRS" "$FILE_BYTES")
log "   generated in $(awk -v a="$t0" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}')s"
MB=$(awk -v b="$bytes" 'BEGIN{printf "%.1f", b/1e6}')
nfiles=$(find "$CORPUS" -type f | wc -l)
SUM[files]="$nfiles"
SUM[MB]="$MB"
log "   $nfiles files, $MB MB"

log "== timing cp -r vs clean filter ($RUNS alternating runs each)"
for ((i = 1; i <= RUNS; i++)); do
    log " run $i"
    # rotate the order so a noisy moment does not always hit the same command
    order=(cp clean clean1)
    [[ -n "$BASELINE" ]] && order+=(base base1)
    rot=$(( (i - 1) % ${#order[@]} ))
    order=("${order[@]:rot}" "${order[@]:0:rot}")
    for what in "${order[@]}"; do
        case $what in
            cp)     measure cp -- cp -r "$CORPUS" "$WORK/dest_cp" ;;
            clean)  measure clean -- "$CLEAN" filter "$CORPUS" "$WORK/dest_clean" ;;
            clean1) measure clean1 -- "$CLEAN" filter --threads 1 "$CORPUS" "$WORK/dest_clean1" ;;
            base)   measure base -- "$BASELINE" filter "$CORPUS" "$WORK/dest_base" ;;
            base1)  measure base1 -- "$BASELINE" filter --threads 1 "$CORPUS" "$WORK/dest_base1" ;;
        esac
        # count output files once, from the first run, to catch a filter that silently skips files
        if [[ $i == 1 && $what == clean ]]; then
            SUM[clean_out_files]="$(find "$WORK/dest_clean" -type f | wc -l)"
            SUM[clean_out_MB]="$(du -sb "$WORK/dest_clean" | awk '{printf "%.1f", $1/1e6}')"
            SUM[clean_summary]="$(grep -m1 '^clean:' "$WORK/logs/clean.log" || true)"
        fi
        # the baseline must write the same bytes (it is an older build of the same filter)
        if [[ $i == 1 && $what == base && -d "$WORK/dest_clean" ]]; then
            SUM[baseline_same_output]="$(diff -rq "$WORK/dest_clean" "$WORK/dest_base" >/dev/null && echo yes || echo NO)"
        fi
        rm -rf "$WORK/dest_cp" "$WORK/dest_clean1" "$WORK/dest_base" "$WORK/dest_base1"
        # (run 1 keeps clean's output until the baseline's is compared with it)
        [[ $i == 1 && -n "$BASELINE" ]] || rm -rf "$WORK/dest_clean"
    done
    rm -rf "$WORK/dest_clean"
done
cp_s=$(median_wall cp); clean_s=$(median_wall clean); clean1_s=$(median_wall clean1)
SUM[cp_s]="$cp_s"
SUM[clean_s]="$clean_s"
SUM[clean_1thread_s]="$clean1_s"
SUM[cp_MBps]="$(div "$MB" "$cp_s")"
SUM[clean_MBps]="$(div "$MB" "$clean_s")"
SUM[clean_1thread_MBps]="$(div "$MB" "$clean1_s")"
SUM[ratio]="$(div "$clean_s" "$cp_s")"
SUM[ratio_1thread]="$(div "$clean1_s" "$cp_s")"
SUM[thread_speedup]="$(div "$clean1_s" "$clean_s")"
SUM[peak_rss_mb]="$(max_rss_mb clean)"
SUM[peak_rss_1thread_mb]="$(max_rss_mb clean1)"
SUM[clean_exit]="$(last_rc clean)"
# Per core: the single-thread rate, and the 2-thread rate divided by the cores used.
SUM[clean_MBps_per_core]="$(div "${SUM[clean_MBps]}" "$(nproc)")"
log "   cp median ${cp_s}s, clean median ${clean_s}s (x${SUM[ratio]}), clean -j1 median ${clean1_s}s"
log "   thread scaling (--threads 1 time / default time): x${SUM[thread_speedup]} on $(nproc) cores"
if [[ -n "$BASELINE" ]]; then
    base_s=$(median_wall base); base1_s=$(median_wall base1)
    SUM[baseline]="$BASELINE"
    SUM[baseline_s]="$base_s"
    SUM[baseline_1thread_s]="$base1_s"
    SUM[baseline_ratio]="$(div "$base_s" "$cp_s")"
    SUM[baseline_1thread_MBps]="$(div "$MB" "$base1_s")"
    SUM[speedup_over_baseline]="$(div "$base_s" "$clean_s")"
    SUM[speedup_over_baseline_1thread]="$(div "$base1_s" "$clean1_s")"
    SUM[baseline_peak_rss_mb]="$(max_rss_mb base)"
    log "   baseline median ${base_s}s (x${SUM[baseline_ratio]} cp), -j1 ${base1_s}s"
fi
rm -rf "$CORPUS"   # free tmpfs before the next data set

if [[ "$TEXT_ONLY" == 1 ]]; then
    BIG=0
fi
# ---------------------------------------------------------------- 2. training
if [[ "$TEXT_ONLY" != 1 ]]; then
TRAIN="$WORK/train"
mkdir -p "$TRAIN"
log "== generating training CSV: $CSV_ROWS rows"
csv_bytes=$(python3 "$WORK/gen.py" csv "$TRAIN/bench.csv" "$CSV_ROWS")
SUM[train_rows]="$CSV_ROWS"
SUM[train_csv_MB]="$(awk -v b="$csv_bytes" 'BEGIN{printf "%.1f", b/1e6}')"
log "   ${SUM[train_csv_MB]} MB"
log "== timing clean train (one fit: --folds 0; then with the default 5-fold calibration)"
measure train -- "$CLEAN" train --folds 0 --data "$TRAIN" --out "$WORK/x.model"
SUM[train_1m_s]="$(median_wall train)"
SUM[train_peak_rss_mb]="$(max_rss_mb train)"
SUM[train_exit]="$(last_rc train)"
measure train_cal -- "$CLEAN" train --data "$TRAIN" --out "$WORK/x.model"
SUM[train_1m_calibrated_s]="$(median_wall train_cal)"
SUM[train_calibrated_peak_rss_mb]="$(max_rss_mb train_cal)"
SUM[train_rows_per_s]="$(div "$CSV_ROWS" "${SUM[train_1m_s]}")"
if [[ -f "$WORK/x.model" ]]; then SUM[model_bytes]="$(stat -c %s "$WORK/x.model")"; fi
rm -rf "$TRAIN" "$WORK/x.model"
fi

# ---------------------------------------------------------------- 3. gzip JSONL shards
if [[ "$TEXT_ONLY" == 1 ]]; then
    JSONL=0
elif "$CLEAN" filter --help 2>/dev/null | grep -q -- '--text-field'; then
    JSONL=1
else
    JSONL=0
fi
SUM[jsonl_supported]="$([[ $JSONL == 1 ]] && echo yes || echo no)"
if [[ $JSONL == 1 ]]; then
    SHARDS="$WORK/shards"
    log "== generating $NSHARDS gzip JSONL shards"
    jbytes=$(python3 "$WORK/gen.py" shards "$SHARDS" "$NSHARDS" "$SHARD_BYTES")
    JMB=$(awk -v b="$jbytes" 'BEGIN{printf "%.1f", b/1e6}')
    SUM[jsonl_MB_uncompressed]="$JMB"
    SUM[jsonl_MB_gz]="$(du -sb "$SHARDS" | awk '{printf "%.1f", $1/1e6}')"
    log "== timing cp -r vs clean filter on shards ($RUNS alternating runs each)"
    for ((i = 1; i <= RUNS; i++)); do
        log " run $i"
        if (( i % 2 )); then order=(jcp jzip jclean); else order=(jclean jzip jcp); fi
        for what in "${order[@]}"; do
            case $what in
                jcp)    measure jsonl_cp -- cp -r "$SHARDS" "$WORK/dest_jcp" ;;
                # The least any filter of gzip shards must do: decompress and recompress each
                # shard (gzip -1, two shards at a time, like clean's two threads).
                jzip)   mkdir -p "$WORK/dest_jzip"
                        measure jsonl_regzip -- sh -c "ls '$SHARDS' | xargs -P 2 -I{} sh -c 'gzip -dc \"$SHARDS/{}\" | gzip -1 > \"$WORK/dest_jzip/{}\"'" ;;
                jclean) measure jsonl_clean -- "$CLEAN" filter --text-field text "$SHARDS" "$WORK/dest_jclean" ;;
            esac
            rm -rf "$WORK/dest_jcp" "$WORK/dest_jclean" "$WORK/dest_jzip"
        done
    done
    SUM[jsonl_regzip_s]="$(median_wall jsonl_regzip)"
    SUM[jsonl_cp_s]="$(median_wall jsonl_cp)"
    SUM[jsonl_clean_s]="$(median_wall jsonl_clean)"
    SUM[jsonl_clean_MBps]="$(div "$JMB" "${SUM[jsonl_clean_s]}")"
    SUM[jsonl_ratio]="$(div "${SUM[jsonl_clean_s]}" "${SUM[jsonl_cp_s]}")"
    SUM[jsonl_peak_rss_mb]="$(max_rss_mb jsonl_clean)"
    SUM[jsonl_clean_exit]="$(last_rc jsonl_clean)"
    rm -rf "$SHARDS"
else
    [[ "$TEXT_ONLY" == 1 ]] || echo "jsonl: not supported by this build"
fi

# ---------------------------------------------------------------- 4. one big JSONL shard
if [[ "$BIG" == 1 ]]; then
    if [[ $JSONL == 1 ]]; then
        log "== generating one ~1 GB JSONL shard"
        bbytes=$(python3 "$WORK/gen.py" big "$WORK/big.jsonl" "$BIG_BYTES")
        SUM[big_MB]="$(awk -v b="$bbytes" 'BEGIN{printf "%.1f", b/1e6}')"
        log "== timing clean filter on it"
        measure big_clean -- "$CLEAN" filter --text-field text "$WORK/big.jsonl" "$WORK/big.out.jsonl"
        SUM[big_clean_s]="$(median_wall big_clean)"
        SUM[big_peak_rss_mb]="$(max_rss_mb big_clean)"
        SUM[big_clean_exit]="$(last_rc big_clean)"
        rm -f "$WORK/big.jsonl" "$WORK/big.out.jsonl"
    else
        echo "big jsonl: skipped (jsonl not supported by this build)"
    fi
fi

SUM[load_avg_end]="$(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------- summary
echo
echo "== summary"
for k in files MB cp_s clean_s clean_1thread_s cp_MBps clean_MBps clean_1thread_MBps clean_MBps_per_core ratio ratio_1thread \
         thread_speedup peak_rss_mb baseline baseline_s baseline_1thread_s baseline_ratio baseline_1thread_MBps \
         speedup_over_baseline speedup_over_baseline_1thread baseline_peak_rss_mb baseline_same_output peak_rss_1thread_mb clean_exit clean_out_files clean_out_MB clean_summary \
         train_rows train_csv_MB train_1m_s train_rows_per_s train_peak_rss_mb train_exit model_bytes \
         train_1m_calibrated_s train_calibrated_peak_rss_mb \
         jsonl_supported jsonl_MB_uncompressed jsonl_MB_gz jsonl_cp_s jsonl_regzip_s jsonl_clean_s jsonl_clean_MBps jsonl_ratio \
         jsonl_peak_rss_mb jsonl_clean_exit big_MB big_clean_s big_peak_rss_mb big_clean_exit \
         cores load_avg_start load_avg_end work_dir; do
    if [[ -n "${SUM[$k]+x}" ]]; then printf '%s: %s\n' "$k" "${SUM[$k]}"; fi
done
