import { useState } from 'react';
import { useApp, useAppState } from '../context';

const VERDICT: Record<string, string> = {
  checking: 'Checking the result against the link…',
  same: 'Reproduced: the maps have the same result hash as the run that made the link.',
  different: 'Not the same result as the link',
  unverifiable: 'The result could not be compared with the link',
};

function download(blob: Blob, name: string): void {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

/** Share a link that reproduces the view; export the maps and a run bundle; consent for link clips. */
export function SharePanel() {
  const { controller, playhead } = useApp();
  const share = useAppState((s) => s.share);
  const clip = useAppState((s) => s.media.clip);
  const ready = useAppState((s) => s.localization.status === 'ready');
  const [link, setLink] = useState<{ link: string | null; reason: string | null } | null>(null);
  const [video, setVideo] = useState<{ done: number; total: number; ac: AbortController } | null>(null);
  const exportVideo = async () => {
    const ac = new AbortController();
    setVideo({ done: 0, total: 1, ac });
    try {
      const b = await controller.exportOverlayVideo((done, total) => setVideo({ done, total, ac }), ac.signal);
      if (b) download(b, `${base}.heatmap.webm`);
    } catch {
      /* cancelled: nothing to save */
    } finally {
      setVideo(null);
    }
  };
  const base = clip ? clip.name.replace(/\.[^.]+$/, '') : 'egosound';

  return (
    <section className="panel share-panel" aria-label="Share and export">
      <h2>Share and export</h2>
      {share.pendingUrl ? (
        <div className="consent" role="alertdialog" aria-labelledby="consent-title" data-testid="consent">
          <p id="consent-title">This link asks to load a video from <strong>{new URL(share.pendingUrl).host}</strong>. Nothing is fetched until you agree.</p>
          <p className="small muted">{share.pendingUrl}</p>
          <div className="row">
            <button data-testid="consent-accept" onClick={() => void controller.acceptRemoteClip()}>Load the video</button>
            <button data-testid="consent-decline" onClick={() => controller.declineRemoteClip()}>No, thanks</button>
          </div>
        </div>
      ) : null}
      {share.verdict !== 'none' ? (
        <p className={`small ${share.verdict === 'same' ? '' : 'warn'}`} data-testid="share-verdict" data-value={share.verdict} role="status">
          {VERDICT[share.verdict]}{share.detail ? `: ${share.detail}.` : ''}
        </p>
      ) : null}
      <div className="row">
        <button data-testid="share-link" disabled={!clip} onClick={() => {
          const r = controller.shareLink(playhead.getState().time);
          setLink(r);
          if (r.link) void navigator.clipboard?.writeText(r.link).catch(() => undefined);
        }}>Copy link to this view</button>
        <button data-testid="export-maps" disabled={!ready} onClick={() => void controller.exportMaps().then((b) => b && download(b, `${base}.maps.json`))}>Export maps (JSON)</button>
 <button data-testid="export-video" disabled={!ready || !!video} onClick={() => void exportVideo()}>Export video with heat map (WebM)</button>
        <button data-testid="export-bundle" disabled={!clip} onClick={() => void controller.exportBundle(playhead.getState().time).then((b) => b && download(b, `${base}.run.json`))}>Export run bundle</button>
      </div>
      {video ? (
        <div className="progress" data-testid="export-video-progress">
          <label>recording the clip with its heat map: {video.done.toFixed(1)} / {video.total.toFixed(1)} s<progress max={video.total} value={video.done} /></label>
          <button onClick={() => video.ac.abort()}>Cancel</button>
        </div>
      ) : null}
      {link?.link ? (
        <label className="small">Link <input data-testid="share-link-text" readOnly value={link.link} onFocus={(e) => e.currentTarget.select()} style={{ width: '100%' }} /></label>
      ) : null}
      {link?.reason ? <p className="small warn" data-testid="share-reason">{link.reason}</p> : null}
    </section>
  );
}
