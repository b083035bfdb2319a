"""Shared fixtures: the repository, the real release binary, the built-in model."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SEEDS = REPO / "seeds"


@pytest.fixture(scope="session")
def cli() -> Path:
    """The `clean` release binary the Python results are compared with (CLEAN_BIN overrides)."""
    path = Path(os.environ.get("CLEAN_BIN", REPO / "target" / "release" / "clean"))
    if not path.is_file():
        pytest.fail(f"{path}: no clean binary; run `cargo build --release` first (or set CLEAN_BIN)")
    return path


@pytest.fixture(scope="session")
def model():
    import clean

    return clean.Model.builtin()


def run(*args: object, ok: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess:
    """Runs a command; fails the test with its stderr unless its exit code is in `ok`."""
    p = subprocess.run([str(a) for a in args], capture_output=True)
    if p.returncode not in ok:
        pytest.fail(f"{args} exited {p.returncode}: {p.stderr.decode(errors='replace')}")
    return p


def seed_texts() -> dict[str, str]:
    """The seed documents by file name (read as bytes, decoded strictly: no newline translation)."""
    return {p.name: p.read_bytes().decode("utf-8") for p in sorted(SEEDS.iterdir()) if p.is_file()}


# The same insert and article as tests/util.rs and scripts/dolma_mix.sh.
AD = (
    "vCard.red is a free platform for creating a mobile-friendly digital business cards. "
    "You can easily create a vCard and generate a QR code for it, allowing others to scan "
    "and save your contact details instantly."
)


def article(topic: str, lead: str = "") -> str:
    """A short news article about `topic`, paragraphs separated by blank lines."""
    return (
        f"{lead}{topic}: ministers meet as pressure grows\n\n"
        f"The {topic} minister said on Tuesday that the government would publish its plans for the {topic} sector next month.\n\n"
        f"Critics of the {topic} plans said the proposals came too late, and the opposition called for a vote.\n\n"
        f"The minister told reporters the {topic} review had taken longer than expected.\n\n"
        f"A vote on the {topic} plans is expected in the spring.\n"
    )


def with_ad(text: str) -> str:
    """`text` with AD inserted as its third paragraph."""
    parts = text.split("\n\n")
    parts.insert(2, AD)
    return "\n\n".join(parts)
