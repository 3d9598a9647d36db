import { useApp, useAppState } from '../context';

/** Errors and warnings, each with what to do about it. */
export function Notices() {
  const notices = useAppState((s) => s.notices);
  const { store } = useApp();
  if (notices.length === 0) return null;
  return (
    <section className="notices" aria-label="Messages">
      {notices.map((n) => (
        <div key={n.id} className={`notice notice-${n.level}`} role={n.level === 'error' ? 'alert' : 'status'} data-testid="notice" data-code={n.code ?? ''}>
          <div className="notice-title">{n.title}</div>
          {n.hint ? <div className="notice-hint">{n.hint}</div> : null}
          <button className="notice-close" aria-label="Dismiss message" onClick={() => store.getState().dismiss(n.id)}>×</button>
        </div>
      ))}
    </section>
  );
}
