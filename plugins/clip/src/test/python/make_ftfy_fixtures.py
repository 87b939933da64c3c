#!/usr/bin/env python3
"""Reference outputs of ftfy.fix_text for FtfyTest, from ftfy 6.3.1 itself (github.com/rspeer/python-ftfy, Apache
License 2.0; not part of this repository). Give the directory holding the `ftfy` package, then that of `wcwidth`,
which ftfy imports. Run from the repository root:

    /usr/bin/python3 plugins/clip/src/test/python/make_ftfy_fixtures.py /path/to/python-ftfy /path/to/wcwidth

It writes plugins/clip/src/test/resources/fixtures/ftfy_cases.json: a JSON array of [input, ftfy.fix_text(input)],
one pair a line. Lone surrogates are written as \\uXXXX escapes (JSON allows them; UTF-8 cannot hold them). The cases:

  - every string that ftfy's own test suite feeds it (tests/test-cases/*.json: mojibake in the wild, synthetic,
    negative cases, known failures), both the broken and the fixed form;
  - the string arguments in ftfy's doctests (fix_text, fix_encoding, unescape_html, ... examples);
  - hand-written edge cases: HTML entities (HTML5-only names, upper-cased names, numeric references of every kind,
    the "<" rule that turns unescaping off for the rest of the text), ligatures, widths, quotes, line breaks, terminal
    escapes, control characters, surrogates, emoji, CESU-8 and Java-NUL mojibake, the codec's end-of-text quirks;
  - a few thousand random strings (seeded): mixes of ASCII, Latin-1, Greek, Cyrillic, CJK, emoji, combining marks
    and punctuation; the same made into mojibake (UTF-8 or CESU-8 bytes decoded as latin-1, windows-125x, iso-8859-2,
    macroman, cp437, sometimes twice, with lost bytes or 0xA0 turned to spaces, mixed with clean text); and runs
    of the characters ftfy's mojibake heuristics look at.
"""
import ast
import doctest
import glob
import json
import os
import random
import re
import sys

sys.path[:0] = sys.argv[1:]
import ftfy  # noqa: E402
import ftfy.badness  # noqa: E402
import ftfy.chardata  # noqa: E402
import ftfy.fixes  # noqa: E402

assert ftfy.__version__ == "6.3.1", ftfy.__version__

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "resources", "fixtures", "ftfy_cases.json")
FTFY_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(ftfy.__file__)))


def ftfy_test_suite():
    out = []
    for path in sorted(glob.glob(os.path.join(FTFY_ROOT, "tests", "test-cases", "*.json"))):
        with open(path, encoding="utf-8") as f:
            for case in json.load(f):
                for key in ("original", "fixed", "fixed-encoding"):
                    if key in case:
                        out.append(case[key])
    return out


def doctest_strings():
    """The literal string arguments of calls in ftfy's doctests."""
    out = []
    finder = doctest.DocTestFinder()
    for module in (ftfy, ftfy.fixes, ftfy.chardata, ftfy.badness):
        for test in finder.find(module):
            for example in test.examples:
                try:
                    tree = ast.parse(example.source)
                except SyntaxError:
                    continue
                for node in ast.walk(tree):
                    if isinstance(node, ast.Call) and node.args:
                        try:
                            value = ast.literal_eval(node.args[0])
                        except ValueError:
                            continue
                        if isinstance(value, str):
                            out.append(value)
    return out


