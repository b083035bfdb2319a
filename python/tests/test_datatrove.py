"""clean.datatrove.CleanFormatter in a datatrove LocalPipelineExecutor, against `clean filter`."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

# datatrove is required here (not skipped when missing): .ci/run installs it.
from datatrove.data import Document  # noqa: E402
from datatrove.executor import LocalPipelineExecutor  # noqa: E402
from datatrove.pipeline.readers import JsonlReader  # noqa: E402
from datatrove.pipeline.writers import JsonlWriter  # noqa: E402

from clean.datatrove import CleanFormatter  # noqa: E402
from conftest import AD, article, run, seed_texts, with_ad  # noqa: E402


def corpus() -> list[dict]:
    """The seeds, and articles with and without the insert, some after non-ASCII text."""
    docs = [{"id": f"seed-{i}", "text": t, "source": "seeds"} for i, t in enumerate(seed_texts().values())]
    topics = ["Zürich trams", "naïve budgets", "crèche places", "dairy", "rail", "ports", "schools", "fish"]
    for i, t in enumerate(topics):
        lead = "Résumé — état des lieux 🎉: " if i % 2 == 0 else ""
        text = article(t, lead)
        docs.append({"id": f"gen-{i}", "text": with_ad(text) if i % 3 != 2 else text, "n": i})
    docs.append({"id": "crlf", "text": with_ad(article("ports")).replace("\n", "\r\n")})
    return docs


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(l) for l in path.read_text(encoding="utf-8").splitlines()]


def test_pipeline_equals_clean_filter(cli, tmp_path):
    docs = corpus()
    src = tmp_path / "in"
    src.mkdir()
    for shard in range(2):  # two files, two tasks, two worker processes (the step is pickled)
        with open(src / f"part-{shard}.jsonl", "w", encoding="utf-8") as f:
            for d in docs[shard::2]:
                f.write(json.dumps(d, ensure_ascii=False) + "\n")

    out = tmp_path / "dt"
    LocalPipelineExecutor(
        pipeline=[
            JsonlReader(str(src)),
            CleanFormatter(),
            JsonlWriter(str(out), output_filename="${rank}.jsonl", compression=None),
        ],
        tasks=2,
        workers=2,
        logging_dir=str(tmp_path / "logs"),
    ).run()
    got = {r["id"]: r for p in sorted(out.glob("*.jsonl")) for r in read_jsonl(p)}
    assert sorted(got) == sorted(d["id"] for d in docs)

    # the real binary on the same records
    cli_out = tmp_path / "cli"
    report = tmp_path / "report.jsonl"
    run(cli, "filter", src, cli_out, "--format", "jsonl", "--report", report, "--quiet")
    expected = {r["id"]: r for p in sorted(cli_out.glob("*.jsonl")) for r in read_jsonl(p)}
    assert sorted(expected) == sorted(got)
    removed_by_cli: dict[str, list[dict]] = {}
    for line in read_jsonl(report):
        if line["verdict"] == "removed":
            removed_by_cli.setdefault(line["id"], []).append(line)

    originals = {d["id"]: d["text"] for d in docs}
    changed = 0
    for id_, rec in got.items():
        assert rec["text"] == expected[id_]["text"], id_
        meta = rec["metadata"]["clean"]
        original = originals[id_]
        cli_removed = removed_by_cli.get(id_, [])
        assert meta["removed"] == len(cli_removed), id_
        assert meta["paragraphs"] >= meta["removed"] + meta["unsure"] + meta["unknown"]
        for mine, theirs in zip(meta["removed_paragraphs"], cli_removed, strict=True):
            assert mine["index"] == theirs["paragraph"]
            assert mine["log_odds"] == theirs["score"] and mine["p_ad"] == theirs["p_ad"]
            assert mine["text"] == theirs["text"] == original[mine["start"] : mine["end"]]
            # str offsets in the metadata, byte offsets in the CLI's report
            data = original.encode()
            assert len(data[: theirs["start"]].decode()) == mine["start"]
            assert len(data[: theirs["end"]].decode()) == mine["end"]
        changed += rec["text"] != original
        if id_ in ("seed-1", "seed-2", "gen-2", "gen-5"):
            assert meta["removed"] == 0 and rec["text"] == original, id_
    # The vCard insert goes from seed 0, the six articles that have it, and the CRLF one.
    assert changed == 8
    # the other fields are carried through (datatrove puts them in metadata)
    assert got["gen-3"]["metadata"]["n"] == 3 and got["seed-0"]["metadata"]["source"] == "seeds"


def test_format_and_options():
    text = with_ad(article("fish"))
    step = CleanFormatter()
    assert AD in text and AD not in step.format(text)
    assert CleanFormatter(threshold=1e9).format(text) == text

    docs = [Document(text=text, id="a"), Document(text=article("rail"), id="b")]
    step = CleanFormatter(threshold=-1e9, metadata_key="ads", record_removed_text=False, drop_empty=True)
    assert list(step.run(iter(docs))) == []  # everything removed, the empty documents dropped
    assert docs[0].metadata["ads"]["removed"] == docs[0].metadata["ads"]["paragraphs"] == 6
    assert all("text" not in r for r in docs[0].metadata["ads"]["removed_paragraphs"])
    assert step.stats["dropped_empty"].total == 2

    # pickled for worker processes without the loaded model
    restored = pickle.loads(pickle.dumps(step))
    assert restored._model is None and restored.metadata_key == "ads"
    assert restored.format(text).strip() == ""


def test_model_file_option(tmp_path):
    import shutil

    from conftest import REPO

    path = tmp_path / "copy.model"
    shutil.copy(REPO / "models" / "clean.model", path)
    step = CleanFormatter(path)
    text = with_ad(article("fish"))
    assert step.format(text) == CleanFormatter().format(text) != text
    with pytest.raises(FileNotFoundError):
        CleanFormatter(tmp_path / "missing.model").format(text)
