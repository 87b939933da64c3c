#!/usr/bin/env python3
"""Writes ftfy-tables.txt, the data Pictor's Java port of ftfy.fix_text (dev.pictor.clip.Ftfy) reads.

ftfy (github.com/rspeer/python-ftfy, Apache License 2.0) is not part of this repository: give the directory holding
its `ftfy` package (version 6.3.1), and that of its dependency `wcwidth`, which ftfy imports. Run from the
repository root:

    /usr/bin/python3 plugins/clip/src/test/python/make_ftfy_tables.py /path/to/python-ftfy /path/to/wcwidth

It writes plugins/clip/src/main/resources/dev/pictor/clip/ftfy-tables.txt, one tab-separated record a line:

  re  NAME  PATTERN     one of ftfy's regular expressions, rewritten in java.util.regex syntax (compile it with
                        Pattern.UNIX_LINES, so that '.' and '$' treat only '\\n' as a line end, as Python's re does).
                        The rewrite goes through Python's own parse of the pattern, so VERBOSE white space and
                        comments, ranges and escapes mean what they mean to Python; every character is written as
                        \\x{...}, and \\s, \\w, \\d become the exact sets of code points Python's re gives them for
                        str patterns (Java's own classes differ: ASCII-only by default, another Unicode version with
                        UNICODE_CHARACTER_CLASS). Byte patterns act on a string of chars U+0000-U+00FF, one per byte.
  alphabet  NAME  LO-HI:LETTER ...   for the pattern NAME (BADNESS_LETTERS, ftfy's badness heuristic): the letter,
                        a char below U+0100, that stands for each code point from LO to HI; the pattern is written
                        over these letters, and matches the mapped text wherever ftfy's matches the text (see remapped)
  window  NAME  WIDTH  LETTERS   for the same pattern: the longest match, in code points, and the letters of which
                        every match holds one
  charmap  ENCODING  256 hex code points, what bytes 00..FF decode to ('-' for a byte that the strict codec
                        rejects); the ten encodings ftfy tries, plus strict windows-1252 for its Latin-1 fallback
  map  NAME  FROM  TO   a translation table: code point FROM becomes the code points TO ('-' for none)
  entity  NAME  TO      ftfy's HTML entity table: "&name;" (HTML5's names with ';', and the upper-cased forms ftfy
                        adds) and the code points it stands for
  charref  NUMBER  TO   Python's html module: numeric references it replaces with something other than chr(NUMBER)
                        ('-' for nothing)

Lines starting with '#' are comments. The script checks the version of ftfy and that the charmaps are bijective.
"""
import bisect
import html
import os
import re
import sys

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "main", "resources", "dev", "pictor",
                   "clip", "ftfy-tables.txt")

sys.path[:0] = sys.argv[1:]
import ftfy  # noqa: E402
from ftfy import badness, chardata, fixes  # noqa: E402
from ftfy.bad_codecs import utf8_variants  # noqa: E402

try:  # Python 3.11+
    from re import _constants as C
    from re import _parser as P
except ImportError:  # pragma: no cover
    import sre_constants as C
    import sre_parse as P

assert ftfy.__version__ == "6.3.1", ftfy.__version__


def code_point_set(regex):
    """The code points one character of `regex` matches, as (first, last) ranges."""
    r = re.compile(regex)
    ranges = []
    for c in range(0x110000):
        if r.fullmatch(chr(c)):
            if ranges and ranges[-1][1] == c - 1:
                ranges[-1][1] = c
            else:
                ranges.append([c, c])
    return ranges


UNI = {"DIGIT": code_point_set(r"\d"), "SPACE": code_point_set(r"\s"), "WORD": code_point_set(r"\w")}
ASCII = {"DIGIT": code_point_set(r"(?a)\d"), "SPACE": code_point_set(r"(?a)\s"), "WORD": code_point_set(r"(?a)\w")}


def ch(c):
    return "\\x{%x}" % c


def ranges_text(ranges):
    return "".join(ch(a) if a == b else ch(a) + "-" + ch(b) for a, b in ranges)


def category(name, is_bytes):
    """A Python character category as the inside of a Java character class ('^' first if negated)."""
    name = str(name)
    negated = "_NOT_" in name
    kind = name.replace("CATEGORY_", "").replace("UNI_", "").replace("NOT_", "")
    ranges = (ASCII if is_bytes else UNI)[kind]
    if is_bytes:
        ranges = [[a, min(b, 0xFF)] for a, b in ranges if a <= 0xFF]
    return ("^" if negated else "") + ranges_text(ranges)


