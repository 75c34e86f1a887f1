import type { ReactNode } from 'react';
import type { Mention } from '../../../shared/api.ts';
import { findLinks } from '../../format/links.ts';

interface Part {
  start: number;
  end: number;
  render(text: string): ReactNode;
}

/** A message body with its links clickable and its mentions marked. Links
 * open in a new tab, without access to this page or the referrer (the
 * desktop app sends them to the system browser instead: its window-open
 * handler, docs/desktop.md); a mention of the signed-in user stands out. */
export function MessageText({ body, mentions, me }: { body: string; mentions: readonly Mention[] | undefined; me: string | undefined }) {
  const parts: Part[] = [
    ...findLinks(body).map((link) => ({
      start: link.start,
      end: link.end,
      render: (text: string) => (
        <a key={link.start} className="bubble__link" href={link.url} target="_blank" rel="noopener noreferrer">
          {text}
        </a>
      ),
    })),
    ...(mentions ?? []).map((mention) => ({
      start: mention.start,
      end: mention.end,
      render: (text: string) => (
        <span
          key={mention.start}
          className={mention.user === me ? 'mention mention--me' : 'mention'}
          data-mention={mention.user === me ? 'me' : 'other'}
        >
          {text}
        </span>
      ),
    })),
  ].sort((a, b) => a.start - b.start);
  const nodes: ReactNode[] = [];
  let at = 0;
  for (const part of parts) {
    // A mention inside a link (https://example.com/@bob) stays part of it.
    if (part.start < at || part.end > body.length) continue;
    if (part.start > at) nodes.push(body.slice(at, part.start));
    nodes.push(part.render(body.slice(part.start, part.end)));
    at = part.end;
  }
  nodes.push(body.slice(at));
  return <>{nodes}</>;
}
