// What the UI benchmark runs inside the page. Each function is passed to
// Playwright's evaluate, so it must be self-contained (no imports, no
// closures over this module). Times are performance.now() in the page, taken
// in requestAnimationFrame callbacks: DOM changes made before such a callback
// are painted in that frame, so "seen in a frame callback" is "on screen by
// the next paint", without the test process's round trips in the figure.

export interface OpenTiming {
  /** Click → first frame with a message row in the log. */
  firstRowMs: number;
  /** Click → first frame with the newest message inside the log's viewport. */
  newestVisibleMs: number;
  rowsRendered: number;
  /** Long tasks (> 50 ms) from the click until the newest message was visible, and the longest. */
  longTasks: number;
  longestTaskMs: number;
}

/** Clicks the chat list button and watches frames until the newest message
 * (data-seq = newestSeq) is inside the visible part of the log. */
export function probeOpen(button: HTMLElement, { newestSeq, timeoutMs }: { newestSeq: number; timeoutMs: number }): Promise<OpenTiming> {
  return new Promise((resolve, reject) => {
    let firstRowMs = -1;
    const tasks: number[] = [];
    const observer = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) tasks.push(entry.duration);
    });
    observer.observe({ type: 'longtask' });
    const finish = (timing: Omit<OpenTiming, 'longTasks' | 'longestTaskMs'>) => {
      for (const entry of observer.takeRecords()) tasks.push(entry.duration);
      observer.disconnect();
      resolve({ ...timing, longTasks: tasks.length, longestTaskMs: Math.max(0, ...tasks) });
    };
    const started = performance.now();
    button.click();
    const frame = () => {
      const now = performance.now();
      const log = document.querySelector<HTMLElement>('[role="log"][aria-label="Messages"]');
      const rows = log ? log.querySelectorAll<HTMLElement>('[data-cid]') : [];
      if (rows.length > 0 && firstRowMs < 0) firstRowMs = now - started;
      if (log && rows.length > 0) {
        const newest = log.querySelector<HTMLElement>(`[data-seq="${newestSeq}"]`);
        if (newest) {
          const view = log.getBoundingClientRect();
          const box = newest.getBoundingClientRect();
          if (box.height > 0 && box.top >= view.top - 1 && box.bottom <= view.bottom + 1) {
            finish({ firstRowMs, newestVisibleMs: now - started, rowsRendered: rows.length });
            return;
          }
        }
      }
      if (now - started > timeoutMs) {
        observer.disconnect();
        reject(new Error(`the newest message (seq ${newestSeq}) was not visible within ${timeoutMs} ms (rows: ${rows.length})`));
        return;
      }
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
}

export interface FrameSample {
  /** requestAnimationFrame timestamp. */
  t: number;
  scrollTop: number;
  /** seq of the topmost message in view. */
  topSeq: number;
}

export interface FrameRecord {
  frames: FrameSample[];
  /** Long animation frames (LoAF, > 50 ms) while recording. */
  longFrames: number;
  longestFrameMs: number;
  /** Long tasks (the Long Tasks API: main-thread tasks over 50 ms) while recording. */
  longTasks: number;
  longestTaskMs: number;
}

/** Starts recording every frame (timestamp, scroll position, topmost
 * message) and long animation frames; stopFrameRecorder() returns them. The
 * scrolling itself is real input (see run.ts), not script. */
export function startFrameRecorder(log: HTMLElement): void {
  const topSeq = () => {
    const view = log.getBoundingClientRect();
    let best = Infinity;
    for (const row of log.querySelectorAll<HTMLElement>('[data-seq]')) {
      const box = row.getBoundingClientRect();
      if (box.bottom > view.top && box.top < view.bottom) best = Math.min(best, Number(row.dataset.seq));
    }
    return Number.isFinite(best) ? best : -1;
  };
  const record: FrameRecord = { frames: [], longFrames: 0, longestFrameMs: 0, longTasks: 0, longestTaskMs: 0 };
  // Chromium has both entry types; a browser without one would report zero,
  // so the benchmark fails instead.
  for (const type of ['long-animation-frame', 'longtask']) {
    if (!PerformanceObserver.supportedEntryTypes.includes(type)) throw new Error(`this browser does not report ${type} entries`);
  }
  const tally = (entries: PerformanceEntryList) => {
    for (const entry of entries) {
      if (entry.entryType === 'longtask') {
        record.longTasks++;
        record.longestTaskMs = Math.max(record.longestTaskMs, entry.duration);
      } else {
        record.longFrames++;
        record.longestFrameMs = Math.max(record.longestFrameMs, entry.duration);
      }
    }
  };
  const observer = new PerformanceObserver((list) => tally(list.getEntries()));
  observer.observe({ entryTypes: ['long-animation-frame', 'longtask'] });
  let running = true;
  const frame = (t: number) => {
    if (!running) return;
    record.frames.push({ t, scrollTop: log.scrollTop, topSeq: topSeq() });
    requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  (window as unknown as { frameRecorder: { stop(): FrameRecord } }).frameRecorder = {
    stop() {
      running = false;
      // Entries of the last frames may still be queued: take them too.
      tally(observer.takeRecords());
      observer.disconnect();
      return record;
    },
  };
}

export function stopFrameRecorder(): FrameRecord {
  const recorder = (window as unknown as { frameRecorder?: { stop(): FrameRecord } }).frameRecorder;
  if (!recorder) throw new Error('no frame recorder running');
  return recorder.stop();
}

export interface SendTiming {
  /** Enter → first frame showing the new row (whatever its status). */
  rowMs: number;
  /** The status the row had in that frame. */
  firstStatus: string;
  /** Enter → first frame after the row's status became sent (or later). */
  sentMs: number;
}

/** Arms a probe for the next Enter in the composer: resolves with the time
 * until a row with `body` shows (queued) and until it shows as sent. Stored
 * on window so that the test process can press Enter in between. */
export function armSendProbe({ body, timeoutMs }: { body: string; timeoutMs: number }): void {
  const field = document.querySelector<HTMLTextAreaElement>('textarea[aria-label="Message"]');
  const log = document.querySelector<HTMLElement>('[role="log"][aria-label="Messages"]');
  const target = window as unknown as { sendProbe?: Promise<SendTiming> };
  if (!field || !log) throw new Error('no open conversation');
  target.sendProbe = new Promise<SendTiming>((resolve, reject) => {
    let pressedAt = -1;
    let rowMs = -1;
    let firstStatus = '';
    field.addEventListener(
      'keydown',
      (event) => {
        if (event.key !== 'Enter') return;
        pressedAt = performance.now();
        requestAnimationFrame(frame);
      },
      { capture: true, once: true },
    );
    const findRow = () => {
      for (const row of log.querySelectorAll<HTMLElement>('[data-mine="true"]')) {
        if (row.querySelector('.bubble__body')?.textContent === body) return row;
      }
      return null;
    };
    const frame = () => {
      const now = performance.now();
      const row = findRow();
      if (row && rowMs < 0) {
        rowMs = now - pressedAt;
        firstStatus = row.dataset.status ?? '';
      }
      const status = row?.dataset.status;
      if (row && status !== undefined && status !== 'queued' && status !== 'failed') {
        resolve({ rowMs, firstStatus, sentMs: now - pressedAt });
        return;
      }
      if (status === 'failed') return reject(new Error(`sending "${body}" failed`));
      if (now - pressedAt > timeoutMs) return reject(new Error(`"${body}" was not sent within ${timeoutMs} ms (row shown: ${rowMs >= 0})`));
      requestAnimationFrame(frame);
    };
  });
}
