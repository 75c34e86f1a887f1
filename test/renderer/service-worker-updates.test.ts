// @vitest-environment jsdom
// The web client's updates (src/web/serviceWorkerUpdates.ts) over a stand-in
// service worker container and registration (jsdom has no service workers;
// the real path runs in Chromium in test/e2e/update.spec.ts): the first
// worker taking control is an install, a later one an update; checks report
// their steps; the relay refusing this version checks at once.
import { describe, expect, it, vi } from 'vitest';
import type { UpdateStatus } from '../../src/shared/app-updates.ts';
import { serviceWorkerUpdates } from '../../src/web/serviceWorkerUpdates.ts';

function setUp(options: { controlled: boolean; registered?: boolean; newBuild?: boolean }) {
  const container = Object.assign(new EventTarget(), { controller: options.controlled ? {} : null });
  const registration = {
    installing: null as object | null,
    waiting: null,
    update: vi.fn(async () => {
      // The browser found a different sw.js and installs it.
      if (options.newBuild) registration.installing = {};
    }),
  };
  const updates = serviceWorkerUpdates(
    container as unknown as ServiceWorkerContainer,
    Promise.resolve(options.registered === false ? null : (registration as unknown as ServiceWorkerRegistration)),
  );
  const statuses: UpdateStatus[] = [];
  updates.onStatus((status) => statuses.push(status));
  const takeOver = (): void => void container.dispatchEvent(new Event('controllerchange'));
  return { updates, registration, statuses, takeOver, phases: () => statuses.map((status) => status.phase) };
}

describe('the web client updated through its service worker', () => {
  it('the first worker taking control is an install; the next one is an update, to reload', async () => {
    const { updates, takeOver, phases } = setUp({ controlled: false });
    takeOver();
    expect(phases()).toEqual([]);
    takeOver();
    expect(phases()).toEqual(['ready']);
    expect(updates.appliesBy).toBe('reload');
    await expect(updates.getStatus()).resolves.toMatchObject({ phase: 'ready' });
  });

  it('a page the worker already controls is told at the first change', () => {
    const { takeOver, phases } = setUp({ controlled: true });
    takeOver();
    expect(phases()).toEqual(['ready']);
  });

  it('a check finding nothing new says so', async () => {
    const { updates, registration, phases } = setUp({ controlled: true });
    await updates.check();
    expect(registration.update).toHaveBeenCalledOnce();
    expect(phases()).toEqual(['checking', 'up-to-date']);
  });

  it('a check finding a new build waits for it to take over', async () => {
    const { updates, takeOver, phases } = setUp({ controlled: true, newBuild: true });
    await updates.check();
    expect(phases()).toEqual(['checking']);
    takeOver();
    expect(phases()).toEqual(['checking', 'ready']);
  });

  it('the relay refusing this version checks at once, once, and marks the update required', async () => {
    const { updates, registration, statuses } = setUp({ controlled: true });
    updates.relayRefused();
    updates.relayRefused();
    await vi.waitFor(() => expect(statuses.at(-1)?.phase).toBe('up-to-date'));
    expect(registration.update).toHaveBeenCalledOnce();
    expect(statuses.at(-1)).toMatchObject({ required: true, message: expect.stringMatching(/ask its operator/) });
  });

  it('says why it cannot check without a service worker', async () => {
    const { updates, statuses } = setUp({ controlled: false, registered: false });
    await updates.check();
    expect(statuses.at(-1)).toMatchObject({ phase: 'error', message: expect.stringMatching(/no offline copy/) });
  });
});
