import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { SeriesPoint } from './eventSeries';

function tick(t: number, size: number): string {
  const d = new Date(t);
  const hm = `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  return size >= 86_400_000
    ? `${d.getDate()}/${d.getMonth() + 1}`
    : size >= 3_600_000 * 6
      ? `${d.getDate()}/${d.getMonth() + 1} ${hm}`
      : hm;
}

export function EventsOverTime({ points, size }: { points: SeriesPoint[]; size: number }) {
  return (
    <ResponsiveContainer width="100%" height={220}>
      <BarChart data={points} margin={{ top: 8, right: 16, bottom: 0, left: -16 }} maxBarSize={40}>
        <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" vertical={false} />
        <XAxis
          dataKey="t"
          tickFormatter={(t: number) => tick(t, size)}
          stroke="var(--muted)"
          fontSize={11}
          minTickGap={24}
        />
        <YAxis allowDecimals={false} stroke="var(--muted)" fontSize={11} />
        <Tooltip
          labelFormatter={(t) => new Date(Number(t)).toLocaleString()}
          contentStyle={{ background: 'var(--panel)', border: '1px solid var(--border)', fontSize: 12 }}
        />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        <Bar dataKey="opens" name="opens" stackId="a" fill="var(--open)" isAnimationActive={false} />
        <Bar dataKey="clicks" name="clicks" stackId="a" fill="var(--click)" isAnimationActive={false} />
        <Bar dataKey="unsubs" name="unsubscribes" stackId="a" fill="var(--unsub)" isAnimationActive={false} />
        <Bar
          dataKey="machine"
          name="proxy / scanner (beside)"
          stackId="a"
          fill="var(--machine)"
          isAnimationActive={false}
        />
      </BarChart>
    </ResponsiveContainer>
  );
}

export interface PerMailPoint {
  subject: string;
  opens: number;
  clicks: number;
  unsubs: number;
}

export function PerMailChart({ data }: { data: PerMailPoint[] }) {
  return (
    <ResponsiveContainer width="100%" height={Math.max(120, data.length * 26 + 40)}>
      <BarChart data={data} layout="vertical" margin={{ top: 4, right: 16, bottom: 0, left: 8 }}>
        <CartesianGrid strokeDasharray="3 3" stroke="var(--border)" horizontal={false} />
        <XAxis type="number" allowDecimals={false} stroke="var(--muted)" fontSize={11} />
        <YAxis type="category" dataKey="subject" width={160} stroke="var(--muted)" fontSize={11} />
        <Tooltip
          contentStyle={{ background: 'var(--panel)', border: '1px solid var(--border)', fontSize: 12 }}
        />
        <Legend wrapperStyle={{ fontSize: 12 }} />
        <Bar dataKey="opens" fill="var(--open)" isAnimationActive={false} />
        <Bar dataKey="clicks" fill="var(--click)" isAnimationActive={false} />
        <Bar dataKey="unsubs" name="unsubscribes" fill="var(--unsub)" isAnimationActive={false} />
      </BarChart>
    </ResponsiveContainer>
  );
}
