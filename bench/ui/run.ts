// `npm run bench:ui` (node bench/ui/run.ts): the web client's UI in real
// Chromium against a real relay serving out/web, with two conversations of
// 100,000 messages in the same run: a rich one (10,000 reactions, 2,000
// edits, 5,000 photos among its messages) and, as the baseline, a text-only
// one of the same size:
//
// - open: from clicking the chat in the list to the first message row on
//   screen and to the newest message visible, the long tasks on the way, and
//   the JS heap (after a full collection) with the conversation open;
// - scroll: scrolling up N screens with real wheel input (Chromium's
//   synthesized scroll gesture) at a fixed speed, loading older pages on the
//   way; frame times from requestAnimationFrame → p50/p95, dropped frames,
//   frames over 16.7 and 33.3 ms, long tasks and long animation frames;
// - send: from pressing Enter to the row on screen (queued) and to the row
//   shown as sent, with the conversation open.
//
// Goals (issue 11): the rich conversation opens to its newest message in
// < 150 ms and scrolls without a long task over 50 ms. Printed as a table
// (rich, text, ratio) with the goals, written to bench/results/ui-<time>.json
// and bench/results/ui-latest.json.
//
// Setup, not measured as UI figures: accounts over HTTP, photos drawn by
// Chromium and uploaded with tus (bench/ui/images.ts), the chats created and
// filled by raw protocol sessions with pipelined sends, then the changes
// (bench/ui/seed.ts); then the reader's browser catches up both
// conversations into IndexedDB (that catch-up time is reported too), as a
// user who had the chats on this device does. Needs `npm run build` first
// (out/web).
//
// `--smoke`: the same steps with tiny sizes, in about 20 s, written to
// bench/results/smoke; npm test runs it to show the benchmark still works
// (docs/benchmarks.md, "Smoke runs").
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type Browser, type BrowserContext, type CDPSession, chromium, type Page } from '@playwright/test';
import type { DuplexApi } from '../../src/shared/api.ts';
import { RelayProcess } from '../../test/helpers/relay-process.ts';
import { type Distribution, distribution } from '../client/stats.ts';
import { withDeadline } from '../deadline.ts';
import { machineInfo } from '../relay/report.ts';
import { defaultResultsDir, writeResults } from '../results.ts';
import { presetReader, SMOKE_NOTE } from '../smoke.ts';
import { armSendProbe, type FrameSample, type OpenTiming, probeOpen, type SendTiming, startFrameRecorder, stopFrameRecorder } from './probes.ts';
import { makeImages } from './images.ts';
import { type Account, RawSession, register, seedChanges, seedConversation, uploadFile } from './seed.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WEB_ROOT = path.join(ROOT, 'out', 'web');
const CHROMIUM = '/usr/bin/chromium';
const FRAME_MS = 1000 / 60;

/** The defaults of the options that take a value, and those --smoke changes. */
const DEFAULTS = {
  messages: '100000',
  reactions: '10000',
  edits: '2000',
  images: '5000',
  photos: '200',
  reps: '5',
  screens: '100',
  speed: '6000',
  sends: '10',
};
const SMOKE_DEFAULTS: Partial<typeof DEFAULTS> = { messages: '300', reactions: '30', edits: '6', images: '15', photos: '5', reps: '1', screens: '3', sends: '2' };

/** Issue 11's goals for the rich conversation. */
const GOALS = { openNewestVisibleMs: 150, longTaskMs: 50 };