HAND = [
    "âœ” No problems", "doesnâ€™t", "sÃ³", "voilÃ le travail", "voilÃ\xa0le travail", "schÃ¶n", "Ã³",
    "&macr;\\_(ã\x83\x84)_/&macr;", "Broken text&hellip; it&#x2019;s ﬂubberiﬁc!", "ＬＯＵＤ　ＮＯＩＳＥＳ",
    "&ATILDE;&SUP3;", "Ã la mode", "fÃ cil", "Ã s vezes", "Ã quele", "Ã quel point",
    # entities
    "&checkmark;", "&Jscr;ohn &HilbertSpace;ancock", "P&EACUTE;REZ", "BUNDESSTRA&SZLIG;E", "P&eacute;rez",
    "&ntilde; &Ntilde; &NTILDE; &nTILDE;", "&lt;tag&gt;", "this&not that", "&amp", "&amp;amp;", "&NotEqualTilde;",
    "&#59;", "&#x3b;", "&#X3B;", "&#0;", "&#13;", "&#128;", "&#129;", "&#x80;", "&#150;", "&#xD800;", "&#xdfff;",
    "&#1114111;", "&#1114112;", "&#99999999999999999999;", "&#x10FFFF;", "&#xFFFE;", "&#1;", "&#11;", "&#127;",
    "&#65;&#x42;&#X43;", "&#12ab;", "&#x1g;", "&#abc;", "&#x;", "&#;", "&#", "&#65", "&ABCDEFGHIJKLMNOPQRSTUVWXY;",
    "&abcdefghijklmnopqrstuvwx;", "&#000000000000000000065;", "a &lt; b", "<b>&amp;</b>", "<p>&amp;</p>\n&amp;\n",
    "&amp;\n<\n&amp;", "&amp;\n&lt;\n&amp;", "&eacute;&#xe9;&EACUTE;&Eacute;", "&AMP;&LT;&GT;&QUOT;", "&Amp;",
    "&COPY; &REG; &NBSP;x", "&AElig;&AELIG;", "&dollar;&euro;&EURO;", "&#x1F600;", "&#128512;", "&#xD83D;&#xDE00;",
    # ligatures, widths, quotes, line breaks
    "ﬂuﬃeﬆ", "Ĳsselmeerĳĳ", "ǅemal ǈubljana ǋegoš", "ŉ", "Ｕﾀｰﾝ", "ﾊﾟﾝ", "ｶﾞｷﾞ", "￡￥￦", "￣",
    "\u201chere\u2019s a test\u201d", "\u201a\u201b\u201e\u201f\u02bc", "«guillemets» ‹single›",
    "Content-type: text/plain\r\n\r\nHi.", "This is how Microsoft \r trolls Mac users",
    "What is this \x85 I don't even",
    "two things:\u20291. Unicode\u20282. Spite", "a\r\n\r\nb\n\rc", "\r", "\n", "\n\n\n", "x\n",
    # terminal escapes, control characters
    "\x1b[36;44mI'm blue, da ba dee da ba doo...\x1b[0m", "\x1b[1;31mred\x1b[m", "\x1b[١٢mArabic digits\x1b[0m",
    "\x1b[31", "\x1b]0;title\x07", "a\x00b\x01c\x08d\x0be\x0cf\x0eg\x1fh\x7fi", "\t\n\x0c\r kept",
    "\ufeffBOM", "x\ufeffy", "\u206a\u206f\ufff9\ufffa\ufffb\ufffc\ufffd", "\u200c\u200d\u200e\u200f\u202a\u202e",
    "\U0001d173\U0001d17a", "\U000e0067\U000e007f",
    # surrogates, emoji
    "\ud83d\udca9", "\udca9\ud83d", "lone \ud800 high", "lone \udc00 low", "\ud800\ud800\udc00", "end \ud83d",
    "😀 emoji 🏳️‍🌈 👩‍👩‍👧 🇫🇷 🏴\U000e0067\U000e0062\U000e0077\U000e006c\U000e0073\U000e007f",
    # mojibake of various kinds
    "ðŸ˜€", "ðŸ’©", "Ã°Å¸ËœÂ€", "í\xa0½í¸\x80", "í\xa0½í¸\x8d", "\xed\xa0\xbd\xed\xb8\x8d", "Ã\x80", "\xc0\x80",
    "here comes a null! À\x80 ok", "â€œ like this â€\ufffd", "â€\ufffd", "Ã\ufffd", "Ã?", "â€?", "Â£",
    "Ã\x8d", "Ã©tÃ©", "Ã©tÃ© Ã\xa0 Paris", "cafÃ©\ncafÃ©\r\ncafé", "Ð\u045fÑ€Ð¸Ð²ÐµÑ‚", "ÐŸÑ€Ð¸Ð²ÐµÑ‚",
    "ÐŸÑ€Ð¸Ð²ÐµÑ‚ Ð¼Ð¸Ñ€", "Ã¤Ã¶Ã¼ÃŸ", "Ã„Ã–Ãœ", "æ—¥æœ¬èªž", "ä¸\xadæ–‡", "ä¸­æ–‡", "í•œêµ\xadì–´",
    "Ã¢â‚¬Å“doubleÃ¢â‚¬Â\x9d", "Ã¢â‚¬â„¢", "\u0084Handwerk\u0093", "\x80\x81\x8d\x8f\x90\x9d\x9f",
    "\x93quoted\x94", "Iâ\x80\x99m", "Ã\x83Â©", "The Mona Lisa doesnÃƒÂ¢Ã¢â€šÂ¬Ã¢â€žÂ¢t have eyebrows.",
    "Ã\n", "Ã\x80\n", "À\n", "×²", "Ã¡\xa0", "√©", "‚Äô", "вЂ™", "ГўВЂВ™", "β€™", "ā€",
]