def repeat(body, parsed, lo, hi, op):
    """
    A repeated item. One character class repeated is written without a group around it: java.util.regex runs such
    a repetition as a loop, but recurses once per repetition of a group, which overflows the stack on long runs.
    """
    count = "{%d,}" % lo if hi is C.MAXREPEAT else "{%d,%d}" % (lo, hi)
    items = list(parsed)
    single = len(items) == 1 and items[0][0] in (C.LITERAL, C.NOT_LITERAL, C.ANY, C.IN)
    return (body if single else "(?:" + body + ")") + count + ("?" if op is C.MIN_REPEAT else "")


def utf8_detector_parts():
    """
    UTF8_DETECTOR_RE is (?<! [..]) ( A | B | C )+ : a lookbehind, then units of would-be UTF-8 repeated. Java would
    recurse once per unit (overflowing the stack after some hundreds), so it gets the first unit, with the lookbehind,
    and the unit alone, which the Java side repeats in a loop. As the repetition is greedy and ends the pattern, the
    match is the longest run taking at each step the first alternative that fits, which is what the loop finds.
    """
    tree = list(P.parse(chardata.UTF8_DETECTOR_RE.pattern, chardata.UTF8_DETECTOR_RE.flags & re.VERBOSE))
    assert len(tree) == 2 and tree[0][0] is C.ASSERT_NOT and tree[1][0] is C.MAX_REPEAT, tree
    lo, hi, unit = tree[1][1]
    assert lo == 1 and hi is C.MAXREPEAT
    unit_java = "(?:" + java(unit, False) + ")"
    return java(tree[:1], False) + unit_java, unit_java


def java(items, is_bytes):
    """Java regex source for a parsed Python pattern (a SubPattern or list of (op, arg))."""
    out = []
    for op, av in items:
        if op is C.LITERAL:
            out.append(ch(av))
        elif op is C.NOT_LITERAL:
            out.append("[^" + ch(av) + "]")
        elif op is C.ANY:
            out.append(".")
        elif op is C.IN:
            inner = []
            for iop, iav in av:
                if iop is C.NEGATE:
                    inner.insert(0, "^")
                elif iop is C.LITERAL:
                    inner.append(ch(iav))
                elif iop is C.RANGE:
                    inner.append(ch(iav[0]) + "-" + ch(iav[1]))
                elif iop is C.CATEGORY:
                    inner.append("[" + category(iav, is_bytes) + "]")
                else:
                    raise ValueError(f"unsupported in a set: {iop}")
            out.append("[" + "".join(inner) + "]")
        elif op is C.BRANCH:
            out.append("(?:" + "|".join(java(b, is_bytes) for b in av[1]) + ")")
        elif op is C.SUBPATTERN:
            group, add_flags, del_flags, p = av
            assert not add_flags and not del_flags, "inline flags are not supported"
            out.append("(?:" + java(p, is_bytes) + ")")
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT):
            lo, hi, p = av
            out.append(repeat(java(p, is_bytes), p, lo, hi, op))
        elif op in (C.ASSERT, C.ASSERT_NOT):
            direction, p = av
            sign = "=" if op is C.ASSERT else "!"
            out.append("(?" + ("<" if direction < 0 else "") + sign + java(p, is_bytes) + ")")
        elif op is C.AT:
            out.append({C.AT_BEGINNING: "^", C.AT_BEGINNING_STRING: "\\A", C.AT_END: "$",
                        C.AT_END_STRING: "\\z"}[av])
        else:
            raise ValueError(f"unsupported regex operation: {op}")
    return "".join(out)


def convert(pattern):
    assert not pattern.flags & (re.IGNORECASE | re.MULTILINE | re.DOTALL | re.ASCII), pattern
    is_bytes = isinstance(pattern.pattern, bytes)
    source = pattern.pattern.decode("latin-1") if is_bytes else pattern.pattern
    flags = pattern.flags & re.VERBOSE
    return java(P.parse(source, flags), is_bytes)


MAX = 0x10FFFF


def complement(ranges):
    out, start = [], 0
    for a, b in sorted(ranges):
        if a > start:
            out.append((start, a - 1))
        start = max(start, b + 1)
    if start <= MAX:
        out.append((start, MAX))
    return out