const { values: options } = parseArgs({
  options: {
    messages: { type: 'string' },
    reactions: { type: 'string' },
    edits: { type: 'string' },
    images: { type: 'string' },
    photos: { type: 'string' },
    /** Opening is measured this many times per conversation (fresh page each time). */
    reps: { type: 'string' },
    screens: { type: 'string' },
    speed: { type: 'string' },
    sends: { type: 'string' },
    headed: { type: 'boolean', default: false },
    smoke: { type: 'boolean', default: false },
    out: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});

if (options.help) {
  console.log(`Usage: node bench/ui/run.ts [options]
  --messages N       messages in each conversation (default 100000)
  --reactions N      reactions in the rich one, each on its own message (default 10000)
  --edits N          edits in the rich one, each of its own message (default 2000)
  --images N         photo messages among the rich one's messages (default 5000)
  --photos N         distinct photos uploaded, which those messages take in turn (default 200)
  --reps N           opens measured per conversation (default 5)
  --screens N        screens scrolled up (default 100)
  --speed N          scroll speed in px/s (default 6000, 100 px per frame at 60 Hz)
  --sends N          sends measured per conversation (default 10)
  --headed           show the browser
  --smoke            tiny sizes, a few seconds: checks that the benchmark runs,
                     measures nothing (--messages 300 --reactions 30 --edits 6
                     --images 15 --photos 5 --reps 1 --screens 3 --sends 2,
                     output in bench/results/smoke);
                     options given explicitly still apply
  --out DIR          results folder (default bench/results, with --smoke bench/results/smoke)`);
  process.exit(0);
}

const preset = presetReader(options, options.smoke, DEFAULTS, SMOKE_DEFAULTS);

function count(name: keyof typeof DEFAULTS, min: number): number {
  const raw = preset(name);
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    console.error(`--${name} must be an integer of at least ${min}, got "${raw}"`);
    process.exit(2);
  }
  return value;
}

const MESSAGES = count('messages', 1);
const REACTIONS = count('reactions', 0);
const EDITS = count('edits', 0);
const IMAGES = count('images', 0);
const PHOTOS = count('photos', 1);
const REPS = count('reps', 1);
const SCREENS = count('screens', 1);
const SPEED = count('speed', 1);
const SENDS = count('sends', 1);
const OUT_DIR = options.out ?? defaultResultsDir(options.smoke);

const log = (line: string) => console.log(`[${(performance.now() / 1000).toFixed(0).padStart(4)} s] ${line}`);
const round = (value: number, digits = 1) => Number(value.toFixed(digits));
const mb = (bytes: number) => round(bytes / 1e6, 2);
const median = (values: number[]) => distribution(values).p50;

interface Target {
  key: 'rich' | 'text';
  /** The chat's title in the list: the peer's display name. */
  title: string;
  conv: string;
  messages: number;
  /** The seq of the newest message (changes, seeded after the messages, come later). */
  newestSeq: number;
  /** The conversation's last seq (the last change). */
  lastSeq: number;
}

interface HeapFigures {
  /** JSHeapUsedSize after a full collection, in MB. */
  beforeOpenMB: number;
  openMB: number;
  growthMB: number;
  domNodes: number;
}

interface OpenFigures {
  firstRowMs: Distribution;
  newestVisibleMs: Distribution;
  /** Long tasks (> 50 ms) from the click to the newest message visible, over all opens, and the longest. */
  longTasks: number;
  longestTaskMs: number;
  rowsRendered: number;
  heap: HeapFigures;
}

interface ScrollFigures {
  screens: number;
  /** px/s of the synthesized wheel scroll. */
  speed: number;
  /** Frame intervals measured (idle frames before and after each gesture left out). */
  frames: number;
  frameMs: Distribution;
  /** Vsyncs missed: Σ (round(interval / 16.7 ms) − 1). */
  droppedFrames: number;
  /** droppedFrames ÷ (frames + droppedFrames), in %. */
  droppedPercent: number;
  /** Share of frame intervals over 16.7 ms (+10 % tolerance) and over 33.3 ms, in %. */
  over16Percent: number;
  over33Percent: number;
  longAnimationFrames: number;
  longestFrameMs: number;
  /** Long tasks (the Long Tasks API, > 50 ms) during the gestures, and the longest. */
  longTasks: number;
  longestTaskMs: number;
  /** The gesture's length (scrollTop itself jumps as older pages are put above). */
  distancePx: number;
  messagesScrolled: number;
  /** Frames during a gesture in which the list did not move (at the top, waiting for older messages). */
  blockedFrames: number;
  seconds: number;
  heapAfterMB: number;
}

interface SendFigures {
  rowMs: Distribution;
  sentMs: Distribution;
  firstStatuses: Record<string, number>;
}

interface TargetFigures {
  messages: number;
  open: OpenFigures;
  scroll: ScrollFigures;
  send: SendFigures;
}

