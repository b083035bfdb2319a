"""clean: remove injected ad and spam paragraphs from scraped text.

    import clean
    model = clean.Model.builtin()
    cleaned, paragraphs = model.filter(text)

`cleaned` is what `clean filter` writes for `text`; `paragraphs` lists every paragraph with its
verdict ("kept", "unsure", "removed", "unknown"), score and offsets (`start`/`end` in str indices,
`byte_start`/`byte_end` in UTF-8 bytes). `clean.datatrove.CleanFormatter` is a datatrove step
(needs the `datatrove` extra; `import clean` does not).
"""

from clean._clean import Explanation, Model, Paragraph, __version__

__all__ = ["Explanation", "Model", "Paragraph", "__version__"]
