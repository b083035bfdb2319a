"""A datatrove pipeline step that removes ad paragraphs from each document's text.

    from clean.datatrove import CleanFormatter
    pipeline = [JsonlReader("in/"), CleanFormatter(), JsonlWriter("out/")]

Needs datatrove (`pip install "clean-corpus[datatrove]"`); `import clean` does not.
"""

from __future__ import annotations

import os
from typing import Any

try:
    import datatrove  # noqa: F401
except ImportError as e:  # pragma: no cover - exercised only without datatrove
    raise ImportError(
        "clean.datatrove needs datatrove: pip install 'clean-corpus[datatrove]' (or pip install datatrove)"
    ) from e
from datatrove.data import DocumentsPipeline
from datatrove.pipeline.base import PipelineStep  # not ...formatters: its __init__ needs `regex`
from datatrove.utils.typeshelper import StatHints

from clean import Model

__all__ = ["CleanFormatter"]


class CleanFormatter(PipelineStep):
    """Cleans each document's text as `clean filter` would, and records what it removed.

    `doc.text` becomes the cleaned text. `doc.metadata[metadata_key]` (default "clean") gets:

    - `paragraphs`: how many paragraphs the document had;
    - `removed`, `unsure`, `unknown`: how many had each verdict;
    - `removed_paragraphs`: one dict per removed paragraph, in order, with `index`, `start`, `end`
      (str indices into the ORIGINAL text), `log_odds`, `p_ad`, and `text` (unless
      `record_removed_text=False`).

    Args:
        model_path: a model file (`clean train`, `clean adapt`); None for the built-in model.
        threshold, unsure, keep_unknown: the model's settings (None: the model's own cuts).
        metadata_key: where the record goes in `doc.metadata`.
        record_removed_text: put each removed paragraph's text in the record.
        drop_empty: drop documents with nothing but whitespace left (default: keep them).

    The model is loaded on first use in each worker, so the step pickles cheaply for datatrove's
    executors. Stats: `paragraphs`, `removed_paragraphs`, `docs_changed`, and `dropped_empty`.
    """

    name = "🧹 clean"
    type = "✂️ - FORMAT"  # as datatrove's formatters (BaseFormatter)

    def __init__(
        self,
        model_path: str | os.PathLike[str] | None = None,
        *,
        threshold: float | None = None,
        unsure: float | None = None,
        keep_unknown: bool = True,
        metadata_key: str = "clean",
        record_removed_text: bool = True,
        drop_empty: bool = False,
    ) -> None:
        super().__init__()
        self.model_path = None if model_path is None else os.fspath(model_path)
        self.threshold = threshold
        self.unsure = unsure
        self.keep_unknown = keep_unknown
        self.metadata_key = metadata_key
        self.record_removed_text = record_removed_text
        self.drop_empty = drop_empty
        self._model: Model | None = None

    @property
    def model(self) -> Model:
        """The model, loaded on first use."""
        if self._model is None:
            settings: dict[str, Any] = {
                "threshold": self.threshold,
                "unsure": self.unsure,
                "keep_unknown": self.keep_unknown,
            }
            if self.model_path is None:
                self._model = Model.builtin(**settings)
            else:
                self._model = Model.load(self.model_path, **settings)
        return self._model

    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_model"] = None  # not picklable; each worker loads its own
        return state

    def format(self, text: str) -> str:
        """The cleaned text alone (datatrove's formatter interface)."""
        return self.model.filter(text)[0]

    def record(self, paragraphs: list) -> dict[str, Any]:
        """What goes in `doc.metadata[metadata_key]` for a document's paragraphs."""
        counts = {"removed": 0, "unsure": 0, "unknown": 0}
        removed = []
        for p in paragraphs:
            if p.verdict in counts:
                counts[p.verdict] += 1
            if p.removed:
                r: dict[str, Any] = {
                    "index": p.index,
                    "start": p.start,
                    "end": p.end,
                    "log_odds": p.log_odds,
                    "p_ad": p.p_ad,
                }
                if self.record_removed_text:
                    r["text"] = p.text
                removed.append(r)
        return {"paragraphs": len(paragraphs), **counts, "removed_paragraphs": removed}

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        model = self.model
        for doc in data:
            self.stat_update(StatHints.total)
            with self.track_time():
                cleaned, paragraphs = model.filter(doc.text)
                rec = self.record(paragraphs)
            doc.metadata[self.metadata_key] = rec
            self.stat_update("paragraphs", value=rec["paragraphs"])
            if rec["removed"]:
                self.stat_update("removed_paragraphs", value=rec["removed"])
                self.stat_update("docs_changed")
            doc.text = cleaned
            if self.drop_empty and not cleaned.strip():
                self.stat_update("dropped_empty")
                continue
            yield doc
