"""Type stubs of the extension module `clean._clean` (re-exported by `clean`)."""

import os
from typing import Literal, final

Verdict = Literal["kept", "unsure", "removed", "unknown"]
UnknownReason = Literal["script", "digits", "code", "links", "vocabulary"]

__version__: str

@final
class Paragraph:
    """One paragraph of a document and what the filter decided for it."""

    @property
    def index(self) -> int:
        """Position among the document's paragraphs, from 0."""
    @property
    def start(self) -> int:
        """Start in str indices (code points) of the input: text[start:end] == self.text."""
    @property
    def end(self) -> int:
        """End (exclusive) in str indices."""
    @property
    def byte_start(self) -> int:
        """Start in UTF-8 bytes of the input (as in the CLI's reports)."""
    @property
    def byte_end(self) -> int:
        """End (exclusive) in UTF-8 bytes."""
    @property
    def text(self) -> str:
        """The paragraph's text."""
    @property
    def log_odds(self) -> float:
        """Final log-odds that the paragraph is an insert (natural log)."""
    @property
    def p_ad(self) -> float:
        """P(ad), the logistic of log_odds."""
    @property
    def verdict(self) -> Verdict:
        """"kept", "unsure", "removed" or "unknown"."""
    @property
    def unknown(self) -> UnknownReason | str | None:
        """Why the paragraph is outside what the model knows, when verdict is "unknown"."""
    @property
    def removed(self) -> bool:
        """True when the filter takes the paragraph out."""
    def to_dict(self) -> dict[str, int | float | str | None]:
        """The fields as a dict of JSON-friendly values."""

@final
class Explanation:
    """A paragraph and the tokens behind its score."""

    @property
    def paragraph(self) -> Paragraph: ...
    @property
    def toward_ad(self) -> list[tuple[str, float]]:
        """(token, weight in nats) pushing towards ad, strongest first."""
    @property
    def toward_editorial(self) -> list[tuple[str, float]]:
        """(token, weight in nats) pushing towards editorial, strongest first."""
    def to_dict(self) -> dict[str, object]: ...

@final
class Model:
    """A clean model with its settings (None: the model's own calibrated cuts)."""

    @staticmethod
    def builtin(
        *,
        threshold: float | None = None,
        unsure: float | None = None,
        keep_unknown: bool = True,
    ) -> Model:
        """The model compiled into the library."""
    @staticmethod
    def load(
        path: str | os.PathLike[str],
        *,
        threshold: float | None = None,
        unsure: float | None = None,
        keep_unknown: bool = True,
    ) -> Model:
        """A model file. Raises OSError (FileNotFoundError, ...) or ValueError (not a model)."""
    def filter(self, text: str) -> tuple[str, list[Paragraph]]:
        """(cleaned text, every paragraph in order); the GIL is released meanwhile."""
    def judge(self, text: str) -> list[Paragraph]:
        """Every paragraph and its verdict, without building the cleaned text."""
    def explain(self, text: str, top: int = 5) -> list[Explanation]:
        """Every paragraph and the top tokens each way behind its score."""
    @property
    def threshold(self) -> float:
        """Removal threshold in force: a paragraph goes when its log-odds >= this."""
    @property
    def unsure(self) -> float:
        """A kept paragraph with log-odds >= this is reported "unsure"."""
    @property
    def keep_unknown(self) -> bool:
        """Whether paragraphs outside what the model knows are kept (verdict "unknown")."""
