#!/usr/bin/env python3
"""Reference ids for ClipBpeTokenizerTest beyond ASCII, from OpenAI's own tokenizer (openai/CLIP,
clip/simple_tokenizer.py, kept out of this repository: give its path) with the real ftfy 6.3.1 it calls first
(github.com/rspeer/python-ftfy, also kept out: give the directory holding its `ftfy` package, then that of `wcwidth`,
which ftfy imports). It needs the `regex` module. Run from the repository root:

    python3 plugins/clip/src/test/python/make_bpe_unicode_fixtures.py /path/to/CLIP/clip/simple_tokenizer.py \
        /path/to/python-ftfy /path/to/wcwidth

Texts with '&' are left out of bpe-unicode.json: HTML entity rules get their own file, bpe-entities.json.

Writes plugins/clip/src/test/resources/dev/pictor/clip/bpe-unicode.json: [{text, ids}] with start and end ids,
cut to 77 as clip.tokenize(truncate=True) does, without padding.
"""
import importlib.util
import json
import os
import random
import sys
import unicodedata

sys.path[:0] = sys.argv[2:]
import ftfy  # noqa: E402

assert ftfy.__version__ == "6.3.1", ftfy.__version__
spec = importlib.util.spec_from_file_location("simple_tokenizer", sys.argv[1])
st = importlib.util.module_from_spec(spec)
spec.loader.exec_module(st)
HERE = os.path.dirname(os.path.abspath(__file__))
BPE = os.path.join(HERE, "..", "..", "main", "resources", "dev", "pictor", "clip", "bpe_simple_vocab_16e6.txt.gz")
OUT = os.path.join(HERE, "..", "resources", "dev", "pictor", "clip", "bpe-unicode.json")
tok = st.SimpleTokenizer(BPE)

# whole blocks: every assigned, non-control code point alone, and runs of 8 neighbours
RANGES = [(0x00A0, 0x00FF), (0x0100, 0x017F), (0x0180, 0x024F), (0x0370, 0x03FF), (0x0400, 0x04FF),
          (0x0530, 0x058F), (0x0590, 0x05FF), (0x0600, 0x06FF), (0x0900, 0x097F), (0x0E00, 0x0E7F),
          (0x1E00, 0x1EFF), (0x2000, 0x206F), (0x20A0, 0x20CF), (0x2190, 0x21FF), (0x2200, 0x22FF),
          (0x2500, 0x257F), (0x3040, 0x309F), (0x30A0, 0x30FF), (0x1F300, 0x1F64F), (0x1F680, 0x1F6FF)]


def usable(cp):
    c = chr(cp)
    cat = unicodedata.category(c)
    return cat not in ("Cc", "Cs", "Co", "Cn") and c != "&"


texts = []
for lo, hi in RANGES:
    block = [chr(cp) for cp in range(lo, hi + 1) if usable(cp)]
    texts.extend(block)
    texts.extend("".join(block[i:i + 8]) for i in range(0, len(block), 8))
rng = random.Random(20261201)
# a stride through CJK and Hangul syllables
texts.extend(chr(cp) for cp in range(0x4E00, 0x9FFF, 37))
texts.extend(chr(cp) for cp in range(0xAC00, 0xD7A3, 53))
words = ["café", "naïve", "Straße", "ÉCOLE", "über", "señor", "Ærøskøbing", "Πάρις", "ΣΊΣΥΦΟΣ", "Москва", "привет",
         "日本語", "猫", "東京タワー", "ひらがな", "한국어", "서울", "العربية", "עברית", "हिन्दी", "ไทย", "😀", "🐱‍👤",
         "👍🏽", "€100", "½", "x²", "ﬁne", "“quoted”", "‘single’", "—", "…", "a photo of a", "red", "circle",
         "42", "3.14", "e\u0301", "A\u030a", "ǅ", "İstanbul", "ŉ"]
for _ in range(1500):
    n = rng.randint(1, 12)
    texts.append(" ".join(rng.choice(words) for _ in range(n)))
texts.append("a photo of a cat")



def write(name, texts):
    out = [{"text": t, "ids": [49406] + tok.encode(t)[:75] + [49407]} for t in texts]
    path = os.path.join(os.path.dirname(OUT), name)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(out, f, ensure_ascii=False)
        f.write("\n")
    print("wrote", len(out), "texts to", path)


write("bpe-unicode.json", texts)

# HTML character references, as ftfy's unescape_html and then html.unescape (twice) decode them: HTML 4's names with
# and without ';', upper-cased, numbers of every kind, and the near misses
import html.entities
names = sorted(html.entities.name2codepoint) + ["apos"]
numbers = [0, 9, 10, 13, 32, 38, 65, 127, 128, 129, 141, 150, 159, 160, 233, 0xB, 0x1F, 0x7F, 0xD800, 0xDFFF, 0xFDD0,
           0xFFFE, 0xFFFF, 0x1FFFE, 0x10FFFF, 0x110000, 10 ** 12, 0x1F600, 0x4E2D]
refs = []
for n in names:
    refs += ["&" + n + ";", "&" + n, "&" + n + "x", "&" + n.upper() + ";"]
for n in numbers:
    refs += ["&#%d;" % n, "&#%d" % n, "&#x%x;" % n, "&#X%X" % n, "&#%dz" % n]
refs += ["&", "&&", "&;", "&#;", "&#x;", "&unknown;", "&amp;amp;", "&amp;lt;", "&ampamp", "&notit;", "&notin;",
         "&nota", "& amp;", "&#", "AT&T", "R&D", "a&b"]
etexts = list(refs)
for _ in range(1500):
    etexts.append(" ".join(rng.choice(refs + words[:20]) for _ in range(rng.randint(1, 8))))
write("bpe-entities.json", etexts)
