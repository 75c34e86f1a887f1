// Serialising the frames that carry whole conversations (`welcome`, `convs`,
// `conv`) within the protocol's frame size (docs/protocol.md, "Large
// conversations"). A conversation too large for one frame (a group of a few
// hundred members with long names) goes out `partial`: its first members in
// the frame, the rest in `members` frames right after it. The welcome is
// paged: it carries the conversations and presence that fit, `more: true`,
// and `convs` frames carry the rest.
import {
  type Conversation,
  MAX_FRAME_BYTES,
  type Presence,
  type ReceiptWatermarks,
  type User,
} from '../src/shared/protocol/index.ts';

/** The `conv` frame for a conversation, followed by its `members` frames when it does not fit. */
export function convFrameTexts(conversation: Conversation, rid?: string): string[] {
  const head = `{"t":"conv",${rid === undefined ? '' : `"rid":${JSON.stringify(rid)},`}"conv":`;
  const whole = JSON.stringify(conversation);
  if (byteLength(head) + byteLength(whole) + 1 <= MAX_FRAME_BYTES) return [`${head}${whole}}`];
  const { first, rest } = splitConversation(conversation, MAX_FRAME_BYTES - byteLength(head) - 1);
  return [`${head}${first}}`, ...rest];
}

export interface WelcomeStart {
  user: User;
  serverTime: number;
}

/**
 * The session start's listing: a `welcome`, then as many `convs` pages as the
 * conversations and presence need, each page followed by the `members`
 * frames of the partial conversation it carries.
 */
export function welcomeFrameTexts(
  start: WelcomeStart,
  conversations: readonly Conversation[],
  presence: readonly Presence[],
): string[] {
  const welcomeHead = `{"t":"welcome","user":${JSON.stringify(start.user)},"serverTime":${start.serverTime},`;
  const pages: Page[] = [new Page(welcomeHead)];
  const current = () => pages.at(-1) as Page;
  const nextPage = () => pages.push(new Page('{"t":"convs",'));
  for (const conversation of conversations) {
    const json = JSON.stringify(conversation);
    if (!current().fits(json)) {
      if (!current().isEmpty && (byteLength(json) <= current().capacity || current().room < MIN_PARTIAL_ROOM)) nextPage();
    }
    if (current().fits(json)) {
      current().addConversation(json);
      continue;
    }
    const { first, rest } = splitConversation(conversation, current().room);
    current().addConversation(first, rest);
  }
  for (const each of presence) {
    const json = JSON.stringify(each);
    if (!current().fits(json)) nextPage();
    current().addPresence(json);
  }
  return pages.flatMap((page, i) => page.texts(i < pages.length - 1));
}

/** A part of a conversation smaller than this is not worth starting a frame with. */
const MIN_PARTIAL_ROOM = 4 * 1024;
/** Room for `"more":false}` and the brackets around the lists. */
const PAGE_TAIL = '"conversations":[],"presence":[],"more":false}';

class Page {
  readonly #head: string;
  readonly #conversations: string[] = [];
  readonly #presence: string[] = [];
  /** `members` frames of the partial conversation this page carries, sent right after it. */
  readonly #following: string[] = [];
  #bytes: number;

  constructor(head: string) {
    this.#head = head;
    this.#bytes = byteLength(head) + byteLength(PAGE_TAIL);
  }

  get isEmpty(): boolean {
    return this.#conversations.length === 0 && this.#presence.length === 0;
  }

  /** Bytes left for one more item and its separating comma. */
  get room(): number {
    return MAX_FRAME_BYTES - this.#bytes - 1;
  }

  /** The room of this page when empty. */
  get capacity(): number {
    return MAX_FRAME_BYTES - byteLength(this.#head) - byteLength(PAGE_TAIL) - 1;
  }

  fits(json: string): boolean {
    return byteLength(json) <= this.room;
  }

  addConversation(json: string, following: readonly string[] = []): void {
    this.#conversations.push(json);
    this.#following.push(...following);
    this.#bytes += byteLength(json) + 1;
  }

  addPresence(json: string): void {
    this.#presence.push(json);
    this.#bytes += byteLength(json) + 1;
  }

  texts(more: boolean): string[] {
    const page = `${this.#head}"conversations":[${this.#conversations.join(',')}],"presence":[${this.#presence.join(',')}],"more":${more}}`;
    return [page, ...this.#following];
  }
}

/**
 * Splits a conversation that does not fit: the conversation with as many of
 * its members (and their watermarks) as fit in `room` bytes, marked partial,
 * and `members` frames with the rest. Watermarks of users who are not
 * members (none in practice) stay with the first part.
 */
function splitConversation(conversation: Conversation, room: number): { first: string; rest: string[] } {
  const memberIds = new Set(conversation.members.map((member) => member.id));
  const others = Object.fromEntries(Object.entries(conversation.receipts).filter(([user]) => !memberIds.has(user)));
  const entries = conversation.members.map((member) => memberEntry(member, conversation.receipts[member.id]));
  const base = byteLength(JSON.stringify({ ...conversation, members: [], receipts: others, partial: true }));
  const firstCount = countFitting(entries, 0, room - base);
  const first = JSON.stringify({
    ...conversation,
    members: conversation.members.slice(0, firstCount),
    receipts: { ...others, ...receiptsOf(entries.slice(0, firstCount)) },
    partial: true,
  });
  const rest: string[] = [];
  const envelope = byteLength(membersFrame(conversation.id, [], false));
  for (let start = firstCount; start < entries.length; ) {
    const count = Math.max(1, countFitting(entries, start, MAX_FRAME_BYTES - envelope));
    const part = entries.slice(start, start + count);
    start += count;
    rest.push(membersFrame(conversation.id, part, start < entries.length));
  }
  // A partial conversation always ends with a `members` frame saying so.
  if (rest.length === 0) rest.push(membersFrame(conversation.id, [], false));
  return { first, rest };
}

interface MemberEntry {
  member: User;
  watermarks: ReceiptWatermarks | undefined;
  /** Bytes it adds to a frame: the member, its watermarks and two commas. */
  bytes: number;
}

function memberEntry(member: User, watermarks: ReceiptWatermarks | undefined): MemberEntry {
  const receiptBytes = watermarks ? byteLength(JSON.stringify({ [member.id]: watermarks })) - 2 + 1 : 0;
  return { member, watermarks, bytes: byteLength(JSON.stringify(member)) + 1 + receiptBytes };
}

/** How many entries from `start` on fit in `room` bytes. */
function countFitting(entries: readonly MemberEntry[], start: number, room: number): number {
  let used = 0;
  let count = 0;
  for (let i = start; i < entries.length; i++) {
    used += (entries[i] as MemberEntry).bytes;
    if (used > room) break;
    count++;
  }
  return count;
}

function receiptsOf(entries: readonly MemberEntry[]): Record<string, ReceiptWatermarks> {
  return Object.fromEntries(entries.flatMap((entry) => (entry.watermarks ? [[entry.member.id, entry.watermarks]] : [])));
}

function membersFrame(conv: string, entries: readonly MemberEntry[], more: boolean): string {
  return JSON.stringify({
    t: 'members',
    conv,
    members: entries.map((entry) => entry.member),
    receipts: receiptsOf(entries),
    more,
  });
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
