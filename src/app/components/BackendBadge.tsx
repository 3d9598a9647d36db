import { useAppState } from '../context';

/** Which compute backend runs, on what, and why earlier ones were skipped. */
export function BackendBadge() {
  const engine = useAppState((s) => s.engine);
  const b = engine.backend;
  const label = engine.status === 'starting' ? 'starting…' : engine.status === 'failed' ? 'no backend' : b?.backend ?? '—';
  return (
    <div className={`badge badge-${engine.status}`} aria-live="polite">
      <span>Backend: </span>
      <strong data-testid="backend">{label}</strong>
      {b?.adapter ? <span className="muted"> ({b.adapter})</span> : null}
      {engine.status === 'lost' ? <span className="warn"> GPU lost — restarting</span> : null}
      {b && Object.keys(b.skipped).length > 0 ? (
        <details className="skipped">
          <summary>why not {Object.keys(b.skipped).join(', ')}?</summary>
          <ul data-testid="backend-skipped">
            {Object.entries(b.skipped).map(([name, why]) => (
              <li key={name}><code>{name}</code>: {why}</li>
            ))}
          </ul>
        </details>
      ) : null}
      {engine.message ? <div className="muted small" data-testid="engine-message">{engine.message}</div> : null}
    </div>
  );
}
