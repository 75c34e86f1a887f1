// The search scenario of `npm run bench:client`: the desktop store's FTS5
// search (SqliteClientStore.searchMessages, then the highlight ranges the
// engine adds) over 100,000 messages in 100 conversations, against the
// baseline of a linear scan of the same messages with the same matching
// rules (src/shared/search/search-text.ts), bodies already in memory, so the
// baseline pays nothing for reading them. Goal: < 50 ms per query.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sqliteClientStoreOpener } from '../../src/main/store/sqlite-client-store.ts';
import type { Message } from '../../src/shared/protocol/index.ts';
import { matchRanges, queryWords, searchWords } from '../../src/shared/search/search-text.ts';
import { type Distribution, distribution } from './stats.ts';

/** What each query asks for: the UI's page of results. */
const RESULT_LIMIT = 50;
const CONVERSATIONS = 100;
const PUT_BATCH = 1_000;

export interface SearchQueryResult {
  query: string;
  /** How many of the messages match (the scan's count). */
  matching: number;
  indexMs: Distribution;
  scanMs: Distribution;
  /** scan p50 ÷ index p50. */
  speedup: number;
}

export interface SearchResult {
  messages: number;
  /** Storing the messages in batches of 1,000, the index kept by triggers. */
  fillSeconds: number;
  queries: SearchQueryResult[];
}

/** A deterministic chat-like vocabulary: word k is used about 1/(k+1) as
 * often as word 0, as words are in real text (Zipf). */
const SYLLABLES = ['ka', 'lo', 'mi', 'ne', 'su', 'ta', 'ri', 'po', 've', 'da', 'zu', 'fe', 'gi', 'ho', 'ju', 'be'];
const VOCABULARY = Array.from({ length: 2_000 }, (_, k) => {
  let word = '';
  for (let n = k + 16; n > 0; n = Math.floor(n / 16)) word += SYLLABLES[n % 16];
  return word;
});
/** Cumulative weights, for picking a word by binary search. */
const CUMULATIVE: number[] = [];
VOCABULARY.forEach((_word, k) => CUMULATIVE.push((CUMULATIVE[k - 1] ?? 0) + 1 / (k + 1)));
const TOTAL_WEIGHT = CUMULATIVE.at(-1)!;

function randomWords(seed: number, count: number): string {
  let state = seed * 2_654_435_761 + 1;
  const words: string[] = [];
  for (let i = 0; i < count; i++) {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    const target = (state / 2_147_483_648) * TOTAL_WEIGHT;
    let low = 0;
    let high = CUMULATIVE.length - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (CUMULATIVE[middle]! < target) low = middle + 1;
      else high = middle;
    }
    words.push(VOCABULARY[low]!);
  }
  return words.join(' ');
}

function benchMessage(i: number): Message {
  const body = randomWords(i, 4 + (i % 9));
  return {
    conv: `conv-${i % CONVERSATIONS}`,
    seq: Math.floor(i / CONVERSATIONS) + 1,
    cid: `search${String(i).padStart(9, '0')}`,
    from: 'writer',
    body: body.charAt(0).toUpperCase() + body.slice(1),
    ts: 1_700_000_000_000 + i * 1_000,
  };
}

/** The baseline: every message's words against every query word. */
function linearScan(messages: readonly Message[], query: string, limit: number): { found: Message[]; matching: number } {
  const words = queryWords(query);
  const found: Message[] = [];
  let matching = 0;
  for (let i = messages.length - 1; i >= 0; i--) {
    const message = messages[i]!;
    const bodyWords = searchWords(message.body);
    if (!words.every((word) => bodyWords.some((bodyWord) => bodyWord.startsWith(word)))) continue;
    matching++;
    if (found.length < limit) found.push(message);
  }
  return { found, matching };
}

async function sample(runs: number, work: () => unknown): Promise<Distribution> {
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await work();
    samples.push(performance.now() - started);
  }
  return distribution(samples);
}

export async function searchScenario(messageCount: number, runs: number): Promise<SearchResult> {
  const directory = mkdtempSync(path.join(tmpdir(), 'duplex-bench-search-'));
  const store = await sqliteClientStoreOpener(directory)('bench');
  try {
    const messages = Array.from({ length: messageCount }, (_, i) => benchMessage(i));
    const fillStarted = performance.now();
    for (let i = 0; i < messages.length; i += PUT_BATCH) await store.putMessages(messages.slice(i, i + PUT_BATCH));
    const fillSeconds = (performance.now() - fillStarted) / 1000;
    // Newest first, as the store orders them: by ts, which grows with i.
    const queries = [
      VOCABULARY[400]!, // a rare word
      VOCABULARY[3]!, // a common word: only the newest RESULT_LIMIT are wanted
      `${VOCABULARY[1]!.slice(0, 3)} ${VOCABULARY[60]!}`, // a prefix and a word
    ];
    const results: SearchQueryResult[] = [];
    for (const query of queries) {
      const words = queryWords(query);
      const indexed = await store.searchMessages(query, RESULT_LIMIT);
      const scanned = linearScan(messages, query, RESULT_LIMIT);
      if (JSON.stringify(indexed.map((m) => m.cid)) !== JSON.stringify(scanned.found.map((m) => m.cid))) {
        throw new Error(`The index and the scan disagree on "${query}"`);
      }
      const indexMs = await sample(runs, async () => {
        for (const message of await store.searchMessages(query, RESULT_LIMIT)) matchRanges(message.body, words);
      });
      const scanMs = await sample(runs, () => linearScan(messages, query, RESULT_LIMIT));
      results.push({ query, matching: scanned.matching, indexMs, scanMs, speedup: Number((scanMs.p50 / indexMs.p50).toFixed(1)) });
    }
    return { messages: messageCount, fillSeconds: Number(fillSeconds.toFixed(2)), queries: results };
  } finally {
    await store.close();
    rmSync(directory, { recursive: true, force: true });
  }
}