interface UiBenchReport {
  version: 2;
  startedAt: string;
  finishedAt: string;
  smoke: boolean;
  machine: ReturnType<typeof machineInfo> & { chromium: string };
  settings: {
    messages: number;
    reactions: number;
    edits: number;
    images: number;
    photos: number;
    reps: number;
    screens: number;
    scrollSpeed: number;
    sends: number;
    viewport: { width: number; height: number };
  };
  setup: { seedSeconds: number; seededPerSecond: number; catchUpSeconds: number };
  rich: TargetFigures;
  text: TargetFigures;
  /** rich ÷ text for the headline figures. */
  ratios: Record<string, number>;
  /** Issue 11's goals, judged on the rich conversation. */
  goals: { openNewestVisibleMs: { limit: number; value: number; met: boolean }; scrollLongTasks: { limitMs: number; count: number; longestMs: number; met: boolean } };
}

const VIEWPORT = { width: 1280, height: 800 };

interface Prepared {
  reader: Account;
  writer: Account;
  rich: Target;
  text: Target;
  sessions: { reader: RawSession; writer: RawSession; other: RawSession };
}

/** Accounts over HTTP, and the two chats created over raw sessions (empty). */
async function prepare(relay: RelayProcess): Promise<Prepared> {
  const tag = Date.now().toString(36);
  const [reader, writer, other] = await Promise.all([
    register(relay.url, `reader_${tag}`, 'Reader'),
    register(relay.url, `paula_${tag}`, 'Paula'),
    register(relay.url, `quentin_${tag}`, 'Quentin'),
  ]);
  const [readerSession, writerSession, otherSession] = await Promise.all(
    [reader, writer, other].map((account) => RawSession.open(relay.wsUrl, account.token)),
  );
  const richConv = await writerSession!.createDirect(reader.user.id);
  const textConv = await otherSession!.createDirect(reader.user.id);
  return {
    reader,
    writer,
    rich: { key: 'rich', title: 'Paula', conv: richConv.id, messages: MESSAGES, newestSeq: 0, lastSeq: 0 },
    text: { key: 'text', title: 'Quentin', conv: textConv.id, messages: MESSAGES, newestSeq: 0, lastSeq: 0 },
    sessions: { reader: readerSession!, writer: writerSession!, other: otherSession! },
  };
}

/** Fills both chats; returns the seconds it took. One message in ten is the
 * reader's own (from another device), the rest the peer's; in the rich chat
 * every (MESSAGES ÷ IMAGES)th message is a photo of the peer's (the PHOTOS
 * uploaded photos in turn, a caption on every third), then come the
 * reactions and edits. Then everything is read on both sides: the chats open
 * at the newest message and the reader's own messages show the read tick. */
async function fill(prepared: Prepared, context: BrowserContext, relayUrl: string): Promise<number> {
  const { rich, text, sessions } = prepared;
  const started = performance.now();
  const photos = IMAGES > 0 ? await makeImages(context, Math.min(PHOTOS, IMAGES)) : [];
  const photoIds = await Promise.all(photos.map((photo) => uploadFile(relayUrl, prepared.writer.token, photo.name, 'image/jpeg', photo.bytes)));
  const step = IMAGES > 0 ? Math.max(1, Math.floor(MESSAGES / IMAGES)) : 0;
  const photoAt = (i: number) => (step > 0 && i % step === step - 1 && i / step < IMAGES ? Math.floor(i / step) : -1);
  // Photos are the peer's (the uploader's); of the rest, one in ten is the reader's.
  const pick = (i: number) => (photoAt(i) < 0 && i % 10 === 3 ? 1 : 0);
  const richSenders = [{ session: sessions.writer, cidPrefix: 'p' }, { session: sessions.reader, cidPrefix: 'r' }];
  const seeded = await seedConversation(rich.conv, rich.messages, richSenders, pick, (i) => {
    const k = photoAt(i);
    if (k < 0) return undefined;
    const photo = photos[k % photos.length]!;
    return { file: { id: photoIds[k % photos.length]!, width: photo.width, height: photo.height, thumb: photo.thumb }, body: k % 3 === 0 ? `photo ${k + 1}` : '' };
  });
  await seedChanges(rich.conv, seeded, richSenders, { reactions: REACTIONS, edits: EDITS });
  const textSeeded = await seedConversation(text.conv, text.messages, [{ session: sessions.other, cidPrefix: 'q' }, { session: sessions.reader, cidPrefix: 's' }], (i) => (i % 10 === 3 ? 1 : 0));
  const seconds = (performance.now() - started) / 1000;
  rich.newestSeq = Math.max(...seeded.map((entry) => entry.seq));
  rich.lastSeq = rich.newestSeq + Math.min(REACTIONS, MESSAGES) + Math.min(EDITS, MESSAGES);
  text.newestSeq = text.lastSeq = Math.max(...textSeeded.map((entry) => entry.seq));
  const readAll = (session: RawSession, target: Target) => session.send({ t: 'receipt', conv: target.conv, delivered: target.lastSeq, read: target.lastSeq });
  readAll(sessions.reader, rich);
  readAll(sessions.reader, text);
  readAll(sessions.writer, rich);
  readAll(sessions.other, text);
  // A ping's pong comes after the receipts are handled (one socket's frames are handled in order).
  await Promise.all(Object.values(sessions).map((session) => session.request({ t: 'ping', rid: 'after-receipts' })));
  for (const session of Object.values(sessions)) session.close();
  return seconds;
}