def cesu8(text):
    out = bytearray()
    for c in text:
        cp = ord(c)
        if cp >= 0x10000:
            cp -= 0x10000
            for s in (0xD800 + (cp >> 10), 0xDC00 + (cp & 0x3FF)):
                out += bytes([0xE0 | (s >> 12), 0x80 | ((s >> 6) & 0x3F), 0x80 | (s & 0x3F)])
        else:
            out += c.encode("utf-8")
    return bytes(out)


ENCODINGS = ["latin-1", "windows-1252", "sloppy-windows-1252", "windows-1251", "sloppy-windows-1251", "windows-1250",
             "sloppy-windows-1250", "windows-1253", "windows-1254", "windows-1257", "iso-8859-2", "macroman",
             "cp437", "cp850", "koi8-r", "iso-8859-15"]

WORDS = ["the", "cat", "café", "naïve", "über", "straße", "résumé", "piñata", "crème brûlée", "façade", "Ærøskøbing",
         "São Paulo", "Zürich", "Kraków", "İstanbul", "Łódź", "Ελλάδα", "καλημέρα", "Москва", "привет", "Київ",
         "日本語", "中文", "東京", "한국어", "ありがとう", "カタカナ", "עברית", "العربية", "हिन्दी", "ไทย", "Việt Nam",
         "😀", "🐱", "👍🏽", "❤️", "✔", "€5", "£3", "¥100", "½", "©2024", "™", "°C", "±1", "§2", "¶", "…", "—", "–",
         "“quoted”", "‘single’", "it’s", "•", "→", "≥", "∞", "µm", "×", "÷", "¿qué?", "¡hola!", "«fr»", "x²", "ﬁne",
         "Ｆｕｌｌ", "ｶﾀｶﾅ", "A&amp;B", "&eacute;", "&#8217;", "a\tb", "e\u0301", "n\u0303", "a\u0308\u0304",
         "\u1100\u1161\u11a8", "\u00a0", "\u00ad", "·", "¦", "¬", "¤", "¨", "¯", "¸", "ª", "º", "ð", "þ", "ß"]


