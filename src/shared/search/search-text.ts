// What "a message matches a search" means, in one place for both client
// stores and the highlighting (docs/engine.md, "Search"): the query and the
// message are cut into words (runs of letters and digits), each word is
// folded (lower case, accents dropped: "Café" finds "cafe"), and a message
// matches when every query word begins some word of the message ("hel"
// finds "Hello"). The SQLite store gets the same from FTS5's unicode61
// tokenizer with remove_diacritics 2 and prefix queries; the IndexedDB store
// builds its index with these functions.

/** A run of letters and digits (marks included, so that decomposed accents
 * stay inside their word). */
const WORD = /[\p{L}\p{N}\p{M}]+/gu;
const MARKS = /\p{M}/gu;

/** A word as both indexes compare it. */
export function foldWord(word: string): string {
  return word.normalize('NFKD').replace(MARKS, '').toLowerCase();
}

/** The folded words of a text, in order. */
export function searchWords(text: string): string[] {
  const words: string[] = [];
  for (const match of text.matchAll(WORD)) {
    const folded = foldWord(match[0]);
    if (folded !== '') words.push(folded);
  }
  return words;
}

/** The distinct folded words of a query; none means nothing to search for. */
export function queryWords(query: string): string[] {
  return [...new Set(searchWords(query))];
}

/** A part of a text to highlight: UTF-16 offsets, `end` exclusive. */
export interface TextRange {
  start: number;
  end: number;
}

/** The words of `text` that a query word begins, as ranges in order: what a
 * search result highlights. */
export function matchRanges(text: string, words: readonly string[]): TextRange[] {
  if (words.length === 0) return [];
  const ranges: TextRange[] = [];
  for (const match of text.matchAll(WORD)) {
    const folded = foldWord(match[0]);
    if (words.some((word) => folded.startsWith(word))) {
      ranges.push({ start: match.index, end: match.index + match[0].length });
    }
  }
  return ranges;
}
