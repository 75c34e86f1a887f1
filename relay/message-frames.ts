// Serialising the frames that carry messages. Each message is serialised once
// and spliced into every frame that carries it (ack, msg, batch, history), and
// frames holding several messages are kept within the protocol's frame size
// (MAX_FRAME_BYTES applies to both directions), so a client with a strict
// frame limit can read them.
import { MAX_BATCH_MESSAGES, MAX_FRAME_BYTES, type Message } from '../src/shared/protocol/index.ts';

export function ackFrameText(cid: string, messageJson: string): string {
  return `{"t":"ack","cid":${JSON.stringify(cid)},"msg":${messageJson}}`;
}

export function msgFrameText(messageJson: string): string {
  return `{"t":"msg","msg":${messageJson}}`;
}

/**
 * The `batch` frames of one conversation: at most MAX_BATCH_MESSAGES messages
 * and MAX_FRAME_BYTES each, in order; `firstMore` goes on the first one only.
 */
export function batchFrameTexts(conv: string, messages: readonly Message[], firstMore: boolean): string[] {
  const texts: string[] = [];
  let chunk: string[] = [];
  let chunkBytes = 0;
  const envelope = (more: boolean): [string, string] => [
    `{"t":"batch","conv":${JSON.stringify(conv)},"msgs":[`,
    `],"more":${more}}`,
  ];
  const flush = () => {
    const [head, tail] = envelope(texts.length === 0 && firstMore);
    texts.push(`${head}${chunk.join(',')}${tail}`);
    chunk = [];
    chunkBytes = 0;
  };
  const envelopeBytes = byteLength(envelope(false).join(''));
  for (const message of messages) {
    const json = JSON.stringify(message);
    const bytes = byteLength(json) + 1;
    if (chunk.length > 0 && (chunk.length === MAX_BATCH_MESSAGES || envelopeBytes + chunkBytes + bytes > MAX_FRAME_BYTES)) {
      flush();
    }
    chunk.push(json);
    chunkBytes += bytes;
  }
  if (chunk.length > 0) flush();
  return texts;
}

/**
 * A `history` answer. When the messages do not fit in one frame, the oldest
 * are left out and `more` is set, so the client asks again from there.
 */
export function historyFrameText(rid: string, conv: string, messages: readonly Message[], more: boolean): string {
  const jsons = messages.map((message) => JSON.stringify(message));
  const envelopeBytes = byteLength(`{"t":"history","rid":${JSON.stringify(rid)},"conv":${JSON.stringify(conv)},"msgs":[],"more":false}`);
  let bytes = envelopeBytes;
  let first = jsons.length;
  while (first > 0 && bytes + byteLength(jsons[first - 1] as string) + 1 <= MAX_FRAME_BYTES) {
    first--;
    bytes += byteLength(jsons[first] as string) + 1;
  }
  const kept = jsons.slice(first);
  return `{"t":"history","rid":${JSON.stringify(rid)},"conv":${JSON.stringify(conv)},"msgs":[${kept.join(',')}],"more":${more || first > 0}}`;
}

function byteLength(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}
