// The demo page: two tabs, the live host and a scenario run, in the report's colours.
import { PALETTE } from '../dist/src/report/index.js';
import { LiveHost } from './live.ts';
import { ScenarioTab } from './scenario.ts';

const root = document.documentElement.style;
root.setProperty('--accent', PALETTE[0]!);
root.setProperty('--good', PALETTE[2]!);

/** WAI-ARIA tabs: click or arrow keys move between them, only the selected tab is in the tab order. */
function wireTabs(): void {
  const tabs = [...document.querySelectorAll<HTMLButtonElement>('[role="tab"]')];
  const select = (chosen: HTMLButtonElement) => {
    for (const tab of tabs) {
      const selected = tab === chosen;
      tab.setAttribute('aria-selected', String(selected));
      tab.tabIndex = selected ? 0 : -1;
      document.getElementById(tab.getAttribute('aria-controls')!)!.hidden = !selected;
    }
    chosen.focus();
  };
  tabs.forEach((tab, k) => {
    tab.addEventListener('click', () => select(tab));
    tab.addEventListener('keydown', (event) => {
      const step = event.key === 'ArrowRight' ? 1 : event.key === 'ArrowLeft' ? -1 : 0;
      if (step !== 0) select(tabs[(k + step + tabs.length) % tabs.length]!);
    });
  });
}

wireTabs();
new ScenarioTab().init();
await new LiveHost().init();
document.body.dataset.ready = 'true';