def node_set(op, av):
    """The code points one character-matching node (LITERAL, NOT_LITERAL, ANY, IN) of a str pattern accepts."""
    if op is C.LITERAL:
        return [(av, av)]
    if op is C.NOT_LITERAL:
        return complement([(av, av)])
    if op is C.ANY:
        return complement([(0x0A, 0x0A)])
    ranges, negate = [], False
    for iop, iav in av:
        if iop is C.NEGATE:
            negate = True
        elif iop is C.LITERAL:
            ranges.append((iav, iav))
        elif iop is C.RANGE:
            ranges.append(tuple(iav))
        elif iop is C.CATEGORY:
            name = str(iav)
            kind = name.replace("CATEGORY_", "").replace("UNI_", "").replace("NOT_", "")
            cat = [tuple(r) for r in UNI[kind]]
            ranges.extend(complement(cat) if "_NOT_" in name else cat)
        else:
            raise ValueError(iop)
    return complement(ranges) if negate else complement(complement(ranges))


def char_nodes(items, found):
    for op, av in items:
        if op in (C.LITERAL, C.NOT_LITERAL, C.ANY, C.IN):
            found.append((op, av))
        elif op is C.BRANCH:
            for b in av[1]:
                char_nodes(b, found)
        elif op is C.SUBPATTERN:
            char_nodes(av[3], found)
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT):
            char_nodes(av[2], found)
        elif op in (C.ASSERT, C.ASSERT_NOT):
            char_nodes(av[1], found)


def remapped(pattern):
    """
    The pattern rewritten over a small alphabet, and the map from code points to it. Java tests a character class
    against each of its members and ranges in turn, which makes ftfy's badness expression (classes of hundreds of
    characters, tried at every position) some hundred times slower than Python's bitmaps. Code points that every
    class and literal of the pattern treats alike are one letter of the new alphabet; its letters are chars below
    U+0100 where possible, which java.util.regex tests with a bitmap. A line feed stays a line feed, so that '.' and
    '$' keep their meaning.
    """
    tree = P.parse(pattern.pattern, pattern.flags & re.VERBOSE)
    nodes = []
    char_nodes(tree, nodes)
    sets = {}
    for op, av in nodes:
        sets.setdefault(tuple(node_set(op, av)), len(sets))
    sets.setdefault(((0x0A, 0x0A),), len(sets))
    set_list = list(sets)
    points = sorted({0, MAX + 1} | {a for s in set_list for a, _ in s} | {b + 1 for s in set_list for _, b in s})
    starts = [[a for a, _ in s] for s in set_list]

    def member(i, c):
        k = bisect.bisect_right(starts[i], c) - 1
        return k >= 0 and set_list[i][k][1] >= c

    letters = {}
    intervals = []
    for lo, nxt in zip(points, points[1:]):
        signature = tuple(member(i, lo) for i in range(len(set_list)))
        if signature not in letters:
            letters[signature] = None
        intervals.append([lo, nxt - 1, signature])
    codes = {}
    newline_sig = next(sig for lo, hi, sig in intervals if lo <= 0x0A <= hi)
    codes[newline_sig] = 0x0A
    free = (c for c in range(0x10000) if c != 0x0A)
    for sig in letters:
        if sig not in codes:
            codes[sig] = next(free)
    # merge neighbouring intervals that got the same letter
    merged = []
    for lo, hi, sig in intervals:
        if merged and merged[-1][2] == codes[sig] and merged[-1][1] == lo - 1:
            merged[-1][1] = hi
        else:
            merged.append([lo, hi, codes[sig]])

    def letters_of(ranges):
        i = sets[tuple(ranges)]
        return sorted({code for sig, code in codes.items() if sig[i]})

    def conv(items):
        out = []
        for op, av in items:
            if op is C.ANY:
                out.append(".")
            elif op in (C.LITERAL, C.NOT_LITERAL, C.IN):
                out.append("[" + "".join(ch(c) for c in letters_of(node_set(op, av))) + "]")
            elif op is C.BRANCH:
                out.append("(?:" + "|".join(conv(b) for b in av[1]) + ")")
            elif op is C.SUBPATTERN:
                assert not av[1] and not av[2]
                out.append("(?:" + conv(av[3]) + ")")
            elif op in (C.MAX_REPEAT, C.MIN_REPEAT):
                lo, hi, p = av
                out.append(repeat(conv(p), p, lo, hi, op))
            elif op in (C.ASSERT, C.ASSERT_NOT):
                direction, p = av
                sign = "=" if op is C.ASSERT else "!"
                out.append("(?" + ("<" if direction < 0 else "") + sign + conv(p) + ")")
            elif op is C.AT:
                out.append({C.AT_BEGINNING: "^", C.AT_BEGINNING_STRING: "\\A", C.AT_END: "$",
                            C.AT_END_STRING: "\\z"}[av])
            else:
                raise ValueError(op)
        return "".join(out)

    assert max(codes.values()) < 0x100, "alphabet too large for a bitmap: %d letters" % len(codes)
    table = " ".join("%x-%x:%x" % (lo, hi, code) for lo, hi, code in merged)

    # Where a match can be. Every alternative must take one character from a set of non-ASCII characters (checked
    # here); the letters of those sets are the anchors: a match lies within `width` code points of an anchor, so
    # only those starts need trying, and text without anchors (most text) is not bad at all.
    [(op, (_, alternatives))] = list(tree)
    assert op is C.BRANCH
    anchors = set()
    for alternative in alternatives:
        sets_here = [node_set(o, a) for o, a in alternative if o in (C.LITERAL, C.NOT_LITERAL, C.IN)]
        required = [r for r in sets_here if r[0][0] >= 0x80]
        assert required, "an alternative without a non-ASCII character: %s" % alternative
        for r in required:
            anchors.update(letters_of(r))
    width = tree.getwidth()[1]
    assert width < 16, width
    window = "%d\t%s" % (width, " ".join("%x" % c for c in sorted(anchors)))
    return conv(tree), table, window


