// Component tests: unmount what a test mounted, and give jsdom what it lacks (dialog methods, ResizeObserver).
import { afterEach } from 'vitest';
import { cleanup } from '@testing-library/svelte';

afterEach(() => cleanup());

const proto = globalThis.HTMLDialogElement?.prototype as (HTMLDialogElement & { open: boolean }) | undefined;
if (proto && !proto.showModal) {
  proto.showModal = function (this: HTMLDialogElement) { this.setAttribute('open', ''); };
  proto.close = function (this: HTMLDialogElement) { this.removeAttribute('open'); };
}
