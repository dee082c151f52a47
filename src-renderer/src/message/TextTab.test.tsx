// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup, render, screen } from '@testing-library/react';
import { TextTab } from './TextTab';

afterEach(cleanup);

describe('text tab', () => {
  it('makes http(s) URLs links that open outside, leaving sentence punctuation out', () => {
    render(
      <TextTab
        text={'Start here: https://example.com/start?a=1&b=2. Or (see http://docs.example.org/x).\nBye'}
      />,
    );
    const links = screen.getAllByRole('link');
    expect(links.map((a) => a.getAttribute('href'))).toEqual([
      'https://example.com/start?a=1&b=2',
      'http://docs.example.org/x',
    ]);
    for (const a of links) {
      expect(a.getAttribute('target')).toBe('_blank');
      expect(a.getAttribute('rel')).toContain('noopener');
    }
    expect(screen.getByTestId('text-body').textContent).toBe(
      'Start here: https://example.com/start?a=1&b=2. Or (see http://docs.example.org/x).\nBye',
    );
  });

  it('links nothing else (javascript:, mailto:, bare words)', () => {
    render(<TextTab text="javascript:alert(1) mailto:a@b.c www.example.com" />);
    expect(screen.queryAllByRole('link')).toEqual([]);
  });

  it('says when there is no text part', () => {
    render(<TextTab text="" />);
    expect(screen.getByText('This mail has no text part.')).toBeTruthy();
  });
});
