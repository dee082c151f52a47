// The tags in use with their counts (from /api/v1/info); a click shows the inbox filtered with `tag:NAME`.
import { useNavigate, useSearchParams } from 'react-router';
import { useInfo } from '../api/resources';

/** A tag as a search term: quoted when it holds a space. */
export const tagTerm = (tag: string) => (/\s/.test(tag) ? `tag:"${tag}"` : `tag:${tag}`);

export function TagFilter() {
  const info = useInfo();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const tags = Object.entries(info.data?.Tags ?? {});
  if (tags.length === 0) return null;
  const current = params.get('q') ?? '';
  return (
    <div className="tag-filter" data-testid="tag-filter">
      <div className="sidebar-label">Tags</div>
      {tags.map(([tag, count]) => {
        const term = tagTerm(tag);
        const active = current === term;
        return (
          <button
            key={tag}
            type="button"
            className={active ? 'nav-item tag-item active' : 'nav-item tag-item'}
            aria-pressed={active}
            onClick={() => navigate(active ? '/' : `/?q=${encodeURIComponent(term)}`)}
            title={`${tag}: ${count.toLocaleString('en')} mail${count === 1 ? '' : 's'}`}
          >
            <span className="tag-name">{tag}</span>
            <span className="nav-count">{count.toLocaleString('en')}</span>
          </button>
        );
      })}
    </div>
  );
}