async function waitOnline(page: Page, timeoutMs: number): Promise<void> {
  await page.locator('[data-connection="online"]').waitFor({ timeout: timeoutMs });
}

async function heap(cdp: CDPSession): Promise<{ usedMB: number; domNodes: number }> {
  await cdp.send('HeapProfiler.collectGarbage');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const value = (name: string) => metrics.find((metric) => metric.name === name)?.value ?? Number.NaN;
  return { usedMB: mb(value('JSHeapUsedSize')), domNodes: value('Nodes') };
}

/** A fresh page of the reader's context, online, nothing open. */
async function freshPage(context: BrowserContext, onlineTimeoutMs = 60_000): Promise<{ page: Page; cdp: CDPSession }> {
  for (const old of context.pages()) await old.close();
  const page = await context.newPage();
  await page.goto('/');
  await waitOnline(page, onlineTimeoutMs);
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  return { page, cdp };
}

function chatButton(page: Page, title: string) {
  return page.getByRole('list', { name: 'Conversations', exact: true }).getByRole('button', { name: new RegExp(`^${title}`) });
}

async function measureOpen(context: BrowserContext, target: Target): Promise<{ timing: OpenTiming; heap: HeapFigures; page: Page; cdp: CDPSession }> {
  const { page, cdp } = await freshPage(context);
  const button = chatButton(page, target.title);
  await button.waitFor({ timeout: 30_000 });
  // Let the start-up settle (presence, the list's first render) before the clock runs.
  await page.waitForTimeout(500);
  const before = await heap(cdp);
  const timing = await button.evaluate(probeOpen, { newestSeq: target.newestSeq, timeoutMs: 30_000 });
  // Whatever opening started (older pages near the top) finishes first.
  await page.waitForTimeout(1_000);
  const after = await heap(cdp);
  return {
    timing,
    heap: { beforeOpenMB: before.usedMB, openMB: after.usedMB, growthMB: round(after.usedMB - before.usedMB, 2), domNodes: after.domNodes },
    page,
    cdp,
  };
}

/** The frames of one gesture from the frame before the list first moved to
 * the last frame in which it moved: idle frames around it are not scrolling. */
function movingFrames(frames: FrameSample[]): { frames: FrameSample[]; blocked: number } {
  const moved = (i: number) => frames[i]!.scrollTop !== frames[i - 1]!.scrollTop;
  let first = -1;
  let last = -1;
  for (let i = 1; i < frames.length; i++) {
    if (!moved(i)) continue;
    if (first < 0) first = i - 1;
    last = i;
  }
  if (first < 0) return { frames: [], blocked: 0 };
  let blocked = 0;
  for (let i = first + 1; i <= last; i++) if (!moved(i)) blocked++;
  return { frames: frames.slice(first, last + 1), blocked };
}

function frameFigures(frames: FrameSample[]): Pick<ScrollFigures, 'frames' | 'frameMs' | 'droppedFrames' | 'droppedPercent' | 'over16Percent' | 'over33Percent'> {
  const intervals = frames.slice(1).map((frame, i) => frame.t - frames[i]!.t);
  const dropped = intervals.reduce((sum, interval) => sum + Math.max(0, Math.round(interval / FRAME_MS) - 1), 0);
  const share = (limit: number) => round((100 * intervals.filter((interval) => interval > limit).length) / Math.max(1, intervals.length), 1);
  return {
    frames: intervals.length,
    frameMs: roundDistribution(distribution(intervals.length > 0 ? intervals : [Number.NaN])),
    droppedFrames: dropped,
    droppedPercent: round((100 * dropped) / Math.max(1, intervals.length + dropped), 1),
    over16Percent: share(FRAME_MS * 1.1),
    over33Percent: share(2 * FRAME_MS),
  };
}

