// What the component tests need from jsdom beyond what it has. Imported
// first by every component test file.
import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

// jsdom lays nothing out, so the virtualised lists would see a 0-pixel
// viewport and render no rows: give every element a size.
Object.defineProperties(HTMLElement.prototype, {
  clientHeight: { configurable: true, get: () => 800 },
  clientWidth: { configurable: true, get: () => 400 },
  offsetHeight: { configurable: true, get: () => 60 },
  offsetWidth: { configurable: true, get: () => 400 },
});

// jsdom has <dialog> but not its methods.
HTMLDialogElement.prototype.showModal = function showModal(this: HTMLDialogElement) {
  this.setAttribute('open', '');
};
HTMLDialogElement.prototype.close = function close(this: HTMLDialogElement) {
  this.removeAttribute('open');
};

// Vitest runs without globals, so Testing Library cannot register this itself.
afterEach(() => {
  cleanup();
  localStorage.clear();
});