def random_clean(rng):
    parts = []
    for _ in range(rng.randint(1, 8)):
        r = rng.random()
        if r < 0.45:
            parts.append(rng.choice(WORDS))
        elif r < 0.6:
            parts.append("".join(chr(rng.randint(0x20, 0x7E)) for _ in range(rng.randint(1, 6))))
        elif r < 0.72:
            parts.append("".join(chr(rng.randint(0xA0, 0xFF)) for _ in range(rng.randint(1, 4))))
        elif r < 0.8:
            parts.append("".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(rng.randint(1, 4))))
        elif r < 0.87:
            parts.append("".join(chr(rng.choice([rng.randint(0x1F300, 0x1F64F), rng.randint(0x1F900, 0x1F9FF),
                                                 rng.randint(0x2600, 0x27BF)])) for _ in range(rng.randint(1, 3))))
        elif r < 0.93:
            parts.append("".join(chr(rng.choice([rng.randint(0x391, 0x3C9), rng.randint(0x400, 0x45F),
                                                 rng.randint(0x100, 0x17F), rng.randint(0x2010, 0x2044)]))
                                 for _ in range(rng.randint(1, 5))))
        else:
            parts.append(rng.choice(["a", "e", "o", "A"]) + chr(rng.randint(0x300, 0x36F)))
    return rng.choice([" ", " ", "", "\n", ", "]).join(parts)


def mojibake(rng, text):
    data = cesu8(text) if rng.random() < 0.15 else text.encode("utf-8")
    enc = rng.choice(ENCODINGS)
    out = data.decode(enc, errors="replace")
    if rng.random() < 0.15:  # twice
        enc2 = rng.choice(["latin-1", "windows-1252", "sloppy-windows-1252", "macroman"])
        try:
            out = out.encode("utf-8").decode(enc2, errors="replace")
        except UnicodeEncodeError:
            pass
    if rng.random() < 0.2:
        out = out.replace("\xa0", " ")
    if rng.random() < 0.1:
        out = out.replace("\x9d", "?") if rng.random() < 0.5 else out.replace("\x9d", "\ufffd")
    return out


MOJIBAKE_CHARS = sorted(set(
    "".join(bytes(range(0x80, 0x100)).decode(e) for e in ftfy.chardata.CHARMAP_ENCODINGS)
    + "".join(ftfy.badness.MOJIBAKE_CATEGORIES.values()).replace("-", "")
))


def random_strings(rng, count):
    out = []
    for i in range(count):
        kind = i % 10
        if kind < 3:
            out.append(random_clean(rng))
        elif kind < 7:
            out.append(mojibake(rng, random_clean(rng)))
        elif kind == 7:  # clean and broken side by side, sometimes on separate lines
            sep = rng.choice([" ", "\n", " | "])
            a, b = random_clean(rng), mojibake(rng, random_clean(rng))
            out.append(sep.join([a, b] if rng.random() < 0.5 else [b, a]))
        elif kind == 8:  # runs of the characters the heuristics look at, with letters and spaces
            pool = MOJIBAKE_CHARS + list("aeiouxAEZ  .,?!'") + ["\n", "\x80", "\x9d"]
            out.append("".join(rng.choice(pool) for _ in range(rng.randint(1, 12))))
        else:  # Latin-1 noise, controls included, and odd characters
            pool = [chr(c) for c in range(0x00, 0x100)] + ["\u2028", "\ufeff", "\ufffc", "\x1b[0m", "&amp;",
                                                           "&lt;", "<", "\ud800", "\udfff", "\r\n"]
            out.append("".join(rng.choice(pool) for _ in range(rng.randint(1, 10))))
    return out


def escape_surrogates(s):
    return re.sub("[\ud800-\udfff]", lambda m: "\\u%04x" % ord(m.group()), s)


def main():
    rng = random.Random(20240601)
    inputs = ftfy_test_suite() + doctest_strings() + HAND + random_strings(rng, 4000)
    seen = set()
    cases = []
    for text in inputs:
        if text in seen:
            continue
        seen.add(text)
        cases.append([text, ftfy.fix_text(text)])
    with open(OUT, "w", encoding="utf-8", newline="\n") as f:
        f.write("[\n")
        f.write(",\n".join(escape_surrogates(json.dumps(c, ensure_ascii=False)) for c in cases))
        f.write("\n]\n")
    changed = sum(1 for a, b in cases if a != b)
    print(f"wrote {len(cases)} cases ({changed} changed by ftfy) to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
