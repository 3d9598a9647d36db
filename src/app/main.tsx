import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { AppContext } from './context';
import { Controller } from './controller';
import { createAppStore, createPlayheadStore } from '../state/store';
import { isMethodName } from '../engine/pipeline/localizer';
import './styles.css';

const store = createAppStore();
const playhead = createPlayheadStore();
const controller = new Controller(store);

// ?backend=webgpu|webgl|wasm forces one backend (for comparison and tests); default: WebGPU
// first on a hardware adapter, WASM first where WebGPU would run in software (engine/backend.ts).
const params = new URLSearchParams(location.search);
const forced = params.get('backend');
const prefer = forced && ['webgpu', 'webgl', 'wasm', 'cpu'].includes(forced) ? [forced as 'webgpu'] : undefined;
// ?method=lvs|centre picks the localization method the first clip is run with (no automatic choice).
const method = params.get('method');
if (isMethodName(method)) store.getState().setLocalization({ method, auto: false, autoReason: null });
// ?fps=N sets the frame sampling rate (one of the rates the Open panel offers).
const fps = Number(params.get('fps'));
if ([1, 2, 4, 8, 12, 15, 25].includes(fps)) store.getState().setView({ decodeFps: fps });
void controller.initEngine(prefer).then(() => {
  // A share link (#v=1&...) reproduces a view: strictly parsed, never executed.
  if (location.hash.length > 1) void controller.openShareLink(location.hash.slice(1));
});
document.addEventListener('visibilitychange', () => void controller.onVisibility(document.visibilityState === 'hidden'));
window.addEventListener('hashchange', () => { if (location.hash.length > 1) void controller.openShareLink(location.hash.slice(1)); });

// Test and debugging handle (read-only state plus the controller), used by the e2e suite.
(window as unknown as { egosound: unknown }).egosound = { store, controller, playhead };

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AppContext.Provider value={{ store, playhead, controller }}>
      <App />
    </AppContext.Provider>
  </StrictMode>,
);
