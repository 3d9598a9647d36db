import { Fragment } from 'react';
import { useApp, useAppState } from '../context';
import { METHODS, type MethodName } from '../../engine/pipeline/localizer';
import type { Colormap, OverlayMode } from '../overlay/heatmap';
import type { LocalizationSlice } from '../../state/store';

const STATUS: Record<string, string> = {
  idle: 'no maps yet',
  loading: 'loading weights',
  running: 'localizing',
  ready: 'maps ready',
  'needs-audio': 'this method needs the clip’s sound, and the clip has none',
  failed: 'failed (see the message above)',
};

/** Why the method was chosen when the person has not chosen one (controller: autoMethod). */
const AUTO: Record<NonNullable<LocalizationSlice['localization']['autoReason']>, string> = {
  'two-channels': 'Chosen for this clip: its sound has two channels, so the heard-object localizer can hear where it comes from.',
  'one-channel': 'Chosen for this clip: its sound has one channel (or one signal in both), in which no direction can be heard, so paper 000’s model, which takes mono sound, runs.',
  'no-audio': 'No sound could be read from this clip: every method but the centre prior needs it.',
};

/** Method choice, heat-map look (colormap, opacity, soft threshold) and what the maps came from. */
export function LocalizePanel() {
  const { controller, store } = useApp();
  const loc = useAppState((s) => s.localization);
  const view = useAppState((s) => s.view);
  const phase = useAppState((s) => s.media.phase);
  const busy = loc.status === 'loading' || loc.status === 'running';
  const setView = store.getState().setView;
  return (
    <section className="panel localize-panel" aria-label="Sound localization">
      <h2>Where the sound comes from</h2>
      <div className="row small">
        <label>
          Method{' '}
          <select data-testid="method-select" value={loc.method} disabled={busy || phase === 'probing' || phase === 'audio'} onChange={(e) => void controller.setMethod(e.target.value as MethodName)}>
            {(Object.keys(METHODS) as MethodName[]).map((m) => <option key={m} value={m}>{METHODS[m].label}</option>)}
          </select>
        </label>
        <label>
          <input type="checkbox" data-testid="overlay-toggle" checked={view.showOverlay} onChange={(e) => setView({ showOverlay: e.target.checked })} /> heat map
        </label>
      </div>
      {loc.auto && loc.autoReason ? <p className="small" data-testid="method-auto" data-value={loc.autoReason}>{AUTO[loc.autoReason]}</p> : null}
      <div className="row small">
        <label>
          Colours{' '}
          <select data-testid="colormap-select" value={view.colormap} onChange={(e) => setView({ colormap: e.target.value as Colormap })}>
            <option value="inferno">inferno</option>
            <option value="jet">jet</option>
            <option value="gray">grey</option>
          </select>
        </label>
        <label>
          Opacity{' '}
          <input type="range" data-testid="opacity" min={0} max={1} step={0.05} value={view.overlayOpacity} onChange={(e) => setView({ overlayOpacity: Number(e.target.value) })} />
        </label>
      </div>
      <div className="row small">
        <label>
          Scale{' '}
          <select data-testid="overlay-mode" value={view.overlayMode} onChange={(e) => setView({ overlayMode: e.target.value as OverlayMode })}>
            <option value="normalized">relative (min–max per frame)</option>
            <option value="threshold">soft threshold σ((S − ε)/τ)</option>
          </select>
        </label>
        {view.overlayMode === 'threshold' ? (
          <>
            <label>ε <input type="number" data-testid="eps" min={-1} max={1} step={0.05} value={view.eps} onChange={(e) => { const v = Number(e.target.value); if (Number.isFinite(v) && v >= -1 && v <= 1) setView({ eps: v }); }} style={{ width: '5em' }} /></label>
            <label>τ <input type="number" data-testid="tau" min={0.005} max={1} step={0.005} value={view.tau} onChange={(e) => { const v = Number(e.target.value); if (Number.isFinite(v) && v >= 0.005 && v <= 1) setView({ tau: v }); }} style={{ width: '5em' }} /></label>
          </>
        ) : null}
      </div>
      <p className="small" data-testid="localize-status" data-value={loc.status} role="status">
        {STATUS[loc.status] ?? loc.status}
        {loc.framesTotal ? <> · <span data-testid="localize-frames" data-value={loc.framesDone}>{loc.framesDone}</span> / {loc.framesTotal} frames</> : null}
        {loc.msPerFrame !== null ? ` · ${loc.msPerFrame.toFixed(0)} ms per frame` : null}
      </p>
      {loc.shownMethod && loc.status === 'ready' ? (
        <dl className="small">
          <dt>Maps</dt><dd data-testid="shown-method">{METHODS[loc.shownMethod].label}</dd>
          {loc.models.map((m) => (<Fragment key={m.id}><dt>Weights</dt><dd title={m.sha256}>{m.id} · sha256 {m.sha256.slice(0, 12)}…</dd></Fragment>))}
          <dt>Result hash</dt><dd data-testid="result-hash" data-value={loc.resultHash ?? ''} title={`grid offsets ${loc.hashOffsets ?? ''}`}>{loc.resultHash?.slice(0, 16)}…</dd>
        </dl>
      ) : null}
    </section>
  );
}
