/** A mail's tags as chips (className tag-chip), in list rows and the message header. */
export function TagChips({ tags }: { tags: readonly string[] | null | undefined }) {
  if (!tags?.length) return null;
  return (
    <span className="tag-chips">
      {tags.map((t) => (
        <span key={t} className="tag-chip" title={`Tag: ${t}`}>
          {t}
        </span>
      ))}
    </span>
  );
}
