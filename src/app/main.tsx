import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { AppContext } from './context';
import { Controller } from './controller';
import { createAppStore, createPlayheadStore } from '../state/store';
import './styles.css';

const store = createAppStore();
const playhead = createPlayheadStore();
const controller = new Controller(store);

// ?backend=webgl|wasm forces a fallback (for comparison and tests); default: WebGPU first.
const forced = new URLSearchParams(location.search).get('backend');
const prefer = forced && ['webgpu', 'webgl', 'wasm', 'cpu'].includes(forced) ? [forced as 'webgpu'] : undefined;
void controller.initEngine(prefer);

// Test and debugging handle (read-only state plus the controller), used by the e2e suite.
(window as unknown as { egosound: unknown }).egosound = { store, controller, playhead };

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <AppContext.Provider value={{ store, playhead, controller }}>
      <App />
    </AppContext.Provider>
  </StrictMode>,
);