function roundDistribution(d: Distribution): Distribution {
  return { count: d.count, mean: round(d.mean), p50: round(d.p50), p95: round(d.p95), p99: round(d.p99), max: round(d.max) };
}

/** Scrolls up SCREENS screens with real input: Chromium's synthesized wheel
 * scroll gesture (CDP Input.synthesizeScrollGesture, what Chromium's own
 * smoothness benchmarks use), at SPEED px/s, while the page records every
 * frame and every long task. Older pages load on the way, as when a user
 * scrolls. (Writing scrollTop from requestAnimationFrame instead is not what
 * a user does, and the virtualiser's same-frame size corrections undo about
 * half of such writes, so it measures the wrong thing.) */
async function measureScroll(page: Page, cdp: CDPSession): Promise<ScrollFigures> {
  const logElement = page.getByRole('log', { name: 'Messages', exact: true });
  const box = (await logElement.boundingBox())!;
  const height = await logElement.evaluate((element) => element.clientHeight);
  const distance = SCREENS * height;
  await logElement.evaluate(startFrameRecorder);
  const started = performance.now();
  await cdp.send('Input.synthesizeScrollGesture', {
    x: Math.round(box.x + box.width / 2),
    y: Math.round(box.y + box.height / 2),
    yDistance: Math.round(distance),
    speed: SPEED,
    gestureSourceType: 'mouse',
  });
  const gestureSeconds = (performance.now() - started) / 1000;
  await page.waitForTimeout(150);
  const record = await page.evaluate(stopFrameRecorder);
  const moving = movingFrames(record.frames);
  const after = await heap(cdp);
  return {
    screens: SCREENS,
    speed: SPEED,
    ...frameFigures(moving.frames),
    longAnimationFrames: record.longFrames,
    longestFrameMs: round(record.longestFrameMs),
    longTasks: record.longTasks,
    longestTaskMs: round(record.longestTaskMs),
    distancePx: Math.round(distance),
    messagesScrolled: moving.frames.length > 0 ? moving.frames[0]!.topSeq - moving.frames.at(-1)!.topSeq : 0,
    blockedFrames: moving.blocked,
    seconds: round(gestureSeconds, 2),
    heapAfterMB: after.usedMB,
  };
}

async function measureSends(page: Page, target: Target): Promise<SendTiming[]> {
  // Back at the bottom, as a user who writes.
  const jump = page.getByRole('button', { name: 'Jump to latest', exact: true });
  if (await jump.isVisible()) await jump.click();
  const field = page.getByRole('textbox', { name: 'Message', exact: true });
  const timings: SendTiming[] = [];
  for (let i = 0; i < SENDS; i++) {
    const body = `bench send ${target.key} ${i + 1} ${Date.now().toString(36)}`;
    await field.fill(body);
    await page.evaluate(armSendProbe, { body, timeoutMs: 15_000 });
    await field.press('Enter');
    timings.push(await page.evaluate(() => (window as unknown as { sendProbe: Promise<SendTiming> }).sendProbe));
    await page.waitForTimeout(200);
  }
  return timings;
}

function sendFigures(timings: SendTiming[]): SendFigures {
  const firstStatuses: Record<string, number> = {};
  for (const timing of timings) firstStatuses[timing.firstStatus] = (firstStatuses[timing.firstStatus] ?? 0) + 1;
  return {
    rowMs: roundDistribution(distribution(timings.map((t) => t.rowMs))),
    sentMs: roundDistribution(distribution(timings.map((t) => t.sentMs))),
    firstStatuses,
  };
}

