// Small line icons drawn inline: emoji depend on the system's fonts (missing on many Linux desktops) and an icon
// font would be one more thing to load.
import type { ReactNode } from 'react';

interface IconProps {
  title?: string;
}

function Svg({ title, children }: IconProps & { children: ReactNode }) {
  return (
    <svg
      className="icon"
      viewBox="0 0 16 16"
      width="12"
      height="12"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.6"
      strokeLinecap="round"
      strokeLinejoin="round"
      role={title ? 'img' : undefined}
      aria-hidden={title ? undefined : true}
      aria-label={title}
    >
      {children}
    </svg>
  );
}

export function EyeIcon(props: IconProps) {
  return (
    <Svg {...props}>
      <path d="M1 8s2.5-5 7-5 7 5 7 5-2.5 5-7 5-7-5-7-5z" />
      <circle cx="8" cy="8" r="2" />
    </Svg>
  );
}

export function ClickIcon(props: IconProps) {
  return (
    <Svg {...props}>
      <path d="M4 3l8 4.5-3.5 1L7 12z" />
      <path d="M9 9l3 3" />
    </Svg>
  );
}

export function UnsubIcon(props: IconProps) {
  return (
    <Svg {...props}>
      <circle cx="8" cy="8" r="6" />
      <path d="M4 12l8-8" />
    </Svg>
  );
}

export function PaperclipIcon(props: IconProps) {
  return (
    <Svg {...props}>
      <path d="M13 7.5l-5.3 5.3a3 3 0 01-4.2-4.2L9 3a2 2 0 012.8 2.8L6.5 11.1a1 1 0 01-1.4-1.4L10 4.8" />
    </Svg>
  );
}
