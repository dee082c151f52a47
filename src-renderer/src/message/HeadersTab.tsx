import { ErrorNotice } from '../shared/ErrorNotice';
import { useHeaders } from './useMessage';

export function HeadersTab({ id }: { id: string }) {
  const headers = useHeaders(id);
  if (headers.isPending) return <p className="muted pad">Loading…</p>;
  if (headers.isError) return <ErrorNotice error={headers.error} onRetry={() => void headers.refetch()} />;
  const rows = Object.entries(headers.data).sort(([a], [b]) => a.localeCompare(b));
  return (
    <table className="table headers-table">
      <tbody>
        {rows.flatMap(([name, values]) =>
          values.map((v, i) => (
            <tr key={`${name}-${i}`}>
              <th>{name}</th>
              <td>{v}</td>
            </tr>
          )),
        )}
      </tbody>
    </table>
  );
}
