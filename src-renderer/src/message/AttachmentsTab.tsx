import type { Attachment, Message } from '../../../src-main/wire/types';
import { apiUrl } from '../api/client';
import { formatSize } from '../format/size';
import { partPath } from './useMessage';

export function AttachmentsTab({ message: m }: { message: Message }) {
  const all = [...(m.Attachments ?? []), ...(m.Inline ?? [])];
  if (all.length === 0) return <p className="muted pad">No attachments.</p>;
  return (
    <table className="table">
      <thead>
        <tr>
          <th>Name</th>
          <th>Type</th>
          <th>Size</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {all.map((a) => (
          <AttachmentRow key={a.PartID} id={m.ID} a={a} inline={(m.Inline ?? []).includes(a)} />
        ))}
      </tbody>
    </table>
  );
}

function AttachmentRow({ id, a, inline }: { id: string; a: Attachment; inline: boolean }) {
  const url = apiUrl(partPath(id, a.PartID));
  const isImage = a.ContentType.startsWith('image/');
  return (
    <tr>
      <td>
        <div className="attachment-name">
          {isImage && <img className="thumb" src={`${url}/thumb`} alt="" loading="lazy" />}
          <span>{a.FileName || '(unnamed)'}</span>
          {inline && <span className="badge badge-zero">inline</span>}
        </div>
      </td>
      <td className="muted">{a.ContentType}</td>
      <td className="num">{formatSize(a.Size)}</td>
      <td>
        <a className="btn btn-small" href={url} download={a.FileName || undefined}>
          Download
        </a>
      </td>
    </tr>
  );
}
