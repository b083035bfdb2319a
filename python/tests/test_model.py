"""clean.Model against the seeds and the real `clean` binary."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

import clean
from conftest import AD, REPO, SEEDS, article, run, seed_texts, with_ad


def test_seeds_two_vcard_paragraphs_go_and_the_other_44_stay_byte_identical(model):
    texts = seed_texts()
    assert len(texts) == 3
    removed, kept = [], []
    for name, text in texts.items():
        cleaned, paragraphs = model.filter(text)
        pos = 0
        for p in paragraphs:
            assert text[p.start : p.end] == p.text
            if p.removed:
                removed.append((name, p.index, p.text))
                assert p.text not in cleaned
            else:
                kept.append(p)
                # byte-identical and in order
                at = cleaned.encode().find(p.text.encode(), pos)
                assert at >= 0, f"{name}: kept paragraph {p.index} not in the output"
                pos = at + len(p.text.encode())
        if not any(p.removed for p in paragraphs):
            assert cleaned == text, f"{name}: changed with nothing removed"
    assert len(removed) == 2, removed
    assert len(kept) == 44
    # `clean check seeds/`: 000_... paragraphs 5 and 6, the vCard.red insert
    assert {name for name, _, _ in removed} == {"000_be24da9828f494ed.txt"}
    assert [i for _, i, _ in removed] == [5, 6]
    assert removed[0][2].startswith("vCard.red is a free platform")
    assert removed[1][2].startswith("The platform allows you to display contact information")


def test_filter_gives_the_bytes_clean_filter_writes(cli, model, tmp_path):
    out = tmp_path / "out"
    run(cli, "filter", SEEDS, out, "--quiet")
    docs = {"extra_ascii.txt": with_ad(article("Zürich trams", "Résumé — état des lieux: ")),
            "crlf.txt": with_ad(article("rail")).replace("\n", "\r\n")}
    src = tmp_path / "in"
    src.mkdir()
    for name, text in docs.items():
        (src / name).write_bytes(text.encode())
    run(cli, "filter", src, out / "more", "--quiet")
    for name, text in {**seed_texts(), **docs}.items():
        written = (out / name if name in seed_texts() else out / "more" / name).read_bytes()
        cleaned, _ = model.filter(text)
        assert cleaned.encode() == written, name


def test_offsets_are_str_indices_and_bytes(model):
    text = with_ad(article("naïve budgets", "Résumé — état des lieux 🎉: "))
    _, paragraphs = model.filter(text)
    data = text.encode()
    ad = [p for p in paragraphs if p.text == AD]
    assert len(ad) == 1 and ad[0].removed
    assert ad[0].start != ad[0].byte_start  # non-ASCII before it: the two differ
    for p in paragraphs:
        assert text[p.start : p.end] == p.text
        assert data[p.byte_start : p.byte_end].decode() == p.text
        assert p.verdict in ("kept", "unsure", "removed", "unknown")
        assert p.p_ad == pytest.approx(1 / (1 + pow(2.718281828459045, -p.log_odds)))
    assert [p.index for p in paragraphs] == list(range(len(paragraphs)))


def test_unknown_paragraphs_are_kept_with_their_reason(model):
    text = article("dairy") + "\n東京都は月曜日、新しい交通計画を発表した。市民の反応はさまざまだった。\n"
    _, paragraphs = model.filter(text)
    last = paragraphs[-1]
    assert last.verdict == "unknown" and last.unknown == "script" and not last.removed
    assert all(p.unknown is None for p in paragraphs[:-1])


def test_report_matches_the_cli(cli, model, tmp_path):
    """Scores, verdicts and byte ranges equal `clean check --report-all` line for line."""
    report = tmp_path / "r.jsonl"
    run(cli, "check", SEEDS, "--report", report, "--report-all", "--quiet", ok=(0, 1))
    lines = [json.loads(l) for l in report.read_text().splitlines()]
    texts = seed_texts()
    expect = []
    for name, text in texts.items():
        for p in model.judge(text):
            expect.append((name, p.index, p.byte_start, p.byte_end, p.log_odds, p.p_ad, p.verdict, p.unknown, p.text))
    got = [(l["path"], l["paragraph"], l["start"], l["end"], l["score"], l["p_ad"], l["verdict"], l.get("unknown"), l["text"]) for l in lines]
    assert got == expect


def test_explain_matches_clean_explain_json(cli, model):
    name = "000_be24da9828f494ed.txt"
    text = seed_texts()[name]
    out = run(cli, "explain", SEEDS / name, "--json", "--top", "4").stdout.decode()
    lines = [json.loads(l) for l in out.splitlines()]
    mine = model.explain(text, top=4)
    assert len(mine) == len(lines) == len(model.judge(text))
    for e, l in zip(mine, lines):
        assert (e.paragraph.index, e.paragraph.byte_start, e.paragraph.verdict) == (l["paragraph"], l["start"], l["verdict"])
        assert e.paragraph.log_odds == l["score"]
        assert e.toward_ad == [(t["token"], t["weight"]) for t in l["toward_ad"]]
        assert e.toward_editorial == [(t["token"], t["weight"]) for t in l["toward_editorial"]]
        d = e.to_dict()
        assert d["text"] == e.paragraph.text and d["toward_ad"] == e.toward_ad
    vcard = next(e for e in mine if "vCard.red" in e.paragraph.text)
    assert vcard.paragraph.removed and vcard.toward_ad and vcard.toward_ad[0][1] > 0


def test_threshold_matches_clean_filter_threshold(cli, tmp_path):
    strict = clean.Model.builtin(threshold=-3.0)
    assert strict.threshold == -3.0
    out = tmp_path / "out"
    run(cli, "filter", SEEDS, out, "--threshold", "-3", "--quiet")
    n = 0
    for name, text in seed_texts().items():
        cleaned, paragraphs = strict.filter(text)
        assert cleaned.encode() == (out / name).read_bytes(), name
        n += sum(p.removed for p in paragraphs)
    assert n > 2  # a lower threshold removes more than the default's two
    never = clean.Model.builtin(threshold=1e9)
    assert all(not p.removed for t in seed_texts().values() for p in never.judge(t))


def test_keep_unknown_false_scores_every_paragraph():
    m = clean.Model.builtin(keep_unknown=False)
    assert m.keep_unknown is False
    text = article("dairy") + "\n東京都は月曜日、新しい交通計画を発表した。\n"
    assert all(p.verdict != "unknown" for p in m.judge(text))


def test_load_the_model_file_and_errors(tmp_path, model):
    m = clean.Model.load(REPO / "models" / "clean.model")
    text = seed_texts()["000_be24da9828f494ed.txt"]
    assert m.filter(text)[0] == model.filter(text)[0]
    assert m.threshold == model.threshold
    missing = tmp_path / "nope.model"
    with pytest.raises(FileNotFoundError, match="nope.model"):
        clean.Model.load(missing)
    bad = tmp_path / "bad.model"
    bad.write_text("not a model\n")
    with pytest.raises(ValueError, match="bad.model"):
        clean.Model.load(str(bad))
    with pytest.raises(UnicodeEncodeError):
        model.filter("a lone surrogate \ud800 is not UTF-8")


def test_stubs_name_what_the_module_has():
    """The .pyi lists every public class member of the extension, and nothing it lacks."""
    stub = Path(clean._clean.__file__).with_name("_clean.pyi")
    assert stub.is_file(), f"{stub}: the type stubs are not installed"
    assert (stub.parent / "py.typed").is_file()
    tree = ast.parse(stub.read_text())
    classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    assert set(classes) == {"Model", "Paragraph", "Explanation"}
    for name, node in classes.items():
        stubbed = {f.name for f in node.body if isinstance(f, ast.FunctionDef)}
        real = {a for a in dir(getattr(clean, name)) if not a.startswith("_")}
        assert stubbed == real, name


def test_import_clean_does_not_need_datatrove():
    code = (
        "import sys; sys.modules['datatrove'] = None\n"
        "import clean\n"
        "print(len(clean.Model.builtin().judge('Hello there.\\n')))\n"
        "try:\n    import clean.datatrove\nexcept ImportError as e:\n    print('clean-corpus[datatrove]' in str(e))\n"
    )
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO / "python" / "tests")
    assert p.returncode == 0, p.stderr
    assert p.stdout.split() == ["1", "True"]


def test_filter_releases_the_gil(model):
    """Another thread runs while `filter` works. Not timed: with a switch interval of 100 s a
    thread waiting for the GIL gets it only when the running thread releases it, so the other
    thread can see `done` empty only if `filter` released the GIL. Scheduling may let the filter
    finish before the other thread wakes, so it is tried a few times; holding the GIL, it could
    never happen."""
    import threading

    text = "\n\n".join(seed_texts().values()) * 200  # about 1.5 MB
    old = sys.getswitchinterval()
    sys.setswitchinterval(100.0)
    try:
        for _ in range(10):
            go, done, seen = threading.Event(), [], []

            def other() -> None:
                go.wait()
                seen.append(len(done))

            t = threading.Thread(target=other)
            t.start()
            go.set()  # `other` wakes but needs the GIL, which this thread keeps...
            model.filter(text)  # ...unless filter releases it
            done.append(1)
            t.join()
            if seen == [0]:
                return
    finally:
        sys.setswitchinterval(old)
    pytest.fail("no other thread ran during 10 calls of filter: is the GIL released?")
