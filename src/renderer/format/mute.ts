// How long a chat can be muted for (as WhatsApp offers it), and until when
// that is. "Always" is the protocol's MUTED_FOREVER (docs/protocol.md, "Chat
// state"), spelled here because the renderer imports only types from
// src/shared.

export type MuteChoice = '8h' | '1w' | 'always';

export const MUTE_CHOICES: ReadonlyArray<{ value: MuteChoice; label: string }> = [
  { value: '8h', label: '8 hours' },
  { value: '1w', label: '1 week' },
  { value: 'always', label: 'Always' },
];

/** 9999-12-31T23:59:59.999Z: MUTED_FOREVER of src/shared/protocol/constants.ts. */
export const MUTED_FOREVER = 253_402_300_799_999;

const HOUR_MS = 3_600_000;

export function muteUntil(choice: MuteChoice, now: number): number {
  switch (choice) {
    case '8h':
      return now + 8 * HOUR_MS;
    case '1w':
      return now + 7 * 24 * HOUR_MS;
    case 'always':
      return MUTED_FOREVER;
  }
}