function table(report: UiBenchReport): string {
  const { rich, text } = report;
  // The last element says whether a ratio means anything (not for counts of work done).
  const rows: Array<[string, number, number, boolean?]> = [
    ['open: click → first row (median ms)', rich.open.firstRowMs.p50, text.open.firstRowMs.p50],
    ['open: click → newest visible (median ms)', rich.open.newestVisibleMs.p50, text.open.newestVisibleMs.p50],
    ['open: click → newest visible (max ms)', rich.open.newestVisibleMs.max, text.open.newestVisibleMs.max],
    ['open: long tasks > 50 ms (all opens)', rich.open.longTasks, text.open.longTasks, false],
    ['open: longest task (ms)', rich.open.longestTaskMs, text.open.longestTaskMs],
    ['open: JS heap, conversation open (MB)', rich.open.heap.openMB, text.open.heap.openMB],
    ['open: JS heap growth from opening (MB)', rich.open.heap.growthMB, text.open.heap.growthMB],
    ['open: DOM nodes', rich.open.heap.domNodes, text.open.heap.domNodes],
    ['scroll: frames', rich.scroll.frames, text.scroll.frames, false],
    ['scroll: frame time p50 (ms)', rich.scroll.frameMs.p50, text.scroll.frameMs.p50],
    ['scroll: frame time p95 (ms)', rich.scroll.frameMs.p95, text.scroll.frameMs.p95],
    ['scroll: dropped frames (%)', rich.scroll.droppedPercent, text.scroll.droppedPercent],
    ['scroll: frames > 16.7 ms (%)', rich.scroll.over16Percent, text.scroll.over16Percent],
    ['scroll: frames > 33.3 ms (%)', rich.scroll.over33Percent, text.scroll.over33Percent],
    ['scroll: long tasks > 50 ms', rich.scroll.longTasks, text.scroll.longTasks, false],
    ['scroll: longest task (ms)', rich.scroll.longestTaskMs, text.scroll.longestTaskMs],
    ['scroll: long animation frames (> 50 ms)', rich.scroll.longAnimationFrames, text.scroll.longAnimationFrames, false],
    ['scroll: messages scrolled past', rich.scroll.messagesScrolled, text.scroll.messagesScrolled, false],
    ['scroll: frames stuck waiting for older', rich.scroll.blockedFrames, text.scroll.blockedFrames, false],
    ['scroll: JS heap after (MB)', rich.scroll.heapAfterMB, text.scroll.heapAfterMB],
    ['send: Enter → row shown (median ms)', rich.send.rowMs.p50, text.send.rowMs.p50],
    ['send: Enter → row shown (p95 ms)', rich.send.rowMs.p95, text.send.rowMs.p95],
    ['send: Enter → shown as sent (median ms)', rich.send.sentMs.p50, text.send.sentMs.p50],
    ['send: Enter → shown as sent (p95 ms)', rich.send.sentMs.p95, text.send.sentMs.p95],
  ];
  const header = ['', 'rich', 'text only', 'rich÷text'];
  const lines = [header, ...rows.map(([label, a, b, comparable = true]) => [label, String(a), String(b), comparable && b !== 0 ? `${round(a / b, 2)}×` : ''])];
  const widths = header.map((_, column) => Math.max(...lines.map((line) => line[column]!.length)));
  return lines.map((line) => line.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join('   ')).join('\n');
}

function goalLines({ goals }: UiBenchReport): string {
  const verdict = (met: boolean) => (met ? 'met' : 'MISSED');
  const open = goals.openNewestVisibleMs;
  const scroll = goals.scrollLongTasks;
  return [
    `goal: rich chat opens to its newest message in < ${open.limit} ms (median): ${open.value} ms, ${verdict(open.met)}`,
    `goal: rich chat scrolls without long tasks over ${scroll.limitMs} ms: ${scroll.count} (longest ${scroll.longestMs} ms), ${verdict(scroll.met)}`,
  ].join('\n');
}

