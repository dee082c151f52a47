// The message view's tab bar: as many tabs as the pane holds, in order, and the rest in a "More" menu, so no tab
// sits out of sight without a cue. The open tab is always on the bar. Widths come from a hidden copy of the bar,
// measured again when the pane or a label changes.
import { useLayoutEffect, useRef, useState } from 'react';
import { Menu } from '../shared/Menu';

export interface TabBarTab {
  id: string;
  label: string;
}

/** The bar's gap between tabs and its side padding, as in styles.css (.tabs). */
const GAP_PX = 2;
const PADDING_PX = 24;

/** Which tabs fit on a bar `available` px wide; the rest go into the menu, whose button is `moreWidth` px. */
export function fitTabs(
  widths: readonly number[],
  available: number,
  moreWidth: number,
  selected: number,
): { shown: number[]; more: number[] } {
  const all = widths.map((_, i) => i);
  const sum = (ids: number[]) => ids.reduce((s, i) => s + widths[i] + GAP_PX, 0);
  if (sum(all) <= available) return { shown: all, more: [] };
  const room = available - moreWidth - GAP_PX;
  const shown: number[] = [];
  // The open tab keeps its place on the bar; the others fill what is left, in order.
  let used = selected >= 0 ? widths[selected] + GAP_PX : 0;
  for (const i of all) {
    if (i === selected) continue;
    if (used + widths[i] + GAP_PX > room) break;
    used += widths[i] + GAP_PX;
    shown.push(i);
  }
  if (selected >= 0) shown.push(selected);
  shown.sort((a, b) => a - b);
  return { shown, more: all.filter((i) => !shown.includes(i)) };
}

export function TabBar({
  tabs,
  selected,
  onSelect,
}: {
  tabs: readonly TabBarTab[];
  selected: string;
  onSelect: (id: string) => void;
}) {
  const bar = useRef<HTMLDivElement>(null);
  const measure = useRef<HTMLDivElement>(null);
  const [fit, setFit] = useState<{ shown: number[]; more: number[] } | null>(null);
  const selectedIndex = tabs.findIndex((t) => t.id === selected);
  const labels = tabs.map((t) => t.label).join('\n');

  useLayoutEffect(() => {
    const el = bar.current;
    const copy = measure.current;
    if (!el || !copy) return;
    const update = () => {
      const buttons = Array.from(copy.children) as HTMLElement[];
      const widths = buttons.slice(0, -1).map((b) => b.getBoundingClientRect().width);
      const moreWidth = buttons[buttons.length - 1]?.getBoundingClientRect().width ?? 80;
      const next = fitTabs(widths, el.clientWidth - PADDING_PX, moreWidth, selectedIndex);
      setFit((prev) =>
        prev && prev.shown.join() === next.shown.join() && prev.more.join() === next.more.join()
          ? prev
          : next,
      );
    };
    update();
    const observer = new ResizeObserver(update);
    observer.observe(el);
    return () => observer.disconnect();
  }, [labels, selectedIndex]);

  const shown = fit?.shown ?? tabs.map((_, i) => i);
  const more = fit?.more ?? [];
  return (
    <div className="tabs" role="tablist" ref={bar} data-testid="message-tabs">
      <div className="tabs-measure" ref={measure} aria-hidden="true">
        {tabs.map((t) => (
          <span key={t.id} className="tab tab-on">
            {t.label}
          </span>
        ))}
        <span className="btn btn-small">More ▾</span>
      </div>
      {shown.map((i) => {
        const t = tabs[i];
        return (
          <button
            key={t.id}
            type="button"
            role="tab"
            aria-selected={t.id === selected}
            className={t.id === selected ? 'tab tab-on' : 'tab'}
            onClick={() => onSelect(t.id)}
          >
            {t.label}
          </button>
        );
      })}
      {more.length > 0 && (
        <Menu
          label="More"
          title={`${more.length} more tab${more.length === 1 ? '' : 's'}: ${more.map((i) => tabs[i].label).join(', ')}`}
          className="tab tab-more"
          testId="more-tabs"
          items={more.map((i) => ({
            key: tabs[i].id,
            label: tabs[i].label,
            onSelect: () => onSelect(tabs[i].id),
          }))}
        />
      )}
    </div>
  );
}
