import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/svelte';
import ConfirmButton from './ConfirmButton.svelte';

describe('ConfirmButton', () => {
  it('acts only after confirmation', async () => {
    const onconfirm = vi.fn();
    render(ConfirmButton, { label: 'Kill all bots', title: 'Kill every bot?', message: 'Cancels every resting order.', testid: 'kill', onconfirm });
    await fireEvent.click(screen.getByRole('button', { name: 'Kill all bots' }));
    expect(onconfirm).not.toHaveBeenCalled();
    expect(screen.getByText('Cancels every resting order.')).toBeTruthy();
    await fireEvent.click(screen.getByTestId('kill-confirm'));
    expect(onconfirm).toHaveBeenCalledTimes(1);
  });

  it('is disabled with its reason when the role may not act', () => {
    render(ConfirmButton, { label: 'Kill all bots', title: 't', message: 'm', disabledReason: 'needs the operator role', onconfirm: () => {} });
    const b = screen.getByRole('button', { name: 'Kill all bots' }) as HTMLButtonElement;
    expect(b.disabled).toBe(true);
    expect(b.title).toBe('needs the operator role');
  });
});