async function main(): Promise<void> {
  if (!existsSync(path.join(WEB_ROOT, 'index.html'))) {
    throw new Error(`${WEB_ROOT} has no index.html: run \`npm run build\` first.`);
  }
  const startedAt = new Date().toISOString();
  log(`relay: starting (web root ${path.relative(ROOT, WEB_ROOT)}, rate limits off)`);
  const relay = await RelayProcess.start({ args: ['--web-root', WEB_ROOT, '--no-rate-limits'] });
  let browser: Browser | undefined;
  try {
    browser = await chromium.launch({
      executablePath: existsSync(CHROMIUM) ? CHROMIUM : undefined,
      headless: !options.headed,
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'],
    });
    const context = await browser.newContext({ baseURL: relay.url, viewport: VIEWPORT });

    log('setup: accounts over HTTP, the two chats over raw sessions');
    const prepared = await prepare(relay);

    // The reader signs in through the UI while the chats are empty, so that
    // the browser holds them (cursor 0) and later catches up all of it, as a
    // device that held a conversation does (docs/engine.md, "A device that
    // held a conversation").
    const signIn = await context.newPage();
    await signIn.goto('/');
    await signIn.getByLabel('Username', { exact: true }).fill(prepared.reader.username);
    await signIn.getByLabel('Password', { exact: true }).fill(prepared.reader.password);
    await signIn.getByRole('button', { name: 'Sign in', exact: true }).click();
    await waitOnline(signIn, 30_000);
    await chatButton(signIn, prepared.rich.title).waitFor({ timeout: 30_000 });
    await chatButton(signIn, prepared.text.title).waitFor({ timeout: 30_000 });
    await signIn.close();

    log(
      `setup: ${Math.min(PHOTOS, IMAGES)} photos uploaded, then 2 × ${MESSAGES.toLocaleString('en')} messages (${IMAGES.toLocaleString('en')} photos), ${REACTIONS.toLocaleString('en')} reactions, ${EDITS.toLocaleString('en')} edits (pipelined raw sends)`,
    );
    const seedSeconds = await withDeadline(fill(prepared, context, relay.url), 300_000, 'seeding');
    const seeded = prepared.rich.lastSeq + prepared.text.lastSeq;
    log(`setup: seeded in ${seedSeconds.toFixed(1)} s (${Math.round(seeded / seedSeconds)} msg/s)`);

    log('setup: the reader opens the app again and catches up into IndexedDB');
    const catchUpStarted = performance.now();
    const { page: catchUpPage } = await withDeadline(freshPage(context, 360_000), 370_000, 'catch-up');
    const catchUpSeconds = (performance.now() - catchUpStarted) / 1000;
    // Online means synced: every batch stored. Check the oldest and newest are local.
    for (const target of [prepared.rich, prepared.text]) {
      const local = await catchUpPage.evaluate(
        async ({ conv, newest }) => {
          const api = (window as unknown as { duplex: DuplexApi }).duplex;
          const [oldest, latest] = await Promise.all([api.getMessages(conv, { beforeSeq: 2, limit: 1 }), api.getMessages(conv, { limit: 1 })]);
          return { oldest: oldest.messages[0]?.seq ?? null, newest: latest.messages.at(-1)?.seq ?? null, expected: newest };
        },
        { conv: target.conv, newest: target.newestSeq },
      );
      if (local.oldest !== 1 || local.newest !== local.expected) throw new Error(`the browser did not catch up the ${target.key} chat: ${JSON.stringify(local)}`);
    }
    await catchUpPage.close();
    log(`setup: caught up in ${catchUpSeconds.toFixed(1)} s`);

    const targets = [prepared.text, prepared.rich];
    const opens = new Map<Target['key'], Awaited<ReturnType<typeof measureOpen>>[]>(targets.map((t) => [t.key, []]));
    for (let rep = 0; rep < REPS; rep++) {
      for (const target of targets) {
        const result = await withDeadline(measureOpen(context, target), 60_000, `opening ${target.key}`);
        opens.get(target.key)!.push(result);
        log(
          `open ${target.key.padEnd(4)} #${rep + 1}: first row ${result.timing.firstRowMs.toFixed(0)} ms, newest visible ${result.timing.newestVisibleMs.toFixed(0)} ms, ${result.timing.longTasks} long tasks, heap ${result.heap.openMB} MB (+${result.heap.growthMB})`,
        );
      }
    }

    const figures = {} as Record<Target['key'], TargetFigures>;
    for (const target of targets) {
      // The last open of each is still on screen only for the last target: open afresh.
      const { page, cdp, heap: openHeap } = await withDeadline(measureOpen(context, target), 60_000, `opening ${target.key}`);
      const scroll = await withDeadline(measureScroll(page, cdp), 60_000, `scrolling ${target.key}`);
      log(
        `scroll ${target.key.padEnd(4)}: ${scroll.frames} frames, p50 ${scroll.frameMs.p50} ms, p95 ${scroll.frameMs.p95} ms, dropped ${scroll.droppedPercent} %, ${scroll.longTasks} long tasks (longest ${scroll.longestTaskMs} ms), ${scroll.messagesScrolled} messages in ${scroll.seconds} s`,
      );
      const sends = await withDeadline(measureSends(page, target), 90_000, `sending in ${target.key}`);
      const send = sendFigures(sends);
      log(`send ${target.key.padEnd(4)}: row shown p50 ${send.rowMs.p50} ms, sent p50 ${send.sentMs.p50} ms`);
      const runs = opens.get(target.key)!;
      figures[target.key] = {
        messages: target.messages,
        open: {
          firstRowMs: roundDistribution(distribution(runs.map((r) => r.timing.firstRowMs))),
          newestVisibleMs: roundDistribution(distribution(runs.map((r) => r.timing.newestVisibleMs))),
          longTasks: runs.reduce((sum, r) => sum + r.timing.longTasks, 0),
          longestTaskMs: round(Math.max(...runs.map((r) => r.timing.longestTaskMs))),
          rowsRendered: runs.at(-1)!.timing.rowsRendered,
          heap: {
            beforeOpenMB: median(runs.map((r) => r.heap.beforeOpenMB)),
            openMB: median(runs.map((r) => r.heap.openMB)),
            growthMB: median(runs.map((r) => r.heap.growthMB)),
            domNodes: openHeap.domNodes,
          },
        },
        scroll,
        send,
      };
    }

    const { rich, text } = figures;
    const ratio = (a: number, b: number) => (b === 0 ? Number.NaN : round(a / b, 2));
    const report: UiBenchReport = {
      version: 2,
      startedAt,
      finishedAt: new Date().toISOString(),
      smoke: options.smoke,
      machine: { ...machineInfo(), chromium: browser.version() },
      settings: { messages: MESSAGES, reactions: REACTIONS, edits: EDITS, images: IMAGES, photos: PHOTOS, reps: REPS, screens: SCREENS, scrollSpeed: SPEED, sends: SENDS, viewport: VIEWPORT },
      setup: { seedSeconds: round(seedSeconds, 2), seededPerSecond: Math.round(seeded / seedSeconds), catchUpSeconds: round(catchUpSeconds, 2) },
      rich,
      text,
      ratios: {
        openFirstRow: ratio(rich.open.firstRowMs.p50, text.open.firstRowMs.p50),
        openNewestVisible: ratio(rich.open.newestVisibleMs.p50, text.open.newestVisibleMs.p50),
        openHeap: ratio(rich.open.heap.openMB, text.open.heap.openMB),
        scrollFrameP95: ratio(rich.scroll.frameMs.p95, text.scroll.frameMs.p95),
        scrollDroppedPercent: ratio(rich.scroll.droppedPercent, text.scroll.droppedPercent),
        sendRowShown: ratio(rich.send.rowMs.p50, text.send.rowMs.p50),
        sendSent: ratio(rich.send.sentMs.p50, text.send.sentMs.p50),
      },
      goals: {
        openNewestVisibleMs: { limit: GOALS.openNewestVisibleMs, value: rich.open.newestVisibleMs.p50, met: rich.open.newestVisibleMs.p50 < GOALS.openNewestVisibleMs },
        scrollLongTasks: { limitMs: GOALS.longTaskMs, count: rich.scroll.longTasks, longestMs: rich.scroll.longestTaskMs, met: rich.scroll.longTasks === 0 },
      },
    };

    console.log(
      `\nUI benchmark (Chromium ${report.machine.chromium}, ${report.machine.cpus} CPUs, viewport ${VIEWPORT.width}×${VIEWPORT.height})` +
        (options.smoke ? SMOKE_NOTE : ''),
    );
    console.log(`setup: ${seeded.toLocaleString('en')} messages seeded in ${report.setup.seedSeconds} s; browser catch-up ${report.setup.catchUpSeconds} s\n`);
    console.log(table(report));
    console.log(`\n${goalLines(report)}`);
    const file = await writeResults(OUT_DIR, 'ui', startedAt, report);
    console.log(`\nResults: ${file} (and ui-latest.json beside it)`);
  } finally {
    await browser?.close();
    await relay.cleanup();
  }
}

await main();
