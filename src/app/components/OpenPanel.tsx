import { useRef, useState } from 'react';
import { useApp, useAppState } from '../context';
import { DEMO_CLIP } from '../controller';

/** Drop zone, file picker, demo button, and the load progress with cancel. */
export function OpenPanel() {
  const { controller, store } = useApp();
  const media = useAppState((s) => s.media);
  const view = useAppState((s) => s.view);
  const [over, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);
  const busy = media.phase === 'probing' || media.phase === 'audio' || media.phase === 'frames';
  const p = media.progress;
  return (
    <section className="panel open-panel" aria-label="Open a video">
      <div
        className={`dropzone${over ? ' over' : ''}`}
        data-testid="dropzone"
        role="button"
        tabIndex={0}
        aria-label="Drop a video (mp4, webm, mov) or click to choose one; Enter opens the file chooser"
        onKeyDown={(e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); input.current?.click(); } }}
        onClick={() => input.current?.click()}
        onDragOver={(e) => { e.preventDefault(); setOver(true); }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          const f = e.dataTransfer.files[0];
          if (f) void controller.openFile(f);
        }}
      >
        <strong>Drop a video</strong> (mp4, webm, mov) or click to choose one
      </div>
      <input
        ref={input}
        type="file"
        accept="video/*,.mp4,.webm,.mov,.mkv"
        data-testid="file-input"
        hidden
        onChange={(e) => {
          const f = e.target.files?.[0];
          if (f) void controller.openFile(f);
          e.target.value = '';
        }}
      />
      <div className="row">
        <button data-testid="open-demo" onClick={() => void controller.openDemo()} disabled={busy}>Open the demo clip</button>
        <a className="small" href={DEMO_CLIP.licence} target="_blank" rel="noreferrer">demo sources and licences</a>
      </div>
      <div className="row small">
        <label>
          Frames per second{' '}
          <select data-testid="fps-select" value={view.decodeFps} onChange={(e) => store.getState().setView({ decodeFps: Number(e.target.value) })}>
            {[1, 2, 4, 8, 12, 15, 25].map((f) => <option key={f} value={f}>{f}</option>)}
          </select>
        </label>
        <label>
          Aspect{' '}
          <select data-testid="aspect-select" value={view.aspect} onChange={(e) => store.getState().setView({ aspect: e.target.value as 'squash' | 'crop' | 'pad' })}>
            <option value="squash">resize whole picture</option>
            <option value="crop">crop centre</option>
            <option value="pad">letterbox</option>
          </select>
        </label>
      </div>
      {busy && p ? (
        <div className="progress" data-testid="progress">
          <label>
            {p.stage}: {p.done.toLocaleString()} / {p.total.toLocaleString()} {p.unit}
            <progress max={Math.max(1, p.total)} value={p.done} />
          </label>
          <button onClick={() => controller.cancelLoad()} data-testid="cancel">Cancel</button>
        </div>
      ) : null}
    </section>
  );
}