def hexes(text):
    return "+".join("%x" % ord(c) for c in text) if text else "-"


REGEXES = {
    # str patterns (badness.BADNESS_RE is written below, over its own alphabet)
    "HTML_ENTITY": chardata.HTML_ENTITY_RE,
    "C1_CONTROL": chardata.C1_CONTROL_RE,
    "SINGLE_QUOTE": chardata.SINGLE_QUOTE_RE,
    "DOUBLE_QUOTE": chardata.DOUBLE_QUOTE_RE,
    "ANSI": fixes.ANSI_RE,
    # bytes patterns
    "ALTERED_UTF8": chardata.ALTERED_UTF8_RE,
    "LOSSY_UTF8": chardata.LOSSY_UTF8_RE,
    "A_GRAVE_WORD": fixes.A_GRAVE_WORD_RE,
    "UTF8_VARIANTS_SPECIAL": utf8_variants.SPECIAL_BYTES_RE,
    "CESU8": utf8_variants.CESU8_RE,
}


def main():
    lines = [
        "# Generated by plugins/clip/src/test/python/make_ftfy_tables.py from ftfy %s (Apache License 2.0, "
        "Copyright 2023 Robyn Speer) on Python %s, Unicode %s. Do not edit." % (
            ftfy.__version__, sys.version.split()[0], __import__("unicodedata").unidata_version),
    ]
    for name, pattern in REGEXES.items():
        lines.append(f"re\t{name}\t{convert(pattern)}")
    start, unit = utf8_detector_parts()
    lines.append(f"re\tUTF8_DETECTOR_START\t{start}")
    lines.append(f"re\tUTF8_DETECTOR_UNIT\t{unit}")
    # the badness expression, over an alphabet of classes of code points (see remapped)
    badness_letters, alphabet, window = remapped(badness.BADNESS_RE)
    lines.append(f"re\tBADNESS_LETTERS\t{badness_letters}")
    lines.append(f"alphabet\tBADNESS_LETTERS\t{alphabet}")
    lines.append(f"window\tBADNESS_LETTERS\t{window}")

    for enc in chardata.CHARMAP_ENCODINGS:
        table = bytes(range(256)).decode(enc)
        for b in range(256):  # the Java side inverts the table: it must be one to one
            assert table[b].encode(enc) == bytes([b]), (enc, b)
        lines.append(f"charmap\t{enc}\t" + " ".join("%x" % ord(c) for c in table))
    strict = []
    for b in range(256):
        try:
            strict.append("%x" % ord(bytes([b]).decode("windows-1252")))
        except UnicodeDecodeError:
            strict.append("-")
    lines.append("charmap\twindows-1252\t" + " ".join(strict))

    for name, table in (("LIGATURES", chardata.LIGATURES), ("WIDTH", chardata.WIDTH_MAP),
                        ("CONTROL_CHARS", chardata.CONTROL_CHARS)):
        for k in sorted(table):
            lines.append(f"map\t{name}\t%x\t%s" % (k, hexes(table[k] or "")))

    for name in sorted(chardata.HTML_ENTITIES):
        lines.append(f"entity\t{name}\t{hexes(chardata.HTML_ENTITIES[name])}")

    # html.unescape's numeric references (used by ftfy for "&#...;")
    invalid_charrefs = html._invalid_charrefs
    for num in sorted(invalid_charrefs):
        lines.append("charref\t%x\t%s" % (num, hexes(invalid_charrefs[num])))
    for num in sorted(html._invalid_codepoints):
        if num not in invalid_charrefs:
            lines.append("charref\t%x\t-" % num)

    with open(OUT, "w", encoding="ascii", newline="\n") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {len(lines)} lines to {os.path.normpath(OUT)}")


if __name__ == "__main__":
    main()
