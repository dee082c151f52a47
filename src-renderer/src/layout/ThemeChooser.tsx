import { useState } from 'react';
import { applyTheme, storedTheme, THEMES, type Theme } from './theme';

export function ThemeChooser() {
  const [theme, setTheme] = useState<Theme>(storedTheme);
  return (
    <div className="segmented" role="group" aria-label="Theme">
      {THEMES.map((t) => (
        <button
          key={t}
          type="button"
          className={t === theme ? 'seg seg-on' : 'seg'}
          aria-pressed={t === theme}
          onClick={() => {
            applyTheme(t);
            setTheme(t);
          }}
        >
          {t === 'system' ? 'follow the system' : t}
        </button>
      ))}
    </div>
  );
}
